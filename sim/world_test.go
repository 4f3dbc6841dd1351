package sim_test

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/stat"

	"github.com/dsimlab/dsim/protocols/echo"
	"github.com/dsimlab/dsim/sim"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata")

// echoRun runs the echo demo under loss, duplication, reordering, a
// partition, a crash and a pause, and returns its world. It is the
// non-trivial workload of the determinism tests.
func echoRun(t testing.TB, seed uint64, trace bool) *sim.World {
	w, err := sim.New(sim.Config{Seed: seed, Trace: trace, Link: sim.LinkConfig{
		Latency: sim.LogNormal(2*time.Millisecond, 0.8), Drop: 0.05, Duplicate: 0.05}})
	require.NoError(t, err)
	srv := w.MustAddNode("server", echo.NewServer)
	var clients []sim.NodeID
	for i := 1; i <= 3; i++ {
		clients = append(clients, w.MustAddNode(fmt.Sprintf("c%d", i),
			echo.NewClient(srv, echo.ClientConfig{Pings: 200, Interval: time.Millisecond})))
	}
	w.At(sim.Time(50*time.Millisecond), func(w *sim.World) { w.Partition([]sim.NodeID{srv, clients[0]}) })
	w.At(sim.Time(80*time.Millisecond), func(w *sim.World) { w.Heal() })
	w.At(sim.Time(100*time.Millisecond), func(w *sim.World) { w.Crash(srv) })
	w.At(sim.Time(120*time.Millisecond), func(w *sim.World) { w.Restart(srv) })
	w.At(sim.Time(130*time.Millisecond), func(w *sim.World) { w.Pause(clients[1]) })
	w.At(sim.Time(150*time.Millisecond), func(w *sim.World) { w.Resume(clients[1]) })
	w.At(sim.Time(10*time.Millisecond), func(w *sim.World) {
		require.NoError(t, w.SetClock(clients[2], 3*time.Millisecond, 0.01))
	})
	w.Run()
	return w
}

func TestDeterminismRepeatedRuns(t *testing.T) {
	want := echoRun(t, 7, false).Fingerprint()
	for i := 0; i < 3; i++ {
		assert.Equal(t, want, echoRun(t, 7, false).Fingerprint(), "run %d", i)
	}
	// Recording the trace must not change the run.
	assert.Equal(t, want, echoRun(t, 7, true).Fingerprint(), "with trace recording")
}

func TestDeterminismConcurrentRunsAndGOMAXPROCS(t *testing.T) {
	want := echoRun(t, 11, false).Fingerprint()
	for _, procs := range []int{1, 8} {
		prev := runtime.GOMAXPROCS(procs)
		got := make([]uint64, 8)
		var wg sync.WaitGroup
		for i := range got {
			wg.Add(1)
			go func() {
				defer wg.Done()
				got[i] = echoRun(t, 11, false).Fingerprint()
			}()
		}
		wg.Wait()
		runtime.GOMAXPROCS(prev)
		for i, fp := range got {
			assert.Equal(t, want, fp, "GOMAXPROCS=%d, goroutine %d", procs, i)
		}
	}
}

func TestDifferentSeedsDiffer(t *testing.T) {
	seen := map[uint64]uint64{}
	for seed := uint64(1); seed <= 20; seed++ {
		w := echoRun(t, seed, false)
		fp := w.Fingerprint()
		if prev, dup := seen[fp]; dup {
			t.Fatalf("seeds %d and %d have the same fingerprint %#x", prev, seed, fp)
		}
		seen[fp] = seed
		require.Greater(t, w.Events(), uint64(1000), "the workload is not trivial")
	}
}

// TestGoldenFingerprints pins the fingerprints of a few seeds, so a change
// that alters runs (a different draw order, a new event) is noticed. Rewrite
// with `go test ./sim -run Golden -update` when the change is deliberate.
func TestGoldenFingerprints(t *testing.T) {
	var b strings.Builder
	for _, seed := range []uint64{1, 2, 3} {
		w := echoRun(t, seed, false)
		fmt.Fprintf(&b, "seed %d: fingerprint %016x events %d end %v %s\n", seed, w.Fingerprint(), w.Events(), w.Now(), echo.Check(w.History()))
	}
	golden(t, "fingerprints.golden", []byte(b.String()))
}

