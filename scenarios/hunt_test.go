package scenarios_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/protocols/kv"
	"github.com/dsimlab/dsim/scenarios"
	"github.com/dsimlab/dsim/sim"
)

// toykv is a throwaway key-value protocol with planted bugs on rare paths,
// to show the bug-hunting modes reach them:
//
//   - "one-reply": its at-most-once table keeps only each client's latest
//     reply, so a retried request older than the latest one runs twice.
//     Only a client with several calls in flight retries an older one.
//   - "stale-slow-read": where the fault point toykv/slow-read fires, a
//     get is answered 5ms later (legal: a slow disk) but with the value
//     the key had before its latest write (the bug). Without fault points
//     the path is never taken.
//   - "stuck-after-restart": a restarted server serves nothing again.
//     Only liveness mode, which heals the server and wants progress, sees
//     it: the clients just give up.
func toykv() protocols.Protocol {
	return protocols.Protocol{
		Name: "toykv",
		Params: []protocols.Param{{Name: "variant", Kind: protocols.String, Default: "correct",
			Choices: []string{"correct", "one-reply", "stale-slow-read", "stuck-after-restart"}}},
		Checks: []protocols.CheckInfo{{Name: checker.LinearizabilityCheck, Default: true}},
		Ops:    []string{"append", "get", "put"},
		Setup:  setupToy,
	}
}

type (
	toyReq struct {
		Client sim.NodeID
		N      int64
		In     checker.KVInput
	}
	toyRep struct {
		N   int64
		Out checker.KVOutput
	}
	toySlow struct {
		from sim.NodeID
		req  *toyReq
	}
)

// toyServer is the key-value server. Its data and its at-most-once table
// are on its disk, so it survives crashes.
type toyServer struct {
	variant string
	prev    map[string]string // each key's value before its latest write
	dead    bool
}

func (s *toyServer) Start(ctx *sim.Context) {
	s.prev = map[string]string{}
	if _, restarted := ctx.Storage().Get("booted"); restarted && s.variant == "stuck-after-restart" {
		s.dead = true
	}
	ctx.Storage().Put("booted", nil)
	ctx.Storage().Sync()
}

func (s *toyServer) get(ctx *sim.Context, key string) string {
	v, _ := ctx.Storage().Get("data/" + key)
	return string(v)
}

// replyKey is where the reply to client's request n is kept.
func replyKey(client sim.NodeID, n int64) string { return fmt.Sprintf("reply/%d/%d", client, n) }

func (s *toyServer) Receive(ctx *sim.Context, from sim.NodeID, msg any) {
	r, ok := msg.(*toyReq)
	if !ok || s.dead {
		return
	}
	if out, dup := ctx.Storage().Get(replyKey(r.Client, r.N)); dup {
		ctx.Send(from, &toyRep{N: r.N, Out: checker.KVOutput{Value: string(out)}})
		return
	}
	if r.In.Op == checker.KVGet && ctx.Maybe("toykv/slow-read") {
		ctx.SetTimer(5*time.Millisecond, toySlow{from, r})
		return
	}
	s.answer(ctx, from, r, s.get(ctx, r.In.Key))
}

func (s *toyServer) Timer(ctx *sim.Context, tag any) {
	if t, ok := tag.(toySlow); ok {
		v := s.get(ctx, t.req.In.Key)
		if s.variant == "stale-slow-read" {
			v = s.prev[t.req.In.Key]
		}
		s.answer(ctx, t.from, t.req, v)
	}
}

// answer executes r, remembers the reply and sends it.
func (s *toyServer) answer(ctx *sim.Context, from sim.NodeID, r *toyReq, v string) {
	st := ctx.Storage()
	out := checker.KVOutput{Value: v}
	if r.In.Op != checker.KVGet {
		s.prev[r.In.Key] = v
		next := r.In.Value
		if r.In.Op == checker.KVAppend {
			next = v + r.In.Value
		}
		st.Put("data/"+r.In.Key, []byte(next))
		out.Value = ""
	}
	if s.variant == "one-reply" {
		for _, k := range st.Keys(fmt.Sprintf("reply/%d/", r.Client)) {
			st.Delete(k)
		}
	}
	st.Put(replyKey(r.Client, r.N), []byte(out.Value))
	st.Sync()
	ctx.Send(from, &toyRep{N: r.N, Out: out})
}

