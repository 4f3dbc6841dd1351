package raftlab

import (
	"encoding/json"
	"fmt"

	"github.com/dsimlab/dsim/protocols/raft"
	"github.com/dsimlab/dsim/sim"
)

// Part 3: persistence. Read "Part 3" in README.md first.

//lab:solution

// keyHard is the storage key of the term and the vote; each log entry has
// a key of its own (logKey), and the keys sort by index.
const keyHard = "hard"

// logKey returns the storage key of the entry at index i.
func logKey(i int64) string { return fmt.Sprintf("log/%016d", i) }

// hardState is the term and the vote, as stored.
type hardState struct {
	Term int64
	Vote int
}

//lab:end

// saveHard writes the term and the vote to disk and syncs.
func (s *Server) saveHard(ctx *sim.Context) {
	// TODO(lab): ctx.Storage().Put then Sync: nothing is durable before
	// Sync returns.
	//lab:solution
	b, _ := json.Marshal(hardState{Term: s.term, Vote: s.vote})
	ctx.Storage().Put(keyHard, b)
	ctx.Storage().Sync()
	//lab:end
}

// saveEntries writes the entries es, from index from on, deletes the
// stored entries after them up to oldLast (the last index before the
// change), and syncs.
func (s *Server) saveEntries(ctx *sim.Context, from int64, es []*raft.Entry, oldLast int64) {
	// TODO(lab): one key per entry, so that appending writes only the new
	// ones.
	//lab:solution
	st := ctx.Storage()
	for k, e := range es {
		b, _ := json.Marshal(e)
		st.Put(logKey(from+int64(k)), b)
	}
	for i := from + int64(len(es)); i <= oldLast; i++ {
		st.Delete(logKey(i))
	}
	st.Sync()
	//lab:end
}

// load reads the term, the vote and the log back from disk, at Start.
func (s *Server) load(ctx *sim.Context) {
	// TODO(lab): what saveHard and saveEntries wrote (ctx.Storage().Get,
	// .Keys(prefix), which sorts). A disk that cannot be read is a bug in
	// your code: panic.
	//lab:solution
	st := ctx.Storage()
	if b, ok := st.Get(keyHard); ok {
		var h hardState
		if err := json.Unmarshal(b, &h); err != nil {
			panic(fmt.Sprintf("%s: read term and vote: %v", ctx.Name(), err))
		}
		s.term, s.vote = h.Term, h.Vote
	}
	for _, k := range st.Keys("log/") {
		b, _ := st.Get(k)
		e := new(raft.Entry)
		if err := json.Unmarshal(b, e); err != nil {
			panic(fmt.Sprintf("%s: read %s: %v", ctx.Name(), k, err))
		}
		s.log.entries = append(s.log.entries, e)
	}
	//lab:end
}