// TestTraceJSONLGolden pins the JSON Lines form of a short traced run.
func TestTraceJSONLGolden(t *testing.T) {
	w, err := sim.New(sim.Config{Seed: 3, Trace: true, Link: sim.LinkConfig{Latency: sim.Uniform(time.Millisecond, 3*time.Millisecond), Drop: 0.2, Duplicate: 0.2}})
	require.NoError(t, err)
	srv := w.MustAddNode("server", echo.NewServer)
	w.MustAddNode("c1", echo.NewClient(srv, echo.ClientConfig{Pings: 4, Interval: time.Millisecond}))
	w.At(sim.Time(2*time.Millisecond), func(w *sim.World) { w.Crash(srv) })
	w.At(sim.Time(3*time.Millisecond), func(w *sim.World) { w.Restart(srv) })
	w.Run()
	var buf bytes.Buffer
	require.NoError(t, w.WriteTraceJSONL(&buf))
	require.Len(t, w.Trace(), strings.Count(buf.String(), "\n"))
	golden(t, "echo-trace.jsonl", buf.Bytes())
}

// TestStreamedTraceIsTheRecordedTrace: streaming the trace as the run goes
// writes the same file as recording it and writing it at the end, and a
// trace limit keeps only the first events while Traced counts them all.
func TestStreamedTraceIsTheRecordedTrace(t *testing.T) {
	build := func(cfg sim.Config) *sim.World {
		cfg.Seed, cfg.Link = 3, sim.LinkConfig{Latency: sim.Uniform(time.Millisecond, 3*time.Millisecond), Drop: 0.2, Duplicate: 0.2}
		w, err := sim.New(cfg)
		require.NoError(t, err)
		srv := w.MustAddNode("server", echo.NewServer)
		w.MustAddNode("c1", echo.NewClient(srv, echo.ClientConfig{Pings: 40, Interval: time.Millisecond}))
		return w
	}
	recorded := build(sim.Config{Trace: true})
	recorded.Run()
	var want bytes.Buffer
	require.NoError(t, recorded.WriteTraceJSONL(&want))

	streamed := build(sim.Config{})
	var got bytes.Buffer
	flush := streamed.StreamTraceJSONL(&got)
	streamed.Run()
	require.NoError(t, flush())
	assert.Equal(t, want.String(), got.String())
	assert.Equal(t, recorded.Fingerprint(), streamed.Fingerprint())
	assert.Empty(t, streamed.Trace(), "streaming keeps nothing in memory")

	limited := build(sim.Config{Trace: true, TraceLimit: 10})
	limited.Run()
	assert.Len(t, limited.Trace(), 10)
	assert.Equal(t, recorded.Trace()[:10], limited.Trace())
	assert.Equal(t, uint64(len(recorded.Trace())), limited.Traced())
	assert.Equal(t, recorded.Fingerprint(), limited.Fingerprint())

	failing := build(sim.Config{})
	flush = failing.StreamTraceJSONL(errWriter{})
	failing.Run()
	assert.ErrorContains(t, flush(), "disk full")
}

// errWriter fails every write, like a full disk.
type errWriter struct{}

func (errWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.MkdirAll("testdata", 0o755))
		require.NoError(t, os.WriteFile(path, got, 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "golden file missing: run with -update")
	assert.Equal(t, string(want), string(got), "golden file %s differs; rerun with -update if the change is deliberate", path)
}

// sink records deliveries to it; source sends count messages to the sink at
// start, each carrying its send time.
type stamp struct{ sent sim.Time }

type source struct {
	to    sim.NodeID
	count int
}

func (s *source) Start(ctx *sim.Context) {
	for i := 0; i < s.count; i++ {
		ctx.Send(s.to, &stamp{sent: ctx.Now()})
	}
}
func (s *source) Receive(*sim.Context, sim.NodeID, any) {}
func (s *source) Timer(*sim.Context, any)               {}

type sink struct{ latencies *[]float64 }

func (s *sink) Start(*sim.Context) {}
func (s *sink) Receive(ctx *sim.Context, _ sim.NodeID, msg any) {
	*s.latencies = append(*s.latencies, float64(ctx.Now()-msg.(*stamp).sent))
}
func (s *sink) Timer(*sim.Context, any) {}

