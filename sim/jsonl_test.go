package sim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"
)

// FuzzJSONStringMatchesEncodingJSON: the trace's hand-written string
// escaping is byte for byte encoding/json's, whatever the string.
func FuzzJSONStringMatchesEncodingJSON(f *testing.F) {
	for _, s := range []string{"", "plain", `q"uo\te`, "tab\tnl\ncr\r", "\x00\x1f\x7f", "<a & b>", "é, ü, 世界",
		"\u2028\u2029", "bad \xff utf8 \xc3", "emoji 🐹"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendJSONString(nil, s); !bytes.Equal(got, want) {
			t.Fatalf("appendJSONString(%q) = %s, want %s", s, got, want)
		}
	})
}

// TestEncoderMatchesEncodingJSON: an encoder's lines are encoding/json's,
// through what it keeps from line to line — sequence numbers counted up
// across 9, 99 and 999 and jumping, times repeated and not, node fields
// made once, messages described once — and through names and messages
// that need escaping.
func TestEncoderMatchesEncodingJSON(t *testing.T) {
	w, err := New(Config{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	a := w.MustAddNode(`a"<b>`, func() Node { return nil })
	b := w.MustAddNode("n2", func() Node { return nil })
	type msg struct{ Text string }
	shared := &msg{"x & y"}
	type line struct {
		Seq    uint64 `json:"seq"`
		T      Time   `json:"t"`
		Kind   string `json:"kind"`
		Node   string `json:"node,omitempty"`
		Peer   string `json:"peer,omitempty"`
		Op     OpID   `json:"op,omitempty"`
		Msg    string `json:"msg,omitempty"`
		Reason string `json:"reason,omitempty"`
		Text   string `json:"text,omitempty"`
	}
	name := func(id NodeID) string {
		if id == None {
			return ""
		}
		return w.nodes[id].name
	}
	enc := newEncoder(w)
	var seqs []uint64
	for s := uint64(0); s < 1002; s++ {
		seqs = append(seqs, s)
	}
	seqs = append(seqs, 5000, 5001, 9999, 10000, 42, 43)
	for i, seq := range seqs {
		e := Event{Seq: seq, Time: Time(i / 3 * 1000), Kind: Kind(i % int(kindCount)), Node: []NodeID{a, b, None}[i%3],
			Peer: []NodeID{None, a, b}[i%3], Msg: []any{nil, shared, "plain", &msg{fmt.Sprint(i)}}[i%4],
			Op: OpID(i % 5), Reason: DropReason(i % len(dropNames)), Text: []string{"", "t\n"}[i%2]}
		want := line{Seq: e.Seq, T: e.Time, Kind: e.Kind.String(), Node: name(e.Node), Peer: name(e.Peer), Op: e.Op,
			Text: e.Description()}
		if e.Kind != KindRecord {
			want.Msg = Describe(e.Msg)
		}
		if e.Reason != DropNone {
			want.Reason = e.Reason.String()
		}
		js, err := json.Marshal(want)
		if err != nil {
			t.Fatal(err)
		}
		if got := enc.append(nil, &e); string(got) != string(js)+"\n" {
			t.Fatalf("event %d:\n got %s\nwant %s", i, got, js)
		}
	}
}
