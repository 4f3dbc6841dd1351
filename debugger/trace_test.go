package debugger

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/scenarios"
	"github.com/dsimlab/dsim/sim"
)

// writeTrace runs a scenario's seed as `dsim run --trace` does, streaming
// its trace to a file, and returns the file and the run's outcome (whose
// world kept the trace too, to compare with).
func writeTrace(t testing.TB, name string, seed uint64) (string, *scenarios.Outcome) {
	t.Helper()
	r := load(t, name, seed)
	file := filepath.Join(t.TempDir(), "trace.jsonl")
	f, err := os.Create(file)
	require.NoError(t, err)
	o, err := scenarios.Run(r.Scenario, seed, scenarios.RunOptions{Trace: true, TraceTo: f})
	require.NoError(t, err)
	require.NoError(t, f.Close())
	return file, o
}

// readTrace reads a trace file with a limit.
func readTrace(t testing.TB, file string, limit int) *Trace {
	t.Helper()
	f, err := os.Open(file)
	require.NoError(t, err)
	defer f.Close()
	tr, err := ReadTrace(f, file, limit)
	require.NoError(t, err)
	return tr
}

// TestReadTraceGivesTheRunsRecords reads back the traces of real runs
// (crashes, restarts, pauses, partitions, loss, duplicates, operations):
// every record as the run recorded it, the nodes in the run's order, and
// the faults on the scrubber.
func TestReadTraceGivesTheRunsRecords(t *testing.T) {
	for _, name := range []string{"echo-faults", "detector-pauses", zooTwoPC, zooPaxos, "raft-partition"} {
		t.Run(name, func(t *testing.T) {
			file, o := writeTrace(t, name, 1)
			tr := readTrace(t, file, 0)
			w := o.World
			require.Len(t, tr.Events, len(w.Trace()))
			assert.False(t, tr.More)
			for _, id := range w.Nodes() {
				assert.Equal(t, w.Name(id), tr.Names[id], "nodes appear in the order they were added")
			}
			faults := 0
			for i, want := range w.Trace() {
				got := tr.Events[i]
				require.Equal(t, describeRecord(w, &want), describeRecord(tr, &got), "record %d", i)
				require.Equal(t, want.Op, got.Op, "record %d", i)
				if want.Kind.IsFault() {
					faults++
				}
			}
			info := tr.Info()
			assert.Equal(t, uint64(len(tr.Events)), info.Total)
			assert.Len(t, info.Faults, faults)
			assert.Equal(t, tr.Names, info.Nodes)
			assert.Equal(t, &TraceInfo{File: file, Records: len(tr.Events), Limit: DefaultTraceLimit}, info.Trace)
		})
	}
}

// TestTraceStateIsTheRunsState compares the trace's state after k records
// with the run's own at the same point: the same nodes up, down or paused,
// the same facts and last events, the same messages in flight (paired from
// the trace as the diagram pairs them), and the same diagram but for the
// label of the position. Only what a trace cannot hold differs: no timers,
// no node's own description of its state, no checks.
func TestTraceStateIsTheRunsState(t *testing.T) {
	for _, tc := range []struct {
		name   string
		events []uint64
	}{
		{"echo-faults", []uint64{1, 40, 300, 900}},
		{"detector-pauses", []uint64{50, 500, 2000}},
		{zooTwoPC, []uint64{10, 60, 200}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			file, _ := writeTrace(t, tc.name, 1)
			tr := readTrace(t, file, 0)
			r := load(t, tc.name, 1)
			for _, k := range tc.events {
				p, err := r.At(k)
				require.NoError(t, err)
				live, err := p.State()
				require.NoError(t, err)
				got, err := tr.State(p.World.Traced())
				require.NoError(t, err)
				assert.Equal(t, p.World.Traced(), got.Events)
				assert.Equal(t, live.Time, got.Time)
				assert.Equal(t, live.Current[len(live.Current)-1], got.Current[0], "the last record")
				assert.Empty(t, got.Checks)
				label := fmt.Sprintf("event %d", k)
				want, arrows := shapes(strings.ReplaceAll(live.Diagram, label, fmt.Sprintf("record %d", got.Events)))
				gotShapes, gotArrows := shapes(got.Diagram)
				assert.Equal(t, want, gotShapes, "the diagram but for arrows")
				assert.Equal(t, arrows, gotArrows, "arrows by kind")
				require.Len(t, got.Nodes, len(live.Nodes))
				for i, n := range got.Nodes {
					want := live.Nodes[i]
					assert.Equal(t, want.Name, n.Name)
					assert.Equal(t, want.Status, n.Status, "%s after %d events", n.Name, k)
					assert.Equal(t, want.Recent, n.Recent, n.Name)
					assert.Equal(t, facts(p.World.Trace(), sim.NodeID(i)), n.Facts, n.Name)
					assert.Nil(t, n.Timers)
					assert.Equal(t, inbound(want.Inbound), inbound(n.Inbound), "messages in flight to %s after %d events", n.Name, k)
				}
			}
		})
	}
}