func TestNetworkStatistics(t *testing.T) {
	const n = 100_000
	ms := time.Millisecond
	tests := []struct {
		name    string
		latency sim.Latency
	}{
		{"constant", sim.Constant(5 * ms)},
		{"uniform", sim.Uniform(ms, 9*ms)},
		{"exponential", sim.Exponential(ms, 4*ms)},
		{"normal", sim.Normal(20*ms, 3*ms)},
		{"lognormal", sim.LogNormal(3*ms, 0.5)},
		{"pareto", sim.Pareto(ms, 4)}, // alpha > 2: finite variance, so the mean's standard error exists
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			const drop, dup = 0.1, 0.05
			var sends, drops, dups int
			w, err := sim.New(sim.Config{Seed: 5, Link: sim.LinkConfig{Latency: tt.latency, Drop: drop, Duplicate: dup},
				OnEvent: func(e *sim.Event) {
					switch e.Kind {
					case sim.KindSend:
						sends++
					case sim.KindDrop:
						drops++
					case sim.KindDuplicate:
						dups++
					}
				}})
			require.NoError(t, err)
			var lat []float64
			dst := w.MustAddNode("sink", func() sim.Node { return &sink{latencies: &lat} })
			w.MustAddNode("source", func() sim.Node { return &source{to: dst, count: n} })
			w.Run()

			require.Equal(t, n, sends)
			within4Sigma(t, "drop rate", float64(drops)/n, drop, n)
			within4Sigma(t, "duplicate rate", float64(dups)/float64(n-drops), dup, n-drops)
			require.Equal(t, n-drops+dups, len(lat), "every message not dropped arrives, duplicates twice")

			mean, sd := stat.MeanStdDev(lat, nil)
			want := float64(tt.latency.MeanDuration())
			se := sd / math.Sqrt(float64(len(lat)))
			if tt.latency.Kind == sim.LatencyConstant {
				assert.Equal(t, want, mean)
				return
			}
			assert.InDelta(t, want, mean, 4*se+1, "mean latency %v, want %v (standard error %v)",
				time.Duration(mean), time.Duration(want), time.Duration(se))
		})
	}
}

func within4Sigma(t *testing.T, what string, got, p float64, n int) {
	t.Helper()
	sigma := math.Sqrt(p * (1 - p) / float64(n))
	assert.InDelta(t, p, got, 4*sigma, "%s %.5f, configured %.5f (sigma %.5f)", what, got, p, sigma)
}

// prober sends one message to every node at each tick it is told to and logs
// deliveries as "from->to".
type prober struct{ log *[]string }

func (p *prober) Start(*sim.Context) {}
func (p *prober) Receive(ctx *sim.Context, from sim.NodeID, msg any) {
	*p.log = append(*p.log, ctx.NodeName(from)+"->"+ctx.Name())
}
func (p *prober) Timer(*sim.Context, any) {}

// allToAll makes every node send one message to every other and returns
// which links delivered, sorted.
func allToAll(w *sim.World, log *[]string) []string {
	*log = (*log)[:0]
	for _, a := range w.Nodes() {
		for _, b := range w.Nodes() {
			if a != b {
				w.Context(a).Send(b, "probe")
			}
		}
	}
	w.RunUntil(w.Now().Add(time.Second))
	out := append([]string(nil), *log...)
	slicesSort(out)
	return out
}

