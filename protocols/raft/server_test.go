package raft_test

import (
	"hash/fnv"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/dsimtest"
	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/protocols/raft"
	"github.com/dsimlab/dsim/sim"
)

// probe drives server n1 of a three-server cluster (n1, n2, n3, and a
// client c1) one message at a time.
func probe(t *testing.T, v raft.Variant) *dsimtest.Probe {
	t.Helper()
	cfg := raft.DefaultConfig()
	cfg.Servers, cfg.Variant = 3, v
	return dsimtest.NewProbe("n1", raft.NewServer(cfg, 0), dsimtest.Nodes("n1", "n2", "n3", "c1"))
}

// entry returns a log entry of term t whose command, a put of id to key
// "k", has id (and a session of its own).
func entry(t int64, id string) *raft.Entry {
	h := fnv.New64a()
	h.Write([]byte(id))
	return &raft.Entry{Term: t, Cmd: &raft.Cmd{Session: h.Sum64(), Seq: 1, Op: checker.KVPut, Key: "k", Value: id, ID: id}}
}

// last returns the last message p's node sent to name.
func last(t *testing.T, p *dsimtest.Probe, name string) any {
	t.Helper()
	sent := p.SentTo(name)
	require.NotEmpty(t, sent, "nothing sent to %s", name)
	return sent[len(sent)-1]
}

// A server votes once per term, and remembers its vote across a restart;
// the VolatileVote variant forgets it and votes twice.
func TestVoteOncePerTerm(t *testing.T) {
	tests := []struct {
		variant      raft.Variant
		afterRestart bool // whether n3 gets the vote after n1 restarts
	}{
		{raft.Correct, false},
		{raft.VolatileVote, true},
	}
	for _, tc := range tests {
		t.Run(string(tc.variant), func(t *testing.T) {
			p := probe(t, tc.variant)
			p.Deliver("n2", &raft.RequestVote{Term: 1})
			assert.Equal(t, &raft.Vote{Term: 1, Granted: true}, last(t, p, "n2"))
			p.Deliver("n3", &raft.RequestVote{Term: 1})
			assert.Equal(t, &raft.Vote{Term: 1, Granted: false}, last(t, p, "n3"), "one vote per term")
			p.Deliver("n2", &raft.RequestVote{Term: 1})
			assert.Equal(t, &raft.Vote{Term: 1, Granted: true}, last(t, p, "n2"), "the same candidate asking again")
			p.Crash()
			p.Restart()
			p.Deliver("n3", &raft.RequestVote{Term: 1})
			assert.Equal(t, &raft.Vote{Term: 1, Granted: tc.afterRestart}, last(t, p, "n3"))
			p.Deliver("n3", &raft.RequestVote{Term: 0})
			assert.Equal(t, &raft.Vote{Term: 1, Granted: false}, last(t, p, "n3"), "the term survives a restart")
		})
	}
}

// A server votes only for a candidate whose log is at least as up to date
// as its own; the VoteAnyLog variant votes for any.
func TestElectionRestriction(t *testing.T) {
	tests := []struct {
		name                string
		lastIndex, lastTerm int64
		correct             bool
	}{
		{"a later last term", 1, 3, true},
		{"same last term, as long", 2, 2, true},
		{"same last term, shorter", 1, 2, false},
		{"an earlier last term, longer", 9, 1, false},
	}
	for _, tc := range tests {
		for _, v := range []raft.Variant{raft.Correct, raft.VoteAnyLog} {
			t.Run(tc.name+"/"+string(v), func(t *testing.T) {
				p := probe(t, v)
				p.Deliver("n2", &raft.AppendEntries{Term: 2, Entries: []*raft.Entry{entry(1, "a"), entry(2, "b")}})
				p.Deliver("n3", &raft.RequestVote{Term: 3, LastIndex: tc.lastIndex, LastTerm: tc.lastTerm})
				want := tc.correct || v == raft.VoteAnyLog
				assert.Equal(t, &raft.Vote{Term: 3, Granted: want}, last(t, p, "n3"))
			})
		}
	}
}