// shapes splits a diagram into its lines that are not message arrows, and
// the number of arrows of each class. A run pairs a delivery with its send
// exactly (a message held by pointer is itself); its trace gives only the
// message's text, so equal messages on one link are paired in the order
// they were sent, and their arrows may cross differently.
func shapes(svg string) ([]string, map[string]int) {
	var other []string
	arrows := map[string]int{}
	for _, l := range strings.Split(svg, "\n") {
		if class, ok := strings.CutPrefix(l, `<line class="msg`); ok {
			arrows[class[:strings.Index(class, `"`)]]++
			continue
		}
		other = append(other, l)
	}
	return other, arrows
}

// inbound lists messages in flight as sender and text, sorted: what a run
// and its trace agree on (a trace knows when a message was sent, a run
// when it is due).
func inbound(msgs []PendingView) []string {
	out := []string{}
	for _, m := range msgs {
		out = append(out, m.From+": "+m.What)
	}
	slices.Sort(out)
	return out
}

// TestTraceStateMarksFaults steps to a crash, a pause and a partition in
// echo-faults' trace: the node is down or paused just after its record,
// the record is the position's, and messages in flight are listed.
func TestTraceStateMarksFaults(t *testing.T) {
	file, _ := writeTrace(t, "echo-faults", 1)
	tr := readTrace(t, file, 0)
	seen := map[sim.Kind]bool{}
	for i := range tr.Events {
		e := &tr.Events[i]
		if seen[e.Kind] || e.Kind != sim.KindCrash && e.Kind != sim.KindPause && e.Kind != sim.KindPartition {
			continue
		}
		seen[e.Kind] = true
		st, err := tr.State(e.Seq + 1)
		require.NoError(t, err)
		assert.Contains(t, st.Current[0], " "+e.Kind.String())
		assert.Contains(t, st.Diagram, `class="rule now"`)
		want := map[sim.Kind]string{sim.KindCrash: "down", sim.KindPause: "paused"}[e.Kind]
		if want != "" {
			assert.Equal(t, want, st.Nodes[e.Node].Status, "after %s", st.Current[0])
			before, err := tr.State(e.Seq)
			require.NoError(t, err)
			assert.Equal(t, "up", before.Nodes[e.Node].Status, "before %s", st.Current[0])
		}
	}
	assert.Len(t, seen, 3, "echo-faults crashes, pauses and partitions")
	start, err := tr.State(0)
	require.NoError(t, err)
	assert.Empty(t, start.Current)
	assert.Equal(t, "down", start.Nodes[0].Status, "nothing has started")
	end, err := tr.State(1 << 40)
	require.NoError(t, err)
	assert.Equal(t, uint64(len(tr.Events)), end.Events, "a position past the end is the end")
	assert.True(t, end.End)
}

// TestReadTraceLimit reads the first records of a long trace: it says the
// file goes on, and its last position is not the run's end.
func TestReadTraceLimit(t *testing.T) {
	file, o := writeTrace(t, "echo-faults", 1)
	all := len(o.World.Trace())
	for _, tc := range []struct {
		limit int
		more  bool
	}{{10, true}, {all - 1, true}, {all, false}, {all + 1, false}} {
		t.Run(fmt.Sprint(tc.limit), func(t *testing.T) {
			tr := readTrace(t, file, tc.limit)
			assert.Len(t, tr.Events, min(tc.limit, all))
			assert.Equal(t, tc.more, tr.More)
			assert.Equal(t, tc.more, tr.Info().Trace.More)
			st, err := tr.State(uint64(tc.limit))
			require.NoError(t, err)
			assert.Equal(t, !tc.more, st.End)
		})
	}
}

