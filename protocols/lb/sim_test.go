package lb

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/sim"
)

// busyConfig exercises every feature at once: several balancer nodes,
// pushed reports, a spare, a slowdown, a crash and restart, caches, Zipf
// keys and ejection.
func busyConfig(balancer string) Config {
	return Config{
		Balancer: balancer, Clients: 3, Load: 0.6, Requests: 12000, Keys: 500, Zipf: 1.2,
		Servers:        []ServerSpec{{Speed: 2}, {}, {}, {}, {JoinAt: 500 * time.Millisecond}},
		Timeout:        50 * time.Millisecond,
		ReportInterval: 200 * time.Microsecond, EjectAfter: 2, EjectFor: 200 * time.Millisecond,
		CacheKeys: 100, MissFactor: 2,
		Slowdowns: []Slowdown{{Server: "n2", At: 300 * time.Millisecond, Factor: 3}},
		Faults:    []Fault{{At: 400 * time.Millisecond, Kind: FaultCrash, Server: "n3"}, {At: 700 * time.Millisecond, Kind: FaultRestart, Server: "n3"}},
	}
}

func TestDeterminism(t *testing.T) {
	for _, name := range Names() {
		t.Run(name, func(t *testing.T) {
			a, err := simulate(busyConfig(name), 42)
			require.NoError(t, err)
			b, err := simulate(busyConfig(name), 42)
			require.NoError(t, err)
			assert.Equal(t, a, b, "same config and seed, same result")
			c, err := simulate(busyConfig(name), 43)
			require.NoError(t, err)
			assert.NotEqual(t, a.Fingerprint, c.Fingerprint, "another seed, another run")
			assert.Equal(t, 12000, a.Requests)
			assert.Positive(t, a.Failed, "the crash makes requests time out")
			assert.Equal(t, a.Requests, a.Completed+a.Failed, "a drained run leaves nothing waiting")
		})
	}
}

// TestCommonRandomNumbers checks that every balancer sees the same
// requests under one seed: the same arrival times and keys (in the
// history) and the same total work.
func TestCommonRandomNumbers(t *testing.T) {
	type trace struct {
		invokes []sim.Time
		keys    []uint64
		work    float64
	}
	run := func(b string) trace {
		w, err := sim.New(sim.Config{Seed: 7, Link: DefaultLink})
		require.NoError(t, err)
		in, err := Build(w, Config{Balancer: b, Clients: 2, Load: 0.7, Requests: 3000, Keys: 100, History: true})
		require.NoError(t, err)
		w.Run()
		var tr trace
		for _, op := range w.History() {
			tr.invokes = append(tr.invokes, op.Invoke)
			tr.keys = append(tr.keys, op.Input.(Call).Key)
			assert.True(t, op.Returned)
			assert.NotEmpty(t, op.Output.(Reply).Server)
		}
		for _, s := range in.rt.rec.servers {
			tr.work += s.busy
		}
		return tr
	}
	base := run(NameRandom)
	require.Len(t, base.keys, 3000)
	for _, b := range []string{NameJSQ, NamePeakEWMA, NameConsistentHash} {
		got := run(b)
		assert.Equal(t, base.invokes, got.invokes, b)
		assert.Equal(t, base.keys, got.keys, b)
		assert.InEpsilon(t, base.work, got.work, 1e-9, b)
	}
}

// TestClosedLoop checks the closed loop against Little's law: N users
// thinking Z between requests that take R complete N/(R+Z) per unit time.
func TestClosedLoop(t *testing.T) {
	const users, think = 8, time.Millisecond
	r, err := simulate(Config{Balancer: NameJSQ, Servers: make([]ServerSpec, 4), Concurrency: users, Think: think,
		Duration: 5 * time.Second}, 1)
	require.NoError(t, err)
	assert.Zero(t, r.Failed)
	assert.LessOrEqual(t, r.Requests-r.Completed, users, "at most one request per user is waiting at the end")
	throughput := float64(r.Completed) / r.SimTime.Seconds()
	little := users / (r.Latency.Mean/1e3 + think.Seconds())
	assert.InEpsilon(t, little, throughput, 0.02, "throughput %.0f/s vs N/(R+Z) %.0f/s", throughput, little)
	// The servers never hold more than the users' requests.
	for _, s := range r.Servers {
		assert.LessOrEqual(t, s.MaxQueue, users)
	}
}