// toyClient runs its driver's operations, as many in flight as it allows.
type toyClient struct {
	d      *kv.Driver
	server sim.NodeID
}

func (c *toyClient) Start(ctx *sim.Context) { c.d.Start(ctx, c) }
func (c *toyClient) Send(ctx *sim.Context, op *kv.Op) {
	ctx.Send(c.server, &toyReq{Client: ctx.ID(), N: op.N, In: op.Input})
}
func (c *toyClient) Receive(ctx *sim.Context, _ sim.NodeID, msg any) {
	if r, ok := msg.(*toyRep); ok {
		c.d.CompleteOp(ctx, r.N, r.Out)
	}
}
func (c *toyClient) Timer(ctx *sim.Context, tag any) { c.d.Timer(ctx, tag) }

// kvInstance checks linearizability and declares what liveness mode needs.
type kvInstance struct {
	server  sim.NodeID
	drivers []*kv.Driver
}

func setupToy(env *protocols.Env) (protocols.Instance, error) {
	w := env.World
	in := &kvInstance{}
	variant := env.Params.String("variant")
	in.server = w.MustAddNode("srv", func() sim.Node { return &toyServer{variant: variant} })
	for i := range env.Clients {
		name := fmt.Sprintf("c%d", i+1)
		d := kv.NewDriver(w.Stream("workload/"+name), kv.Config{Workload: env.Workload,
			Ops: env.Workload.Share(i, env.Clients), Retry: 10 * time.Millisecond})
		w.MustAddNode(name, func() sim.Node { return &toyClient{d: d, server: in.server} })
		in.drivers = append(in.drivers, d)
	}
	return in, nil
}

func (in *kvInstance) Servers() []sim.NodeID { return []sim.NodeID{in.server} }
func (in *kvInstance) Check(req protocols.CheckRequest) protocols.Report {
	res, _ := kv.CheckLinearizable(checker.FromSim(req.World.History()), req.Budget)
	return protocols.Report{Checks: []checker.Result{res}}
}
func (in *kvInstance) Core() []sim.NodeID { return in.Servers() }
func (in *kvInstance) Progress(*sim.World) (int, bool) {
	done, busy := 0, false
	for _, d := range in.drivers {
		done, busy = done+d.Completed(), busy || d.Busy()
	}
	return done, busy
}
func (in *kvInstance) LivenessBound() time.Duration { return 500 * time.Millisecond }

// toyScenario is a toykv scenario: two clients, a lossy network, and extra
// lines (workload fields, faults, hunting modes).
func toyScenario(t *testing.T, variant, workload, extra string) *scenarios.Scenario {
	t.Helper()
	text := fmt.Sprintf(`name: toy
protocol: toykv
params: {variant: %s}
nodes: 1
clients: 2
network:
  latency: {kind: uniform, min: 1ms, max: 5ms}
  drop: 0.2
workload:
  ops: 200
  keys: 2
  mix: {get: 1, append: 1}
  timeout: 300ms
%s
duration: 10s
%s`, variant, workload, extra)
	s, err := scenarios.Parse("toy.yaml", []byte(text), []protocols.Protocol{toykv()})
	require.NoError(t, err)
	return s
}

// caught returns the seeds in 1..n whose run failed with a violated check.
func caught(t *testing.T, s *scenarios.Scenario, n int, opts scenarios.RunOptions) []uint64 {
	t.Helper()
	var seeds []uint64
	for seed := uint64(1); seed <= uint64(n); seed++ {
		o, err := scenarios.Run(s, seed, opts)
		require.NoError(t, err)
		if _, violated, _ := o.Counts(); violated > 0 {
			seeds = append(seeds, seed)
		}
	}
	return seeds
}