func slicesSort(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

func TestPartitionsCutsAndHeal(t *testing.T) {
	w, err := sim.New(sim.Config{Seed: 1})
	require.NoError(t, err)
	var log []string
	for _, name := range []string{"a", "b", "c"} {
		w.MustAddNode(name, func() sim.Node { return &prober{log: &log} })
	}
	w.RunUntil(0)
	all := []string{"a->b", "a->c", "b->a", "b->c", "c->a", "c->b"}
	assert.Equal(t, all, allToAll(w, &log))

	w.Partition([]sim.NodeID{0}, []sim.NodeID{1, 2})
	assert.Equal(t, []string{"b->c", "c->b"}, allToAll(w, &log), "a is cut off both ways")

	w.Partition([]sim.NodeID{0, 1}) // c, named in no group, is alone
	assert.Equal(t, []string{"a->b", "b->a"}, allToAll(w, &log), "a new partition replaces the old one")

	w.Heal()
	assert.Equal(t, all, allToAll(w, &log))

	w.Cut(0, 1)
	assert.Equal(t, []string{"a->c", "b->a", "b->c", "c->a", "c->b"}, allToAll(w, &log), "one-way cut blocks a->b only")
	w.HealLink(0, 1)
	assert.Equal(t, all, allToAll(w, &log))
}

func TestInFlightMessageDroppedByNewCut(t *testing.T) {
	var reasons []sim.DropReason
	w, err := sim.New(sim.Config{Seed: 1, Link: sim.LinkConfig{Latency: sim.Constant(10 * time.Millisecond)},
		OnEvent: func(e *sim.Event) {
			if e.Kind == sim.KindDrop {
				reasons = append(reasons, e.Reason)
			}
		}})
	require.NoError(t, err)
	var log []string
	a := w.MustAddNode("a", func() sim.Node { return &prober{log: &log} })
	b := w.MustAddNode("b", func() sim.Node { return &prober{log: &log} })
	w.RunUntil(0)
	w.Context(a).Send(b, "in flight")
	w.At(sim.Time(5*time.Millisecond), func(w *sim.World) { w.Cut(a, b) })
	w.At(sim.Time(6*time.Millisecond), func(w *sim.World) { w.Context(a).Send(b, "sent into the cut") })
	w.At(sim.Time(7*time.Millisecond), func(w *sim.World) { w.Context(b).Send(a, "other direction") })
	w.Run()
	assert.Equal(t, []string{"b->a"}, log)
	assert.Equal(t, []sim.DropReason{sim.DropPartition, sim.DropCutInFlight}, reasons)
}

// keeper has volatile state, writes to storage and sets a timer; it reports
// what it saw at each start through a log that outlives it.
type keeper struct {
	log      *[]string
	volatile int
}

func (k *keeper) Start(ctx *sim.Context) {
	synced, _ := ctx.Storage().Get("synced")
	unsynced, ok := ctx.Storage().Get("unsynced")
	*k.log = append(*k.log, fmt.Sprintf("start volatile=%d synced=%s unsynced=%s/%v", k.volatile, synced, unsynced, ok))
	k.volatile = 42
	if len(synced) == 0 {
		ctx.Storage().Put("synced", []byte("yes"))
		ctx.Storage().Sync()
		ctx.Storage().Put("unsynced", []byte("lost"))
		ctx.SetTimer(10*time.Millisecond, "boom")
	}
}
func (k *keeper) Receive(*sim.Context, sim.NodeID, any) {}
func (k *keeper) Timer(ctx *sim.Context, tag any) {
	*k.log = append(*k.log, fmt.Sprintf("timer %v at %v", tag, ctx.Now()))
}

func TestCrashLosesVolatileStateUnsyncedWritesAndTimers(t *testing.T) {
	w, err := sim.New(sim.Config{Seed: 1})
	require.NoError(t, err)
	var log []string
	id := w.MustAddNode("k", func() sim.Node { return &keeper{log: &log} })
	w.At(sim.Time(5*time.Millisecond), func(w *sim.World) { w.Crash(id) })
	w.At(sim.Time(6*time.Millisecond), func(w *sim.World) { w.Restart(id) })
	w.Run()
	assert.Equal(t, []string{
		"start volatile=0 synced= unsynced=/false",
		"start volatile=0 synced=yes unsynced=/false",
	}, log, "the timer set before the crash never fires; the restarted node is fresh")
	assert.True(t, w.Up(id))
	assert.Equal(t, 42, w.Node(id).(*keeper).volatile)
}

func TestTimerFiresWithoutCrashAndCancel(t *testing.T) {
	w, err := sim.New(sim.Config{Seed: 1})
	require.NoError(t, err)
	var log []string
	w.MustAddNode("k", func() sim.Node { return &keeper{log: &log} })
	w.Run()
	assert.Equal(t, []string{"start volatile=0 synced= unsynced=/false", "timer boom at 10ms"}, log)

	var fired []any
	w2, err := sim.New(sim.Config{Seed: 1})
	require.NoError(t, err)
	id := w2.MustAddNode("t", func() sim.Node { return &timerNode{fired: &fired} })
	w2.RunUntil(0)
	ctx := w2.Context(id)
	t1 := ctx.SetTimer(time.Millisecond, "kept")
	t2 := ctx.SetTimer(time.Millisecond, "cancelled")
	ctx.CancelTimer(t2)
	w2.Run()
	ctx.CancelTimer(t1) // already fired: no effect on a reused slot
	ctx.SetTimer(time.Millisecond, "later")
	w2.Run()
	assert.Equal(t, []any{"kept", "later"}, fired)
}

type timerNode struct{ fired *[]any }

func (n *timerNode) Start(*sim.Context)                    {}
func (n *timerNode) Receive(*sim.Context, sim.NodeID, any) {}
func (n *timerNode) Timer(_ *sim.Context, tag any)         { *n.fired = append(*n.fired, tag) }

func TestPauseHoldsEventsAndResumeDeliversThemInOrder(t *testing.T) {
	w, err := sim.New(sim.Config{Seed: 1, Link: sim.LinkConfig{Latency: sim.Constant(time.Millisecond)}})
	require.NoError(t, err)
	var log []string
	var at []sim.Time
	a := w.MustAddNode("a", func() sim.Node { return &prober{log: &log} })
	b := w.MustAddNode("b", func() sim.Node { return &timeProber{at: &at} })
	w.RunUntil(0)
	w.Pause(b)
	for i := 0; i < 3; i++ {
		w.Context(a).Send(b, i)
	}
	w.Context(b).SetTimer(2*time.Millisecond, "t")
	w.RunUntil(sim.Time(50 * time.Millisecond))
	assert.Empty(t, at, "nothing reaches a paused node")
	w.Resume(b)
	w.Run()
	assert.Equal(t, []sim.Time{sim.Time(50 * time.Millisecond), sim.Time(50 * time.Millisecond),
		sim.Time(50 * time.Millisecond), sim.Time(50 * time.Millisecond)}, at, "held events run at resume")
	assert.Equal(t, []any{0, 1, 2, "t"}, w.Node(b).(*timeProber).got, "in arrival order")
}

type timeProber struct {
	at  *[]sim.Time
	got []any
}

func (p *timeProber) Start(*sim.Context) {}
func (p *timeProber) Receive(ctx *sim.Context, _ sim.NodeID, msg any) {
	*p.at = append(*p.at, ctx.Now())
	p.got = append(p.got, msg)
}
func (p *timeProber) Timer(ctx *sim.Context, tag any) {
	*p.at = append(*p.at, ctx.Now())
	p.got = append(p.got, tag)
}

func TestCrashWhilePausedDropsHeldEvents(t *testing.T) {
	var reasons []sim.DropReason
	w, err := sim.New(sim.Config{Seed: 1, Link: sim.LinkConfig{Latency: sim.Constant(time.Millisecond)},
		OnEvent: func(e *sim.Event) {
			if e.Kind == sim.KindDrop {
				reasons = append(reasons, e.Reason)
			}
		}})
	require.NoError(t, err)
	var at []sim.Time
	var log []string
	a := w.MustAddNode("a", func() sim.Node { return &prober{log: &log} })
	b := w.MustAddNode("b", func() sim.Node { return &timeProber{at: &at} })
	w.RunUntil(0)
	w.Pause(b)
	w.Context(a).Send(b, "held")
	w.RunUntil(sim.Time(5 * time.Millisecond))
	w.Crash(b)
	w.Restart(b)
	w.Run()
	assert.Empty(t, at)
	assert.Equal(t, []sim.DropReason{sim.DropCrash}, reasons)
}

func TestClockSkewShowsInNowAndStretchesTimers(t *testing.T) {
	w, err := sim.New(sim.Config{Seed: 1})
	require.NoError(t, err)
	var at []sim.Time
	id := w.MustAddNode("s", func() sim.Node { return &timeProber{at: &at} })
	w.RunUntil(sim.Time(time.Second))
	require.NoError(t, w.SetClock(id, 250*time.Millisecond, 1)) // clock runs twice as fast
	ctx := w.Context(id)
	assert.Equal(t, sim.Time(1250*time.Millisecond), ctx.Now())
	ctx.SetTimer(100*time.Millisecond, "t") // 100ms local = 50ms true
	w.Run()
	assert.Equal(t, sim.Time(1050*time.Millisecond), w.Now())
	assert.Equal(t, []sim.Time{sim.Time(1350 * time.Millisecond)}, at, "local time at the timer: 1050 + 250 + 50")
	assert.Error(t, w.SetClock(id, 0, -1))
}

// TestFastClockTimerOfANanosecond: on a clock that runs fast, a timer of
// a nanosecond of local time still moves true time on, so a node that
// waits for its clock to reach a deadline gets there.
func TestFastClockTimerOfANanosecond(t *testing.T) {
	w, err := sim.New(sim.Config{Seed: 1})
	require.NoError(t, err)
	var at []sim.Time
	id := w.MustAddNode("s", func() sim.Node { return &timeProber{at: &at} })
	w.RunUntil(sim.Time(time.Second))
	require.NoError(t, w.SetClock(id, 0, 0.2))
	w.Context(id).SetTimer(time.Nanosecond, "t")
	w.Run()
	assert.Equal(t, sim.Time(time.Second+1), w.Now(), "a nanosecond of local time is more than none of true time")
	require.Len(t, at, 1)
	assert.Greater(t, at[0], sim.Time(time.Second), "the node's clock moved")
}

func TestRunControl(t *testing.T) {
	w, err := sim.New(sim.Config{Seed: 1})
	require.NoError(t, err)
	var order []string
	for _, name := range []string{"first", "second", "third"} {
		w.At(sim.Time(time.Second), func(*sim.World) { order = append(order, name) })
	}
	w.At(sim.Time(2*time.Second), func(w *sim.World) { order = append(order, "stopper"); w.Stop("enough") })
	w.At(sim.Time(3*time.Second), func(*sim.World) { order = append(order, "never") })

	w.RunUntil(sim.Time(500 * time.Millisecond))
	assert.Empty(t, order)
	assert.Equal(t, sim.Time(500*time.Millisecond), w.Now(), "RunUntil advances the clock")
	w.RunEvents(2)
	assert.Equal(t, []string{"first", "second"}, order, "ties run in insertion order; RunEvents counts")
	w.Run()
	assert.Equal(t, []string{"first", "second", "third", "stopper"}, order)
	stopped, why := w.Stopped()
	assert.True(t, stopped)
	assert.Equal(t, "enough", why)
	w.Run()
	assert.Len(t, order, 4, "a stopped run stays stopped")
}

func TestHistoryRecordsInvokeAndReturn(t *testing.T) {
	w, err := sim.New(sim.Config{Seed: 2, Link: sim.LinkConfig{Latency: sim.Constant(time.Millisecond), Drop: 0.5}})
	require.NoError(t, err)
	srv := w.MustAddNode("server", echo.NewServer)
	w.MustAddNode("c", echo.NewClient(srv, echo.ClientConfig{Pings: 50, Interval: time.Millisecond}))
	w.Run()
	h := w.History()
	require.Len(t, h, 50)
	r := echo.Check(h)
	assert.True(t, r.Holds())
	assert.Less(t, r.Answered, 50, "half the messages are lost, so some pings stay unknown")
	assert.Greater(t, r.Answered, 0)
	for _, op := range h {
		if op.Returned {
			assert.Equal(t, op.Invoke.Add(2*time.Millisecond), op.Return, "round trip of two constant 1ms hops")
		} else {
			assert.Equal(t, sim.Never, op.Return)
		}
	}
}

func TestBadLinkConfigurations(t *testing.T) {
	for _, cfg := range []sim.LinkConfig{
		{Latency: sim.Uniform(5, 1)},
		{Latency: sim.Constant(1), Drop: 1.5},
		{Latency: sim.Constant(1), Duplicate: -0.1},
		{Latency: sim.Constant(1), Drop: math.NaN()},
		{Latency: sim.Latency{Kind: "gamma"}},
		{Latency: sim.Pareto(0, 2)},
		{Latency: sim.Exponential(5, 5)},
	} {
		_, err := sim.New(sim.Config{Link: cfg})
		assert.ErrorIs(t, err, sim.ErrBadLink, "%+v", cfg)
	}
}

func TestStorageKeysAndDeletes(t *testing.T) {
	w, err := sim.New(sim.Config{})
	require.NoError(t, err)
	id := w.MustAddNode("n", func() sim.Node { return &timerNode{} })
	w.RunUntil(0)
	s := w.Storage(id)
	s.Put("log/2", []byte("b"))
	s.Put("log/1", []byte("a"))
	s.Put("meta", []byte("m"))
	s.Sync()
	s.Delete("log/2")
	s.Put("log/3", []byte("c"))
	assert.Equal(t, []string{"log/1", "log/3"}, s.Keys("log/"))
	w.Crash(id)
	assert.Equal(t, []string{"log/1", "log/2"}, s.Keys("log/"), "the unsynced delete and put are lost")
	v, ok := s.Get("log/2")
	assert.True(t, ok)
	assert.Equal(t, "b", string(v))
}

func TestObserversSeeEveryEventInOrder(t *testing.T) {
	var first, second []sim.Kind
	w, err := sim.New(sim.Config{Seed: 1, Trace: true, OnEvent: func(e *sim.Event) { first = append(first, e.Kind) }})
	require.NoError(t, err)
	w.Observe(func(e *sim.Event) { second = append(second, e.Kind) })
	srv := w.MustAddNode("server", echo.NewServer)
	w.MustAddNode("c", echo.NewClient(srv, echo.ClientConfig{Pings: 3, Interval: time.Millisecond}))
	w.Run()
	require.NotEmpty(t, first)
	assert.Equal(t, first, second)
	require.Len(t, w.Trace(), len(first))
	for i, e := range w.Trace() {
		assert.Equal(t, e.Kind, first[i])
		assert.Equal(t, uint64(i), e.Seq)
	}
}

func TestCrashRightAfterResumeDropsHeldMessages(t *testing.T) {
	var reasons []sim.DropReason
	w, err := sim.New(sim.Config{Seed: 1, Link: sim.LinkConfig{Latency: sim.Constant(time.Millisecond)},
		OnEvent: func(e *sim.Event) {
			if e.Kind == sim.KindDrop {
				reasons = append(reasons, e.Reason)
			}
		}})
	require.NoError(t, err)
	var at []sim.Time
	var log []string
	a := w.MustAddNode("a", func() sim.Node { return &prober{log: &log} })
	b := w.MustAddNode("b", func() sim.Node { return &timeProber{at: &at} })
	w.RunUntil(0)
	w.Pause(b)
	w.Context(a).Send(b, "held")
	w.RunUntil(sim.Time(5 * time.Millisecond))
	w.Resume(b) // re-queues the held message at 5ms...
	w.Crash(b)  // ...but b crashes before it is handled
	w.Run()
	assert.Empty(t, at)
	assert.Equal(t, []sim.DropReason{sim.DropCrash}, reasons)
}

// tenMs sets one timer, 10ms after it starts.
type tenMs struct{}

func (tenMs) Start(ctx *sim.Context)                { ctx.SetTimer(10*time.Millisecond, "tick") }
func (tenMs) Receive(*sim.Context, sim.NodeID, any) {}
func (tenMs) Timer(*sim.Context, any)               {}

// TestScheduleNowAfterRunUntil: an event scheduled at the current time
// after RunUntil stopped short of a later one runs first, and time never
// goes backwards. (RunUntil's look at the next event used to move the
// queue past the current time, so the call ran after the timer, at 0.)
func TestScheduleNowAfterRunUntil(t *testing.T) {
	var order []string
	w, err := sim.New(sim.Config{Seed: 1, OnEvent: func(e *sim.Event) { order = append(order, fmt.Sprintf("%s@%v", e.Kind, e.Time)) }})
	require.NoError(t, err)
	w.MustAddNode("a", func() sim.Node { return tenMs{} })
	w.RunUntil(0)
	w.At(0, func(w *sim.World) { order = append(order, fmt.Sprintf("call@%v", w.Now())) })
	w.RunUntil(sim.Time(20 * time.Millisecond))
	assert.Equal(t, []string{"start@0s", "call@0s", "timer@10ms"}, order)
}

// TestObserveKindsSeesOnlyItsKinds: an observer of some kinds gets those
// events and no other, and FaultKinds are exactly the kinds IsFault names.
func TestObserveKindsSeesOnlyItsKinds(t *testing.T) {
	w, err := sim.New(sim.Config{Seed: 2})
	require.NoError(t, err)
	srv := w.MustAddNode("server", echo.NewServer)
	w.MustAddNode("c1", echo.NewClient(srv, echo.ClientConfig{Pings: 5, Interval: time.Millisecond}))
	w.At(sim.Time(2*time.Millisecond), func(w *sim.World) { w.Crash(srv) })
	var all, faults []sim.Kind
	w.Observe(func(e *sim.Event) { all = append(all, e.Kind) })
	w.ObserveKinds(func(e *sim.Event) { faults = append(faults, e.Kind) }, sim.FaultKinds()...)
	w.Run()
	var want []sim.Kind
	for _, k := range all {
		if k.IsFault() {
			want = append(want, k)
		}
	}
	assert.Equal(t, []sim.Kind{sim.KindCrash}, want)
	assert.Equal(t, want, faults)
	for k := sim.Kind(0); k < 40; k++ {
		assert.Equal(t, k.IsFault(), slices.Contains(sim.FaultKinds(), k), "kind %v", k)
	}
}

// hashed is a fact that hashes itself.
type hashed struct{ n uint64 }

func (h hashed) FingerprintWords() (uint64, uint64) { return h.n, 7 }
func (h hashed) String() string                     { return fmt.Sprintf("hashed %d", h.n) }

// recorder records one fact at start.
type recorder struct{ fact any }

func (r recorder) Start(ctx *sim.Context)                { ctx.Record(r.fact) }
func (r recorder) Receive(*sim.Context, sim.NodeID, any) {}
func (r recorder) Timer(*sim.Context, any)               {}

// TestFactsThatHashThemselves: a FactHasher's words decide the
// fingerprint, and its description is computed when the trace is written.
func TestFactsThatHashThemselves(t *testing.T) {
	run := func(fact any) (*sim.World, string) {
		w, err := sim.New(sim.Config{Seed: 1, Trace: true})
		require.NoError(t, err)
		w.MustAddNode("n", func() sim.Node { return recorder{fact} })
		w.Run()
		var buf bytes.Buffer
		require.NoError(t, w.WriteTraceJSONL(&buf))
		return w, buf.String()
	}
	a, trace := run(hashed{1})
	b, _ := run(hashed{1})
	c, _ := run(hashed{2})
	assert.Equal(t, a.Fingerprint(), b.Fingerprint())
	assert.NotEqual(t, a.Fingerprint(), c.Fingerprint())
	assert.Contains(t, trace, `"text":"hashed 1"`)
	e := a.Trace()[1]
	assert.Equal(t, sim.KindRecord, e.Kind)
	assert.Empty(t, e.Text, "not described as it was recorded")
	assert.Equal(t, "hashed 1", e.Description())
	plain, _ := run("hashed 1")
	assert.NotEqual(t, a.Fingerprint(), plain.Fingerprint(), "a description is hashed otherwise")
}

// TestStorageMatchesAMap: the disk's unsynced writes behave as a map of the
// latest write per key, through syncs and crashes, short lists and long.
func TestStorageMatchesAMap(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	w, err := sim.New(sim.Config{Seed: 1})
	require.NoError(t, err)
	id := w.MustAddNode("n", func() sim.Node { return idle{} })
	w.Restart(id) // up now, so that Crash below has something to crash
	st := w.Storage(id)
	durable, pending := map[string]string{}, map[string]*string{}
	for step := 0; step < 20_000; step++ {
		key := fmt.Sprintf("k%d", r.IntN(60))
		switch op := r.IntN(20); {
		case op < 10:
			v := fmt.Sprint(step)
			st.Put(key, []byte(v))
			pending[key] = &v
		case op < 13:
			st.Delete(key)
			pending[key] = nil
		case op < 14:
			st.Sync()
			for k, v := range pending {
				if v == nil {
					delete(durable, k)
				} else {
					durable[k] = *v
				}
			}
			clear(pending)
		case op < 15:
			w.Crash(id)
			w.Restart(id)
			clear(pending)
		}
		want, ok := durable[key]
		if v, in := pending[key]; in {
			want, ok = "", v != nil
			if v != nil {
				want = *v
			}
		}
		got, gotOK := st.Get(key)
		require.Equal(t, ok, gotOK, "step %d key %s", step, key)
		require.Equal(t, want, string(got), "step %d key %s", step, key)
	}
}