func TestOpenLoopForADuration(t *testing.T) {
	r, err := simulate(Config{Balancer: NameRandom, Rate: 2000, Clients: 2, Duration: time.Second}, 1)
	require.NoError(t, err)
	assert.InDelta(t, 4000, r.Requests, 4*math.Sqrt(4000), "Poisson: 2 clients × 2000/s × 1s")
	assert.Equal(t, time.Second, r.SimTime)
}

func crashConfig(eject int) Config {
	return Config{Balancer: NameRandom, Servers: make([]ServerSpec, 4), Load: 0.5, Duration: 3 * time.Second,
		Timeout: 100 * time.Millisecond, EjectAfter: eject, EjectFor: 10 * time.Second, Warmup: 2200 * time.Millisecond,
		Faults: []Fault{{At: time.Second, Kind: FaultCrash, Server: "n2"}, {At: 2 * time.Second, Kind: FaultRestart, Server: "n2"}}}
}

// TestCrashTimesOutAndEjectionHelps: requests routed to a crashed server time
// out and are counted; ejecting it after a few timeouts saves most of them;
// its restart announcement re-admits it long before the ejection ends.
func TestCrashTimesOutAndEjectionHelps(t *testing.T) {
	plain, err := simulate(crashConfig(0), 1)
	require.NoError(t, err)
	// Random sends a quarter of 2000/s to n2 while it is down for 1s.
	assert.InDelta(t, 500, plain.Failed, 80, "failed requests")
	ejecting, err := simulate(crashConfig(3), 1)
	require.NoError(t, err)
	assert.Less(t, ejecting.Failed, plain.Failed/3, "ejection after 3 timeouts")
	assert.Positive(t, ejecting.Failed, "the first timeout takes 100ms to notice")
	// After the restart (and the warmup at 2.2s), n2 serves again although
	// its ejection would last until about 11s.
	assert.InDelta(t, 0.25, ejecting.Servers[1].Share, 0.05, "n2 re-admitted by its hello")
}

// TestSlowServerAvoided: a server three times slower gets its fair quarter
// from random but much less from every load-aware balancer, and their
// latency is lower.
func TestSlowServerAvoided(t *testing.T) {
	cfg := Config{Servers: make([]ServerSpec, 4), Load: 0.3, Requests: 20000, Warmup: 100 * time.Millisecond,
		Slowdowns: []Slowdown{{Server: "n1", Factor: 3}}}
	cfg.Balancer = NameRandom
	rnd, err := simulate(cfg, 1)
	require.NoError(t, err)
	assert.InDelta(t, 0.25, rnd.Servers[0].Share, 0.02)
	for _, b := range []string{NameLeastConnections, NamePowerOfD, NameJSQ, NamePeakEWMA} {
		cfg.Balancer = b
		r, err := simulate(cfg, 1)
		require.NoError(t, err)
		assert.Less(t, r.Servers[0].Share, 0.2, "%s share of the slow server", b)
		assert.Less(t, r.Latency.Mean, rnd.Latency.Mean, "%s mean latency", b)
	}
}

// TestSpareJoins: a spare gets nothing before it announces itself and its
// share after; consistent hashing moves about its share of the keys, and
// records the least possible share beside it.
func TestSpareJoins(t *testing.T) {
	join := sim.Time(time.Second)
	cfg := Config{Balancer: NameConsistentHash, Clients: 2, Servers: []ServerSpec{{}, {}, {}, {}, {JoinAt: time.Second}},
		Load: 0.5, Duration: 2 * time.Second, Keys: 5000}
	w, err := sim.New(sim.Config{Seed: 3, Link: DefaultLink})
	require.NoError(t, err)
	first := sim.Never
	w.Observe(func(e *sim.Event) {
		if _, ok := e.Msg.(*Request); ok && e.Kind == sim.KindDeliver && w.Name(e.Node) == "n5" && first == sim.Never {
			first = e.Time
		}
	})
	in, err := Build(w, cfg)
	require.NoError(t, err)
	w.RunUntil(sim.Time(cfg.Duration))
	r := in.Result()
	assert.GreaterOrEqual(t, first, join, "no request reaches the spare before it joins")
	assert.Less(t, first, join.Add(5*time.Millisecond), "the balancers learn of it within a network delay")
	require.Len(t, r.Moves, 2, "one change seen by each balancer node")
	for _, m := range r.Moves {
		assert.Equal(t, "+n5 joined", m.Change)
		assert.Equal(t, 5, m.Members)
		assert.InDelta(t, 0.2, m.Ideal, 1e-12)
		assert.InDelta(t, 0.2, m.Moved, 0.04)
	}
}

