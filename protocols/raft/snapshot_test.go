package raft_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/dsimtest"
	"github.com/dsimlab/dsim/protocols/raft"
	"github.com/dsimlab/dsim/sim"
)

// snapshotProbe drives server name of a three-server cluster that
// snapshots every two entries.
func snapshotProbe(name string, index int) *dsimtest.Probe {
	cfg := raft.DefaultConfig()
	cfg.Servers, cfg.SnapshotEvery = 3, 2
	return dsimtest.NewProbe(name, raft.NewServer(cfg, index), dsimtest.Nodes("n1", "n2", "n3", "c1"))
}

// state returns the first line of p's node's description and the line
// with its key-value state.
func state(p *dsimtest.Probe) (head, kv string) {
	lines := strings.Split(p.Node().(sim.Describer).DescribeState(), "\n")
	return lines[0], strings.SplitN(lines[2], " | ", 2)[0]
}

// A leader whose log no longer holds what a follower lacks sends its
// snapshot instead; the follower takes its state machine and log up to
// it, keeps them on disk and reads them back after a restart.
func TestSnapshots(t *testing.T) {
	// n1 applies three entries of four and snapshots them; the fourth
	// stays in its log.
	p := snapshotProbe("n1", 0)
	p.Deliver("n2", &raft.AppendEntries{Term: 1, Entries: []*raft.Entry{entry(1, "a"), entry(1, "b"), entry(1, "c"), entry(1, "d")}, Commit: 3})
	assert.Equal(t, []*raft.Snapshot{{Index: 3, Term: 1}}, dsimtest.FactsOf[*raft.Snapshot](p))
	head, kv := state(p)
	assert.Regexp(t, `^term=1 vote=none role=follower leader=n2 commit=3 applied=3 snapshot=3/1 #[0-9a-f]+$`, head)
	assert.Equal(t, `kv k="c"`, kv)

	term := elect(t, p)
	p.Deliver("n3", &raft.AppendReply{Term: term, Conflict: 1})
	m, ok := last(t, p, "n3").(*raft.InstallSnapshot)
	require.True(t, ok, "%v", last(t, p, "n3"))
	assert.Equal(t, int64(3), m.Index)
	assert.Equal(t, int64(1), m.LastTerm)

	tests := []struct {
		name    string
		log     []*raft.Entry // n3's log before the snapshot
		discard bool
		next    string // the entry at 4 after the snapshot, or "" for none
	}{
		{"a log that holds the snapshot's last entry keeps the rest", []*raft.Entry{entry(1, "a"), entry(1, "b"), entry(1, "c"), entry(1, "d")}, false, "d"},
		{"a log with another entry there is discarded", []*raft.Entry{entry(1, "a"), entry(1, "x"), entry(2, "y"), entry(2, "z")}, true, ""},
		{"a log too short is discarded", []*raft.Entry{entry(1, "a")}, true, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q := snapshotProbe("n3", 2)
			q.Deliver("n2", &raft.AppendEntries{Term: 1, Entries: tc.log})
			q.Deliver("n1", m)
			assert.Equal(t, &raft.SnapshotReply{Term: term, Index: 3}, last(t, q, "n1"))
			assert.Equal(t, []*raft.Snapshot{{Index: 3, Term: 1, Installed: true, Discarded: tc.discard}}, dsimtest.FactsOf[*raft.Snapshot](q))
			q.Deliver("n1", m)
			assert.Len(t, dsimtest.FactsOf[*raft.Snapshot](q), 1, "a snapshot it has changes nothing")

			q.Crash()
			q.Restart()
			head, kv := state(q)
			assert.Regexp(t, `^term=`+itoa(term)+` vote=none role=follower leader=none commit=3 applied=3 snapshot=3/1 #[0-9a-f]+$`, head)
			assert.Equal(t, `kv k="c"`, kv)
			writes := dsimtest.FactsOf[*raft.LogWrite](q)
			restored := writes[len(writes)-1]
			assert.Equal(t, int64(4), restored.From)
			if tc.next == "" {
				assert.Empty(t, restored.Entries)
			} else {
				require.Len(t, restored.Entries, 1)
				assert.Equal(t, tc.next, restored.Entries[0].Cmd.ID)
			}

			// Entries after the snapshot are accepted as usual; entries
			// inside it are acknowledged without a look.
			q.Deliver("n1", &raft.AppendEntries{Term: term, PrevIndex: 3, PrevTerm: 1, Entries: []*raft.Entry{entry(1, "d")}, Commit: 4})
			assert.Equal(t, &raft.AppendReply{Term: term, Success: true, Match: 4}, last(t, q, "n1"))
			_, kv = state(q)
			assert.Equal(t, `kv k="d"`, kv)
			q.Deliver("n1", &raft.AppendEntries{Term: term, Entries: []*raft.Entry{entry(9, "never looked at")}})
			assert.Equal(t, &raft.AppendReply{Term: term, Success: true, Match: 1}, last(t, q, "n1"))
		})
	}
}