// TestReadTraceErrors checks that a file that is not a trace is an error
// naming the file and the line, and what is wrong there.
func TestReadTraceErrors(t *testing.T) {
	const (
		start = `{"seq":0,"t":0,"kind":"start","node":"a"}` + "\n"
		send  = `{"seq":1,"t":5,"kind":"send","node":"a","peer":"b","msg":"hi"}` + "\n"
	)
	for _, tc := range []struct {
		name, text, want string
	}{
		{"empty", "", "t.jsonl: not a dsim trace: it holds no record"},
		{"not JSON", start + "{seq:1}\n", "t.jsonl:2: not a dsim trace: invalid character 's'"},
		{"not an object", "[1,2]\n", "t.jsonl:1: not a dsim trace: json: cannot unmarshal array"},
		{"a blank line", start + "\n" + send, "t.jsonl:2: not a dsim trace: unexpected end of JSON input"},
		{"an unknown kind", start + `{"seq":1,"t":5,"kind":"teleport","node":"a"}` + "\n",
			`t.jsonl:2: not a dsim trace: unknown kind "teleport" (a trace's kinds are send, deliver, drop, duplicate, ` +
				`timer, crash, restart, start, pause, resume, cut, heal, link, clock, invoke, return, record, stop, partition)`},
		{"an unknown reason", start + `{"seq":1,"t":5,"kind":"drop","node":"a","peer":"b","reason":"gremlins"}` + "\n",
			`t.jsonl:2: not a dsim trace: unknown drop reason "gremlins"`},
		{"no seq", start + `{"t":5,"kind":"crash","node":"a"}` + "\n", "t.jsonl:2: not a dsim trace: the record has no seq"},
		{"seq out of order", start + strings.Replace(send, `"seq":1`, `"seq":2`, 1),
			"t.jsonl:2: not a dsim trace: seq 2 where 1 was due"},
		{"seq not from 0", send, "t.jsonl:1: not a dsim trace: seq 1 where 0 was due"},
		{"time going back", start + send + `{"seq":2,"t":4,"kind":"crash","node":"a"}` + "\n",
			"t.jsonl:3: not a dsim trace: t 4 comes before the last record's"},
		{"a send to nobody", start + `{"seq":1,"t":5,"kind":"send","node":"a","msg":"hi"}` + "\n",
			"t.jsonl:2: not a dsim trace: a send record names its node and its peer"},
		{"a crash of nobody", start + `{"seq":1,"t":5,"kind":"crash"}` + "\n", "t.jsonl:2: not a dsim trace: a crash record names its node"},
		{"a last line cut short", start + `{"seq":1,"t":5,"ki`, "t.jsonl:2: not a dsim trace: unexpected end of JSON input " +
			"(it is the file's last line: was the run cut short while writing it?)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadTrace(strings.NewReader(tc.text), "t.jsonl", 0)
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrBadTrace)
			assert.True(t, strings.HasPrefix(err.Error(), tc.want), "%v\ndoes not start with\n%s", err, tc.want)
			if !strings.Contains(tc.want, "cut short") {
				assert.NotContains(t, err.Error(), "cut short", "only a last line whose JSON ends too soon may be cut short")
			}
		})
	}
	tr, err := ReadTrace(strings.NewReader(start+strings.TrimSuffix(send, "\n")), "t.jsonl", 0)
	require.NoError(t, err, "a last line without its newline is whole")
	assert.Equal(t, []string{"a", "b"}, tr.Names)
	assert.Equal(t, "hi", sim.Describe(tr.Events[1].Msg))
}

// TestReadTraceOrdersNodes checks that nodes are numbered in the order
// they start, which is the order the run added them, though another may
// name one first (a server greets its balancer before the balancer
// starts); a node that never starts comes last.
func TestReadTraceOrdersNodes(t *testing.T) {
	trace := `{"seq":0,"t":0,"kind":"start","node":"s1"}
{"seq":1,"t":0,"kind":"send","node":"s1","peer":"lb","msg":"hello"}
{"seq":2,"t":0,"kind":"send","node":"s1","peer":"ghost","msg":"boo"}
{"seq":3,"t":0,"kind":"start","node":"lb"}
{"seq":4,"t":1,"kind":"deliver","node":"lb","peer":"s1","msg":"hello"}
`
	tr, err := ReadTrace(strings.NewReader(trace), "t.jsonl", 0)
	require.NoError(t, err)
	assert.Equal(t, []string{"s1", "lb", "ghost"}, tr.Names)
	assert.Equal(t, "#4 1ns deliver lb <- s1: hello", describeRecord(tr, &tr.Events[4]))
	assert.Equal(t, "#2 0s send s1 -> ghost: boo", describeRecord(tr, &tr.Events[2]))
}

// BenchmarkTraceState measures a step deep into a long trace: the state
// at the end of lb-load-95's, 171,035 records (reported as records/op).
// The step reads the whole prefix (node states, pairing sends with their
// fates), so it grows with the position.
func BenchmarkTraceState(b *testing.B) {
	var buf bytes.Buffer
	s := load(b, "lb-load-95", 1).Scenario
	_, err := scenarios.Run(s, 1, scenarios.RunOptions{TraceTo: &buf})
	require.NoError(b, err)
	tr, err := ReadTrace(&buf, "lb-load-95.jsonl", 0)
	require.NoError(b, err)
	k := uint64(len(tr.Events))
	for b.Loop() {
		if _, err := tr.State(k); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(k), "records/op")
}

// BenchmarkReadTrace measures reading a trace file: lb-load-95's.
func BenchmarkReadTrace(b *testing.B) {
	var buf bytes.Buffer
	s := load(b, "lb-load-95", 1).Scenario
	_, err := scenarios.Run(s, 1, scenarios.RunOptions{TraceTo: &buf})
	require.NoError(b, err)
	b.SetBytes(int64(buf.Len()))
	for b.Loop() {
		if _, err := ReadTrace(bytes.NewReader(buf.Bytes()), "lb-load-95.jsonl", 0); err != nil {
			b.Fatal(err)
		}
	}
}