func TestWeights(t *testing.T) {
	servers := []ServerSpec{{Speed: 1}, {Speed: 2}, {Speed: 3}, {Speed: 4}}
	cfg := Config{Servers: servers, Load: 0.5, Requests: 20000}
	cfg.Balancer = NameWeightedRoundRobin
	r, err := simulate(cfg, 1)
	require.NoError(t, err)
	for i, s := range r.Servers {
		assert.InDelta(t, float64(i+1)/10, s.Share, 0.002, "smooth WRR shares follow the weights")
	}
	cfg.Balancer = NameRandom
	rnd, err := simulate(cfg, 1)
	require.NoError(t, err)
	for _, s := range rnd.Servers {
		assert.InDelta(t, 0.25, s.Share, 0.02, "random ignores weights")
	}
	assert.Greater(t, rnd.LoadCV, 3*r.LoadCV, "random overloads the slow server")
}

// TestCacheAffinity: consistent hashing keeps each key on one server, so a
// cache a third of the key space per server hits almost always; random
// spreads every key everywhere and hits about cache/keys of the time.
func TestCacheAffinity(t *testing.T) {
	cfg := Config{Servers: make([]ServerSpec, 4), Load: 0.3, Requests: 30000, Keys: 2000, CacheKeys: 600, MissFactor: 3,
		Warmup: 200 * time.Millisecond}
	cfg.Balancer = NameConsistentHash
	hash, err := simulate(cfg, 1)
	require.NoError(t, err)
	cfg.Balancer = NameRandom
	rnd, err := simulate(cfg, 1)
	require.NoError(t, err)
	assert.Greater(t, hash.HitRatio, 0.9)
	assert.InDelta(t, 0.3, rnd.HitRatio, 0.05)
	assert.Less(t, hash.Latency.Mean, rnd.Latency.Mean)
}

// TestSeveralBalancersStaleness: with eight balancer nodes that each know
// only their own requests and what responses report, JSQ herds onto the
// same servers; pushed load reports narrow the gap to one all-knowing
// balancer.
func TestSeveralBalancersStaleness(t *testing.T) {
	base := Config{Balancer: NameJSQ, Servers: make([]ServerSpec, 10), Load: 0.8, Requests: 40000,
		Warmup: 200 * time.Millisecond}
	one, err := simulate(base, 1)
	require.NoError(t, err)
	many := base
	many.Clients = 8
	stale, err := simulate(many, 1)
	require.NoError(t, err)
	many.ReportInterval = 100 * time.Microsecond
	pushed, err := simulate(many, 1)
	require.NoError(t, err)
	t.Logf("jsq mean latency: one balancer %.3fms, eight %.3fms, eight with reports %.3fms",
		one.Latency.Mean, stale.Latency.Mean, pushed.Latency.Mean)
	assert.Less(t, one.Latency.Mean, stale.Latency.Mean)
	assert.Less(t, pushed.Latency.Mean, stale.Latency.Mean)
}

// TestDuplicatesAndLoss: a network that duplicates and drops messages
// leaves the books balanced: duplicates are counted late, losses time out.
func TestDuplicatesAndLoss(t *testing.T) {
	cfg := Config{Balancer: NameLeastConnections, Servers: make([]ServerSpec, 4), Load: 0.5, Requests: 10000,
		Timeout: 50 * time.Millisecond,
		Link:    sim.LinkConfig{Latency: sim.Uniform(50*time.Microsecond, 150*time.Microsecond), Duplicate: 0.1, Drop: 0.01}}
	w, err := sim.New(sim.Config{Seed: 1, Link: cfg.Link})
	require.NoError(t, err)
	in, err := Build(w, cfg)
	require.NoError(t, err)
	w.Run()
	r := in.Result()
	assert.Positive(t, r.Late, "duplicated responses")
	assert.InDelta(t, 0.02, r.FailedFraction, 0.01, "about 2% of round trips lose a message")
	rep := in.Check(protocols.CheckRequest{World: w, Checks: []string{CheckAccounting}})
	require.Len(t, rep.Checks, 1)
	assert.Equal(t, checker.Holds, rep.Checks[0].Verdict, rep.Checks[0].Detail)
}

