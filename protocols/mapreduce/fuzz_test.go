package mapreduce

import (
	"encoding/binary"
	"testing"
	"time"

	"github.com/dsimlab/dsim/sim"
)

// FuzzMessages forges messages between the nodes of a running cluster
// (any sender, any receiver, any field values) and checks that no handler
// panics. Each 16-byte chunk of the input is one message:
//
//	go test ./protocols/mapreduce -run XXX -fuzz FuzzMessages -fuzztime 1m
func FuzzMessages(f *testing.F) {
	f.Add([]byte("0123456789abcdef0123456789abcdef"))
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 255, 254, 253, 252, 251, 250, 249, 248, 247, 246, 245, 244, 243, 242, 241, 240})
	f.Add(make([]byte, 64))
	f.Fuzz(func(t *testing.T, data []byte) {
		w, err := sim.New(sim.Config{Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		cfg := DefaultConfig()
		cfg.Corpus.Splits, cfg.Reduces, cfg.Workers = 6, 3, 3
		cl, err := Build(w, cfg)
		if err != nil {
			t.Fatal(err)
		}
		nodes := w.Nodes()
		for i := 0; i+16 <= len(data) && i < 16*64; i += 16 {
			c := data[i : i+16]
			from, to := nodes[int(c[0])%len(nodes)], nodes[int(c[1])%len(nodes)]
			msg := forge(c[2], int(int8(c[3])), AttemptID(binary.LittleEndian.Uint64(c[4:12])), int32(binary.LittleEndian.Uint32(c[12:16])))
			when := sim.Time(time.Duration(c[3]) * 10 * time.Millisecond)
			w.At(when, func(w *sim.World) { w.Context(from).Send(to, msg) })
		}
		w.RunUntil(sim.Time(20 * time.Second))
		cl.Check(nil)
	})
}

// forge builds a message of kind k from fuzz values.
func forge(k byte, n int, id AttemptID, x int32) any {
	loc := location{Worker: sim.NodeID(x % 8), Attempt: id}
	h := coordHeader{Epoch: uint32(n & 3), Resumed: n&4 != 0}
	switch k % 11 {
	case 0:
		return heartbeat{Inc: uint64(n & 3), Seq: uint64(x), Running: []AttemptID{id}, Held: []AttemptID{id + 1},
			Reports: []report{{ID: id, Kind: TaskKind(n & 3), Task: n}}, Waiting: []waitReq{{ID: id, Maps: []int{n, int(x)}}}}
	case 1:
		return heartbeatReply{coordHeader: h, Seq: uint64(x), Inc: uint64(n & 3), Kill: []AttemptID{id}, Ack: []AttemptID{id},
			Locs: []locUpdate{{Reduce: id, Map: n, Loc: loc}}}
	case 2:
		return assign{coordHeader: h, ID: id, Kind: TaskKind(n & 3), Task: int(x % 16), Locs: []location{loc, {}}}
	case 3:
		return locPush{coordHeader: h, Locs: []locUpdate{{Reduce: id, Map: int(x), Loc: loc}}}
	case 4:
		return done{Inc: uint64(n & 3), R: report{ID: id, Kind: TaskKind(n & 3), Task: int(x)}}
	case 5:
		return fetch{Reduce: id, Map: n, MapAttempt: id, Part: int(x)}
	case 6:
		return fetchReply{Reduce: id, Map: n, MapAttempt: id, Status: fetchStatus(x & 3), KVs: []KeyValue{{"k", "v"}}, Bytes: int(x)}
	case 7:
		return fsRequest{Op: fsOp(n & 7), Tag: fsTag{Attempt: id, Step: int(x)}, Path: InputName(n), To: OutputName(int(x & 7)), Data: []byte("ba\t1\n")}
	case 8:
		return fsReply{Tag: fsTag{Attempt: id, Step: n}, OK: x&1 == 0, Data: []byte("d0.0\tba be\n")}
	case 9:
		return nicTick{}
	default:
		return "garbage"
	}
}