// A follower accepts entries only after its own copy of the leader's
// previous entry; at a conflict it cuts its log there, and it writes the
// log to disk before it answers. The NoLogCheck variant skips the check.
func TestAppendEntriesLogMatching(t *testing.T) {
	p := probe(t, raft.Correct)
	a, b, c := entry(1, "a"), entry(1, "b"), entry(2, "c")
	p.Deliver("n2", &raft.AppendEntries{Term: 2, Entries: []*raft.Entry{a, b, c}, Commit: 0})
	assert.Equal(t, &raft.AppendReply{Term: 2, Success: true, Match: 3}, last(t, p, "n2"))

	p.Deliver("n2", &raft.AppendEntries{Term: 2, PrevIndex: 5, PrevTerm: 2})
	assert.Equal(t, &raft.AppendReply{Term: 2, Conflict: 4}, last(t, p, "n2"), "too short: go on from its end")
	p.Deliver("n2", &raft.AppendEntries{Term: 3, PrevIndex: 3, PrevTerm: 3})
	assert.Equal(t, &raft.AppendReply{Term: 3, Conflict: 3}, last(t, p, "n2"), "term 2 at 3, not 3: go back to term 2's first")
	p.Deliver("n3", &raft.AppendEntries{Term: 1, PrevIndex: 1, PrevTerm: 1})
	assert.Equal(t, &raft.AppendReply{Term: 3}, last(t, p, "n3"), "an old leader learns the term")

	d := entry(3, "d")
	p.Deliver("n2", &raft.AppendEntries{Term: 3, PrevIndex: 1, PrevTerm: 1, Entries: []*raft.Entry{b, d}, Commit: 2})
	assert.Equal(t, &raft.AppendReply{Term: 3, Success: true, Match: 3}, last(t, p, "n2"))
	writes := dsimtest.FactsOf[*raft.LogWrite](p)
	require.NotEmpty(t, writes)
	assert.Equal(t, "log 3: 3/d", writes[len(writes)-1].String(), "b was there: only the conflict at 3 is written")
	applied := dsimtest.FactsOf[*raft.Applied](p)
	require.Len(t, applied, 2, "commit 2: a and b applied")

	p.Crash()
	p.Restart()
	writes = dsimtest.FactsOf[*raft.LogWrite](p)
	restored := writes[len(writes)-1]
	assert.True(t, restored.Restart)
	require.Len(t, restored.Entries, 3)
	assert.Equal(t, "d", restored.Entries[2].Cmd.ID, "the log was on disk")

	q := probe(t, raft.NoLogCheck)
	q.Deliver("n2", &raft.AppendEntries{Term: 2, Entries: []*raft.Entry{a, b}})
	q.Deliver("n2", &raft.AppendEntries{Term: 2, PrevIndex: 2, PrevTerm: 7, Entries: []*raft.Entry{d}})
	assert.Equal(t, &raft.AppendReply{Term: 2, Success: true, Match: 3}, last(t, q, "n2"), "accepted without the check")
}

// elect makes p's n1 the leader of a term above 1 with a log of
// entries, which n2 also holds, and returns the term.
func elect(t *testing.T, p *dsimtest.Probe, entries ...*raft.Entry) int64 {
	t.Helper()
	p.Deliver("n2", &raft.AppendEntries{Term: 1, Entries: entries})
	for {
		tm, ok := p.FireNext()
		require.True(t, ok)
		if rv, ok := last(t, p, "n3").(*raft.RequestVote); ok && p.Now() == tm.At {
			p.Deliver("n3", &raft.Vote{Term: rv.Term, Granted: true})
			require.NotEmpty(t, dsimtest.FactsOf[*raft.Elected](p))
			return rv.Term
		}
	}
}

