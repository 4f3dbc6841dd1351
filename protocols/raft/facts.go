package raft

import "strconv"

// The facts Raft's servers record in the trace (sim.Context.Record) for the
// checks, which read them back by type (sim.ObserveFacts, or the Cluster's
// observer). Each says what a server did to the state the safety
// properties are about: who leads which term, what each log holds, what
// was committed and what each state machine applied. Facts are recorded by
// pointer and never modified once recorded; their descriptions are the
// trace's text and are hashed into the fingerprint, so they are terse.

// Elected is recorded by a server that becomes the leader of Term.
type Elected struct {
	Term int64
}

// String describes the fact, e.g. "leader of term 5".
func (f *Elected) String() string { return "leader of term " + itoa(f.Term) }

// LogWrite is recorded by a server whose log changed: it now holds Entries
// from index From on, and nothing after them. A follower that finds no
// conflict with what it is sent records only the entries it did not have.
// Restart marks the log a server read back from its disk when it started
// (From is then the first index after its snapshot).
type LogWrite struct {
	From    int64
	Entries []*Entry
	Restart bool

	text string // the description, if built already
}

// String describes the fact, e.g. "log 34: 3/c1#5 3/c2#7", or, for a log
// read back at a restart, "restored log after 33: 87 entries".
func (f *LogWrite) String() string {
	if f.text != "" {
		return f.text
	}
	if f.Restart {
		return "restored log after " + itoa(f.From-1) + ": " + strconv.Itoa(len(f.Entries)) + " entries"
	}
	b := make([]byte, 0, 16+12*len(f.Entries))
	b = append(b, "log "...)
	b = strconv.AppendInt(b, f.From, 10)
	b = append(b, ':')
	for _, e := range f.Entries {
		b = append(b, ' ')
		b = strconv.AppendInt(b, e.Term, 10)
		b = append(b, '/')
		b = append(b, e.Cmd.ID...)
	}
	return string(b)
}

// Committed is recorded by the leader of Term when it commits its log up
// to Index.
type Committed struct {
	Index, Term int64
}

// String describes the fact, e.g. "commit 34 in term 5".
func (f *Committed) String() string { return "commit " + itoa(f.Index) + " in term " + itoa(f.Term) }

// Applied is recorded by a server that applies the entry at Index, of
// term Term and command ID, to its state machine.
type Applied struct {
	Index int64
	Term  int64
	ID    string

	text string // the description, built by newApplied: every server records it
}

// newApplied returns an Applied fact with its description built.
func newApplied(index, term int64, id string) *Applied {
	f := &Applied{Index: index, Term: term, ID: id}
	f.text = f.describe()
	return f
}

// String describes the fact, e.g. "apply 34 3/c1#5".
func (f *Applied) String() string {
	if f.text != "" {
		return f.text
	}
	return f.describe()
}

func (f *Applied) describe() string {
	return "apply " + itoa(f.Index) + " " + itoa(f.Term) + "/" + f.ID
}

// Snapshot is recorded by a server that replaced the entries up to Index
// (whose term is Term) by a snapshot of its state machine: its own, when
// Installed is false (the entries are applied, and the log it holds is
// unchanged), or one a leader sent it, when Installed is true. An
// installed snapshot Discarded the rest of the log if the log did not hold
// the snapshot's last entry.
type Snapshot struct {
	Index, Term int64
	Installed   bool
	Discarded   bool
}

// String describes the fact, e.g. "snapshot 120/3", "installed snapshot
// 120/3" or "installed snapshot 120/3, log discarded".
func (f *Snapshot) String() string {
	s := "snapshot " + itoa(f.Index) + "/" + itoa(f.Term)
	if f.Installed {
		s = "installed " + s
	}
	if f.Discarded {
		s += ", log discarded"
	}
	return s
}

// factCache interns the facts the servers of a cluster record alike: each
// server applies the same entry at an index, and followers mostly write
// the single entry the leader wrote, so the cluster builds each such fact,
// and its description, once. It only saves work: an interned fact says
// exactly what a new one would. The zero factCache is ready to use.
type factCache struct {
	applied []*Applied  // by index
	writes  []*LogWrite // by index: the last write of a single entry there
}

// maxInterned bounds the indexes a factCache keeps.
const maxInterned = 1 << 20

// apply returns the fact that e, the entry at index, was applied.
func (c *factCache) apply(index int64, e *Entry) *Applied {
	if index < 0 || index >= maxInterned {
		return newApplied(index, e.Term, e.Cmd.ID)
	}
	for int64(len(c.applied)) <= index {
		c.applied = append(c.applied, nil)
	}
	if f := c.applied[index]; f != nil && f.Term == e.Term && f.ID == e.Cmd.ID {
		return f
	}
	f := newApplied(index, e.Term, e.Cmd.ID)
	c.applied[index] = f
	return f
}

// write returns the fact that a log now holds es from index from on.
func (c *factCache) write(from int64, es []*Entry) *LogWrite {
	if len(es) != 1 || from < 0 || from >= maxInterned {
		return &LogWrite{From: from, Entries: es}
	}
	for int64(len(c.writes)) <= from {
		c.writes = append(c.writes, nil)
	}
	if f := c.writes[from]; f != nil && f.Entries[0] == es[0] {
		return f
	}
	f := &LogWrite{From: from, Entries: es}
	f.text = f.String()
	c.writes[from] = f
	return f
}
