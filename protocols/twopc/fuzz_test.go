package twopc

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dsimlab/dsim/sim"
)

// FuzzParticipant throws arbitrary sequences of messages, crashes and
// restarts at a participant (for two- and three-phase commit) and checks
// that its state stays coherent: every lock is held by an undecided
// transaction that uses the key, every undecided transaction holds all
// its locks, and what it keeps in memory matches its log. Run it with
// `go test -fuzz=FuzzParticipant ./protocols/twopc`.
func FuzzParticipant(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9})
	f.Add([]byte{0x10, 0x21, 0x07, 0x32, 0x10, 0x44, 0x15, 0x07, 0x55, 0x66})
	f.Add([]byte{0x80, 0x00, 0x01, 0x07, 0x08, 0x00, 0x02, 0x03, 0x09, 0x0a, 0x0b})
	f.Add([]byte{0x80, 0x10, 0x14, 0x17, 0x18, 0x11, 0x1a, 0x1b, 0x1c, 0x17, 0x18})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 || len(data) > 64 {
			return
		}
		three := data[0]&0x80 != 0
		var script []send
		var faults []fault
		for i, b := range data[1:] {
			at := time.Duration(i+1) * time.Millisecond
			txn := fmt.Sprintf("t%d", b>>4&3)
			key := fmt.Sprintf("k%d", 2*int(b>>6&1)) // k0 and k2 live on n1
			switch b & 0xf {
			case 0, 1:
				script = append(script, send{at, "n1", &Prepare{Txn: txn, Ops: []Op{write(0, key, txn), read(1, "k0")},
					Participants: []sim.NodeID{1, 2}}})
			case 2, 3:
				script = append(script, send{at, "n1", &Decision{Txn: txn, Commit: b&1 == 1}})
			case 4:
				script = append(script, send{at, "n1", &Inquire{Txn: txn}})
			case 5:
				script = append(script, send{at, "n1", &Uncertain{Txn: txn}})
			case 6:
				script = append(script, send{at, "n1", &PreCommit{Txn: txn}})
			case 7:
				faults = append(faults, crash(at, "n1"))
			case 8:
				faults = append(faults, restart(at, "n1"))
			case 9:
				script = append(script, send{at, "n1", &StateReq{Txn: txn, Round: int(b >> 6)}})
			case 10:
				script = append(script, send{at, "n1", &StateRep{Txn: txn, Round: 1, State: State(b >> 4 % 6)}})
			case 11:
				script = append(script, send{at, "n1", &PreAck{Txn: txn}})
			}
		}
		w, err := sim.New(sim.Config{Seed: 1, Link: sim.LinkConfig{Latency: sim.Constant(time.Millisecond / 2)}})
		if err != nil {
			t.Fatal(err)
		}
		cfg := DefaultConfig(0, []sim.NodeID{1, 2})
		cfg.ThreePhase = three
		var got []string
		w.MustAddNode("coord", func() sim.Node { return &probe{script: script, got: &got} })
		w.MustAddNode("n1", NewParticipant(cfg))
		w.MustAddNode("n2", NewParticipant(cfg))
		for _, fl := range faults {
			w.At(sim.Time(fl.at), func(w *sim.World) { fl.do(w, func(string) sim.NodeID { return 1 }) })
		}
		w.RunUntil(sim.Time(2 * time.Second))
		for _, id := range []sim.NodeID{1, 2} {
			if p, ok := w.Node(id).(*Participant); ok {
				if err := p.coherent(w.Storage(id)); err != nil {
					t.Fatalf("%s: %v", w.Name(id), err)
				}
			}
		}
	})
}

// coherent checks a participant's invariants against its storage.
func (p *Participant) coherent(st *sim.Storage) error {
	for key, id := range p.locks {
		t := p.txns[id]
		if t == nil || !p.undecided(t) {
			return fmt.Errorf("lock on %s held by %s, which is not in doubt", key, id)
		}
		uses := false
		for _, op := range t.ops {
			uses = uses || op.Key == key
		}
		if !uses {
			return fmt.Errorf("lock on %s held by %s, which does not use it", key, id)
		}
	}
	for id, t := range p.txns {
		_, prepared := st.Get(keyPrep + id)
		dec, decided := st.Get(keyDec + id)
		switch t.state {
		case Prepared, PreCommitted:
			for _, op := range t.ops {
				if p.locks[op.Key] != id {
					return fmt.Errorf("%s is in doubt but does not hold %s", id, op.Key)
				}
			}
			if !prepared || decided {
				return fmt.Errorf("%s is in doubt in memory but not in the log", id)
			}
		case Committed, Aborted:
			want := map[State]string{Committed: "c", Aborted: "a"}[t.state]
			if !decided || string(dec) != want || prepared {
				return fmt.Errorf("%s is %s in memory but the log says %q (prepared record: %v)", id, t.state, dec, prepared)
			}
		}
	}
	for _, key := range st.Keys(keyPrep) {
		id := strings.TrimPrefix(key, keyPrep)
		if t := p.txns[id]; t == nil || !p.undecided(t) {
			return fmt.Errorf("the log has %s prepared but memory does not", id)
		}
	}
	return nil
}