func TestAMultiCallBugIsFoundOnlyWithCallsInFlight(t *testing.T) {
	one := toyScenario(t, "one-reply", "", "")
	assert.Empty(t, caught(t, one, 20, scenarios.RunOptions{}), "one call in flight never retries an older one")
	two := toyScenario(t, "one-reply", "  in_flight: 2", "")
	assert.NotEmpty(t, caught(t, two, 20, scenarios.RunOptions{}), "two calls in flight do")
	correct := toyScenario(t, "correct", "  in_flight: 2", "")
	assert.Empty(t, caught(t, correct, 20, scenarios.RunOptions{}), "the correct table keeps every reply")
}

func TestARareBugIsFoundOnlyWithFaultPoints(t *testing.T) {
	off := toyScenario(t, "stale-slow-read", "", "")
	assert.Empty(t, caught(t, off, 20, scenarios.RunOptions{}), "without fault points the slow path is never taken")
	on := toyScenario(t, "stale-slow-read", "", "fault_points: {enable: 0.5, fire: 0.5}")
	found := caught(t, on, 20, scenarios.RunOptions{})
	require.NotEmpty(t, found, "with fault points it is")
	for _, seed := range found {
		assert.True(t, sim.FaultPointEnabled(seed, "toykv/slow-read", 0.5), "seed %d: only where the site was enabled", seed)
	}
	o, err := scenarios.Run(on, found[0], scenarios.RunOptions{})
	require.NoError(t, err)
	require.Len(t, o.FaultPoints, 1, "the outcome names the sites reached")
	assert.Equal(t, "toykv/slow-read", o.FaultPoints[0].Name)
	assert.True(t, o.FaultPoints[0].Enabled)
	assert.Positive(t, o.FaultPoints[0].Fired)
	correct := toyScenario(t, "correct", "", "fault_points: {enable: 0.5, fire: 0.5}")
	assert.Empty(t, caught(t, correct, 20, scenarios.RunOptions{}), "the slow path itself is legal")
}

func TestFaultPointsOffByDefaultKeepTheRun(t *testing.T) {
	plain := toyScenario(t, "correct", "", "")
	on := toyScenario(t, "correct", "", "fault_points: true")
	fired := 0
	for seed := uint64(1); seed <= 8; seed++ {
		a, err := scenarios.Run(plain, seed, scenarios.RunOptions{})
		require.NoError(t, err)
		assert.Nil(t, a.FaultPoints, "off: nothing reported")
		c, err := scenarios.Run(on, seed, scenarios.RunOptions{})
		require.NoError(t, err)
		require.Len(t, c.FaultPoints, 1, "on: the site reached is reported")
		if c.FaultPoints[0].Enabled {
			fired++
			assert.NotEqual(t, a.Fingerprint, c.Fingerprint, "seed %d: an enabled site is in the trace", seed)
		} else {
			assert.Equal(t, a.Fingerprint, c.Fingerprint, "seed %d: a site not enabled changed nothing", seed)
		}
	}
	assert.Positive(t, fired)
}

func TestLivenessModeCatchesAProtocolThatNeverRecovers(t *testing.T) {
	faults := "faults:\n  - {at: 300ms, crash: srv}\n  - {at: 400ms, restart: srv}\nliveness: true"
	stuck := toyScenario(t, "stuck-after-restart", "  think: 5ms", faults)
	o, err := scenarios.Run(stuck, 1, scenarios.RunOptions{})
	require.NoError(t, err)
	live := o.Checks[len(o.Checks)-1]
	assert.Equal(t, scenarios.LivenessModeCheck, live.Check)
	assert.Equal(t, checker.Liveness, live.Kind, "reported apart from safety")
	assert.Equal(t, checker.Violated, live.Verdict, live.Detail)
	assert.Contains(t, live.Detail, "healed at 400ms")
	assert.Equal(t, checker.Holds, o.Checks[0].Verdict, "the clients alone see nothing wrong: they give up")

	without := toyScenario(t, "stuck-after-restart", "  think: 5ms", strings.TrimSuffix(faults, "liveness: true"))
	o, err = scenarios.Run(without, 1, scenarios.RunOptions{})
	require.NoError(t, err)
	assert.True(t, o.Passed, "without liveness mode the run passes")

	correct := toyScenario(t, "correct", "  think: 5ms", faults)
	o, err = scenarios.Run(correct, 1, scenarios.RunOptions{})
	require.NoError(t, err)
	assert.True(t, o.Passed, "%v", o.Checks)
	assert.Contains(t, o.Checks[len(o.Checks)-1].Detail, "progress within 500ms")
}