// A leader commits an entry of an earlier term only once an entry of its
// own term is on a majority (Figure 8); the CommitOldTerm variant commits
// it as soon as a majority holds it.
func TestCommitRule(t *testing.T) {
	for _, v := range []raft.Variant{raft.Correct, raft.CommitOldTerm} {
		t.Run(string(v), func(t *testing.T) {
			p := probe(t, v)
			term := elect(t, p, entry(1, "old"))
			p.Deliver("n3", &raft.AppendReply{Term: term, Success: true, Match: 1})
			commits := dsimtest.FactsOf[*raft.Committed](p)
			if v == raft.Correct {
				assert.Empty(t, commits, "the old entry is on n1 and n3, but it is not of term %d", term)
			} else {
				assert.Equal(t, []*raft.Committed{{Index: 1, Term: term}}, commits)
			}
			cmd := &raft.Cmd{Session: 9, Seq: 1, Client: p.ID("c1"), Op: checker.KVPut, Key: "k", Value: "v", ID: "c1#1"}
			p.Deliver("c1", &raft.Request{Cmd: cmd})
			p.Deliver("n2", &raft.AppendReply{Term: term, Success: true, Match: 2})
			commits = dsimtest.FactsOf[*raft.Committed](p)
			require.NotEmpty(t, commits)
			assert.Equal(t, &raft.Committed{Index: 2, Term: term}, commits[len(commits)-1], "its own entry commits both")
			assert.Equal(t, &raft.Reply{Seq: 1, Leader: 0}, last(t, p, "c1"))
		})
	}
}

func itoa(i int64) string { return strconv.FormatInt(i, 10) }

// A description says nothing of time: servers brought to the same state at
// different times describe it alike, and a different state differently.
func TestDescriptionIsTimeless(t *testing.T) {
	describe := func(wait time.Duration, cmds ...string) string {
		p := probe(t, raft.Correct)
		p.Advance(wait)
		var es []*raft.Entry
		for _, c := range cmds {
			es = append(es, entry(1, c))
		}
		p.Deliver("n2", &raft.AppendEntries{Term: 1, Entries: es, Commit: 1})
		return p.Node().(sim.Describer).DescribeState()
	}
	now := describe(0, "a", "b")
	assert.Equal(t, now, describe(50*time.Millisecond, "a", "b"))
	assert.NotEqual(t, now, describe(0, "a", "c"))
	assert.Contains(t, now, "log 1/a 1/b")
}

// A cluster of servers built elsewhere (here: this package's, through
// NewServer, as a lab's would be) gets the same clients and checks; a
// server that records no facts leaves the Raft checks with nothing to
// check.
func TestClusterOfOwnServers(t *testing.T) {
	cfg := raft.DefaultConfig()
	cfg.Workload.Ops = 100
	tests := []struct {
		name    string
		servers func(i int) sim.Factory
		verdict checker.Verdict
	}{
		{"built by NewServer", func(i int) sim.Factory { return raft.NewServer(cfg, i) }, checker.Holds},
		{"silent", func(int) sim.Factory { return func() sim.Node { return silent{} } }, checker.Inconclusive},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w, err := sim.New(sim.Config{Seed: 1})
			require.NoError(t, err)
			cl, err := raft.NewClusterOf(w, cfg, tc.servers)
			require.NoError(t, err)
			w.RunUntil(sim.Time(10 * time.Second))
			rep := cl.Check(protocols.CheckRequest{World: w, Checks: []string{raft.ElectionSafetyCheck, raft.StateMachineSafetyCheck}})
			for _, r := range rep.Checks {
				assert.Equal(t, tc.verdict, r.Verdict, r.String())
			}
		})
	}
}

// silent is a server that does nothing.
type silent struct{}

func (silent) Start(*sim.Context)                    {}
func (silent) Receive(*sim.Context, sim.NodeID, any) {}
func (silent) Timer(*sim.Context, any)               {}