func TestConfigErrors(t *testing.T) {
	ok := Config{Requests: 10}
	tests := []struct {
		name string
		mod  func(*Config)
	}{
		{"spec", func(c *Config) { c.Balancer = "power-of-d:0" }},
		{"duplicate server", func(c *Config) { c.Servers = []ServerSpec{{Name: "a"}, {Name: "a"}} }},
		{"speed", func(c *Config) { c.Servers = []ServerSpec{{Speed: -1}} }},
		{"weight", func(c *Config) { c.Servers = []ServerSpec{{Weight: math.Inf(1)}} }},
		{"only spares", func(c *Config) { c.Servers = []ServerSpec{{JoinAt: time.Second}} }},
		{"clients", func(c *Config) { c.Clients = -1 }},
		{"service", func(c *Config) { c.Service.Kind = "uniform" }},
		{"pareto alpha", func(c *Config) { c.Service = Service{Kind: ServicePareto, Alpha: 1} }},
		{"load", func(c *Config) { c.Load = -0.5 }},
		{"endless", func(c *Config) { c.Requests = 0 }},
		{"zipf", func(c *Config) { c.Zipf = 0.5 }},
		{"link", func(c *Config) { c.Link = sim.LinkConfig{Latency: sim.Uniform(2, 1)} }},
		{"miss factor", func(c *Config) { c.MissFactor = 0.5 }},
		{"slowdown server", func(c *Config) { c.Slowdowns = []Slowdown{{Server: "x", Factor: 2}} }},
		{"slowdown factor", func(c *Config) { c.Slowdowns = []Slowdown{{Server: "n1"}} }},
		{"fault server", func(c *Config) { c.Faults = []Fault{{Kind: FaultCrash, Server: "x"}} }},
		{"fault kind", func(c *Config) { c.Faults = []Fault{{Kind: "pause", Server: "n1"}} }},
		{"variant", func(c *Config) { c.Variant = "nope" }},
	}
	_, err := simulate(ok, 1)
	require.NoError(t, err)
	_, err = simulate(Config{Balancer: "nope", Requests: 10}, 1)
	assert.ErrorIs(t, err, ErrUnknownBalancer)
	for _, tt := range tests {
		c := ok
		tt.mod(&c)
		_, err := simulate(c, 1)
		assert.ErrorIs(t, err, ErrInvalidConfig, tt.name)
	}
}

// TestBalancerRestart: a balancer node that crashes forgets its requests;
// after its restart, responses to the old ones find nothing (request ids
// carry the boot epoch) and its books balance from scratch.
func TestBalancerRestart(t *testing.T) {
	cfg := Config{Balancer: NamePeakEWMA, Servers: make([]ServerSpec, 3), Load: 0.9, Requests: 6000, Timeout: 20 * time.Millisecond}
	w, err := sim.New(sim.Config{Seed: 5, Link: DefaultLink})
	require.NoError(t, err)
	in, err := Build(w, cfg)
	require.NoError(t, err)
	c1 := in.Clients()[0]
	w.At(sim.Time(200*time.Millisecond), func(w *sim.World) { w.Crash(c1) })
	w.At(sim.Time(200*time.Millisecond+50*time.Microsecond), func(w *sim.World) { w.Restart(c1) })
	w.Run()
	r := in.Result()
	assert.Positive(t, r.Late, "responses to the first boot's requests reach the second")
	node := w.Node(c1).(*client)
	assert.Zero(t, node.mismatched)
	assert.Equal(t, uint64(2)<<idBits|1, node.base&^(1<<idBits-1)|1)
	rep := in.Check(protocols.CheckRequest{World: w, Checks: []string{CheckAccounting}})
	assert.Equal(t, checker.Holds, rep.Checks[0].Verdict, rep.Checks[0].Detail)
	assert.Equal(t, 6000, r.Requests, "the workload continues where it stopped")
}