func TestLivenessModeHealsTheLastNemesisFault(t *testing.T) {
	s := toyScenario(t, "correct", "  think: 5ms", `nemesis:
  kinds: [crash]
  start: 100ms
  stop: 2s
  interval: 200ms
  duration: 100ms
liveness: true`)
	o, err := scenarios.Run(s, 3, scenarios.RunOptions{Trace: true})
	require.NoError(t, err)
	require.NotEmpty(t, o.Faults)
	last := o.Faults[len(o.Faults)-1]
	assert.Equal(t, scenarios.FaultCrash, last.Kind, "the last fault's undoing is left to the heal")
	restarted := false
	for _, e := range o.World.Trace() {
		if e.Kind == sim.KindRestart && e.Time > sim.Time(last.At) {
			restarted = true
		}
	}
	assert.True(t, restarted, "the heal restarted the crashed server")
	assert.True(t, o.Passed, "%v", o.Checks)
}

func TestSwarmDrawsAMixPerSeedAndReplaysIt(t *testing.T) {
	s := toyScenario(t, "correct", "", `nemesis:
  kinds: [crash, pause]
  start: 100ms
  stop: 2s
swarm:
  drop: 0.3
  in_flight: 2
  params: {variant: [correct]}`)
	mixes := map[string]bool{}
	for seed := uint64(1); seed <= 30; seed++ {
		m := s.DrawSwarm(seed)
		assert.Equal(t, m, s.DrawSwarm(seed), "the same seed draws the same mix")
		assert.LessOrEqual(t, m.Drop, 0.3)
		assert.LessOrEqual(t, m.InFlight, 2)
		for _, k := range m.Kinds {
			assert.Contains(t, []scenarios.FaultKind{scenarios.FaultCrash, scenarios.FaultPause}, k, "only the kinds allowed")
		}
		assert.Equal(t, []string{"variant=correct"}, m.Params)
		mixes[m.String()] = true
	}
	assert.Greater(t, len(mixes), 20, "seeds draw different mixes")

	a, err := scenarios.Run(s, 7, scenarios.RunOptions{})
	require.NoError(t, err)
	b, err := scenarios.Run(s, 7, scenarios.RunOptions{})
	require.NoError(t, err)
	require.NotNil(t, a.Swarm, "the outcome names the mix")
	assert.Equal(t, a.Swarm, b.Swarm)
	assert.Equal(t, a.Fingerprint, b.Fingerprint, "a swarm run replays exactly")

	plain := toyScenario(t, "correct", "", "nemesis:\n  kinds: [crash, pause]\n  start: 100ms\n  stop: 2s")
	c, err := scenarios.Run(plain, 7, scenarios.RunOptions{Swarm: true})
	require.NoError(t, err)
	assert.Equal(t, []string{"--swarm"}, c.ReplayFlags, "the replay needs --swarm")
	d, err := scenarios.Run(plain, 7, scenarios.RunOptions{})
	require.NoError(t, err)
	assert.Nil(t, d.Swarm)
	assert.NotEqual(t, c.Fingerprint, d.Fingerprint, "the flag draws a mix too")
}

func TestSwarmBoundsAreValidated(t *testing.T) {
	_, err := scenarios.Parse("bad.yaml", []byte(`name: bad
protocol: toykv
duration: 1s
swarm:
  kinds: [crash, meteor]
  drop: 2
  params: {variant: [wrong], nope: [1, 2]}
`), []protocols.Protocol{toykv()})
	require.Error(t, err)
	for _, want := range []string{"swarm.kinds[1]", "swarm.drop", "swarm.params.variant[0]", "swarm.params.nope"} {
		assert.Contains(t, err.Error(), want)
	}
}
