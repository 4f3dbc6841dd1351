package lb

import (
	"fmt"
	"slices"
	"time"

	"github.com/dsimlab/dsim/protocols/chash"
	"github.com/dsimlab/dsim/sim"
	"github.com/dsimlab/dsim/stats"
)

// maxMoveKeys caps the keys a balancer node looks up to measure how many
// move on a membership change.
const maxMoveKeys = 100_000

// runtime is what every node of one run shares: the configuration, node
// ids and the recorder. Nodes only read it, except the recorder.
type runtime struct {
	cfg     Config
	rate    float64 // open-loop arrivals per second per client; 0: closed loop
	servers []sim.NodeID
	clients []sim.NodeID
	slow    [][]Slowdown // by server, in time order
	tags    []*slotTag   // by service slot
	// requests and responses allocate the messages in chunks.
	requests  slab[Request]
	responses slab[Response]
	keys      []uint64 // the workload's keys, for measuring moves
	rec       recorder
	start     sim.Time
	slo       struct {
		p99    time.Duration // 0: no limit
		failed float64       // 1: no limit
	}
}

// Instance is a request-serving experiment built in a World: its servers,
// balancer nodes and recorder. It is the protocols.Instance of protocol lb.
type Instance struct {
	rt *runtime
	w  *sim.World
}

// Build adds the experiment cfg describes to w: servers (named by their
// specs, n1, n2, ... by default) and balancer nodes c1, c2, .... It checks
// cfg first, and schedules cfg.Slowdowns and cfg.Faults (a scenario leaves
// Faults empty and schedules its own). It ignores cfg.Link: the World's
// network applies, so give sim.New cfg.Link (or DefaultLink).
func Build(w *sim.World, cfg Config) (*Instance, error) {
	cfg, err := cfg.normalized()
	if err != nil {
		return nil, err
	}
	rt := &runtime{cfg: cfg, rate: cfg.clientRate(), slow: make([][]Slowdown, len(cfg.Servers)), start: w.Now()}
	rt.slo.failed = 1
	rt.rec.warmup = w.Now().Add(cfg.Warmup)
	rt.rec.servers = make([]serverRec, len(cfg.Servers))
	rt.rec.clients = make([]clientRec, cfg.Clients)
	byName := map[string]int{}
	for i, s := range cfg.Servers {
		byName[s.Name] = i
	}
	sl := slices.Clone(cfg.Slowdowns)
	slices.SortStableFunc(sl, func(a, b Slowdown) int { return int(a.At - b.At) })
	for _, s := range sl {
		rt.slow[byName[s.Server]] = append(rt.slow[byName[s.Server]], s)
	}
	if name, _, _ := ParseSpec(cfg.Balancer, cfg.Options); name == NameConsistentHash && cfg.Keys > 1 {
		rt.keys = make([]uint64, min(cfg.Keys, maxMoveKeys))
		for i := range rt.keys {
			rt.keys[i] = chash.Mix64(uint64(i))
		}
	}
	for i := range cfg.Servers {
		spec := &rt.cfg.Servers[i]
		id, err := w.AddNode(spec.Name, func() sim.Node { return &server{rt: rt, idx: i, spec: spec} })
		if err != nil {
			return nil, fmt.Errorf("lb: %w", err)
		}
		rt.servers = append(rt.servers, id)
	}
	for i := 0; i < cfg.Clients; i++ {
		name := fmt.Sprintf("c%d", i+1)
		share := 0
		if cfg.Requests > 0 {
			share = cfg.Requests / cfg.Clients
			if i < cfg.Requests%cfg.Clients {
				share++
			}
		}
		wl := newWorkload(&rt.cfg, rt.rate, w.Stream("workload/"+name), i, share)
		id, err := w.AddNode(name, func() sim.Node { return &client{rt: rt, idx: i, wl: wl} })
		if err != nil {
			return nil, fmt.Errorf("lb: %w", err)
		}
		rt.clients = append(rt.clients, id)
	}
	for _, s := range sl {
		fact := SlowedDown{Server: s.Server, Factor: s.Factor, Service: s.Service}
		id := rt.servers[byName[s.Server]]
		w.At(sim.Time(s.At), func(w *sim.World) { w.Context(id).Record(fact) })
		if s.Until > 0 {
			w.At(sim.Time(s.Until), func(w *sim.World) { w.Context(id).Record(SpedUp{Server: s.Server}) })
		}
	}
	rt.scheduleFaults(w, byName)
	return &Instance{rt: rt, w: w}, nil
}

// scheduleFaults schedules the configuration's crashes and restarts;
// byName indexes the servers by name.
func (rt *runtime) scheduleFaults(w *sim.World, byName map[string]int) {
	for _, f := range rt.cfg.Faults {
		id := rt.servers[byName[f.Server]]
		switch f.Kind {
		case FaultCrash:
			w.At(sim.Time(f.At), func(w *sim.World) { w.Crash(id) })
		case FaultRestart:
			w.At(sim.Time(f.At), func(w *sim.World) { w.Restart(id) })
		}
	}
}

// slowdown returns the slowdown in force at server i at now (the
// latest-starting window that contains now), or nil.
func (rt *runtime) slowdown(i int, now sim.Time) *Slowdown {
	var in *Slowdown
	for k := range rt.slow[i] {
		sl := &rt.slow[i][k]
		if now >= sim.Time(sl.At) && (sl.Until == 0 || now < sim.Time(sl.Until)) {
			in = sl
		}
	}
	return in
}

// nextSpeedChange returns the first start or end of a slowdown of server
// i after now.
func (rt *runtime) nextSpeedChange(i int, now sim.Time) (sim.Time, bool) {
	next, ok := sim.Never, false
	for _, sl := range rt.slow[i] {
		for _, t := range []time.Duration{sl.At, sl.Until} {
			if at := sim.Time(t); t > 0 && at > now && at < next {
				next, ok = at, true
			}
		}
	}
	return next, ok
}

// tag returns the timer tag of service slot i.
func (rt *runtime) tag(i int32) *slotTag {
	for int(i) >= len(rt.tags) {
		rt.tags = append(rt.tags, &slotTag{slot: int32(len(rt.tags))})
	}
	return rt.tags[i]
}

// Servers returns the server nodes, spares included, in order: the fault
// targets.
func (in *Instance) Servers() []sim.NodeID { return slices.Clone(in.rt.servers) }

// Clients returns the balancer nodes, in order.
func (in *Instance) Clients() []sim.NodeID { return slices.Clone(in.rt.clients) }

// Config returns the configuration the instance runs, defaults filled in.
func (in *Instance) Config() Config { return in.rt.cfg }

// Result is what one run of an experiment measured. Times are in
// milliseconds unless a name says otherwise.
type Result struct {
	Balancer string `json:"balancer"`
	Seed     uint64 `json:"seed"`
	// Requests counts the requests issued; Completed those answered in
	// time; Failed those that timed out (or found no server); Late the
	// responses that arrived after their request timed out, or twice.
	// Requests still waiting when the run ended are in none of the last
	// three.
	Requests  int `json:"requests"`
	Completed int `json:"completed"`
	Failed    int `json:"failed"`
	Late      int `json:"late"`
	// FailedFraction is Failed/Requests.
	FailedFraction float64 `json:"failed_fraction"`
	// Latency is the end-to-end time of the requests sent after the
	// warmup, as the balancer node measured it, counting each request that
	// timed out as taking the timeout (the tail that matters: a balancer
	// that loses the slow requests cannot show a flattering p99);
	// Answered is the same for answered requests only, and Sojourn their
	// time in system at the server. Percentiles come from a stats.Sketch,
	// within stats.SketchAccuracy of the exact ones; N, mean, minimum and
	// maximum are exact.
	Latency  stats.Summary `json:"latency_ms"`
	Answered stats.Summary `json:"answered_ms"`
	Sojourn  stats.Summary `json:"sojourn_ms"`
	// TimedOut counts the requests sent after the warmup that timed out
	// (Latency counts them; Answered does not).
	TimedOut int `json:"timed_out"`
	// Servers describes each server's share of the work.
	Servers []ServerResult `json:"servers"`
	// LoadMaxOverMean and LoadCV describe the spread of utilisation over
	// the servers that were members from the start.
	LoadMaxOverMean float64 `json:"load_max_over_mean"`
	LoadCV          float64 `json:"load_cv"`
	// HitRatio is the fraction of cache lookups that hit, over all
	// servers, or 0 without caches.
	HitRatio float64 `json:"hit_ratio"`
	// Moves lists membership changes and the keys they moved (consistent
	// hashing only).
	Moves []Move `json:"moves,omitempty"`
	// LatencySketch holds the latencies Latency summarises, timed-out
	// requests at the timeout, for plots (see stats.Sketch.Points).
	LatencySketch *stats.Sketch `json:"-"`
	// Events, Fingerprint and SimTime identify the run.
	Events      uint64        `json:"events"`
	Fingerprint uint64        `json:"fingerprint"`
	SimTime     time.Duration `json:"sim_time_ns"`
}

// ServerResult is one server's share of a run, after the warmup.
type ServerResult struct {
	Name   string  `json:"name"`
	Speed  float64 `json:"speed"`
	Weight float64 `json:"weight"`
	// Requests counts the requests that arrived after the warmup; Share is
	// their fraction of all servers' requests.
	Requests int     `json:"requests"`
	Share    float64 `json:"share"`
	// Utilisation is the fraction of time in service (of the workers'
	// time, with several; of one request's full speed, under processor
	// sharing without a limit, so it can exceed 1), MeanQueue the
	// time-averaged number of requests present (Σ sojourn / time), both
	// over the server's time as a member from the warmup to the last
	// arrival or departure at any server; MaxQueue the
	// longest queue any arrival saw, over the whole run.
	Utilisation float64 `json:"utilisation"`
	MeanQueue   float64 `json:"mean_queue"`
	MaxQueue    int     `json:"max_queue"`
	// MeanSojourn is the mean time in system, in milliseconds.
	MeanSojourn float64 `json:"mean_sojourn_ms"`
	HitRatio    float64 `json:"hit_ratio"`
}

// Result summarises the run so far.
func (in *Instance) Result() *Result {
	rt, rec := in.rt, &in.rt.rec
	r := &Result{Balancer: rt.cfg.Balancer, Seed: in.w.Seed(), Events: in.w.Events(),
		Fingerprint: in.w.Fingerprint(), SimTime: time.Duration(in.w.Now())}
	for _, c := range rec.clients {
		r.Requests += c.issued
		r.Completed += c.completed
		r.Failed += c.failed + c.noServer
		r.Late += c.late
	}
	if r.Requests > 0 {
		r.FailedFraction = float64(r.Failed) / float64(r.Requests)
	}
	r.TimedOut = rec.timedOut
	r.Answered, r.Sojourn = rec.latency.Summary(), rec.sojourn.Summary()
	r.LatencySketch = rec.latency.Clone()
	r.LatencySketch.AddN(float64(rt.cfg.Timeout)/1e6, rec.timedOut)
	r.Latency = r.LatencySketch.Summary()
	// Utilisation spans the servers' activity: a drained run ends when the
	// last timer of an idle balancer fires, which is no part of it.
	end := min(in.w.Now(), rec.last)
	total, hits, lookups := 0, 0, 0
	for _, s := range rec.servers {
		total += s.arrivals
	}
	var util []float64
	for i, spec := range rt.cfg.Servers {
		s := rec.servers[i]
		sr := ServerResult{Name: spec.Name, Speed: spec.Speed, Weight: spec.Weight, Requests: s.arrivals, MaxQueue: s.maxQueue}
		if total > 0 {
			sr.Share = float64(s.arrivals) / float64(total)
		}
		from := max(rec.warmup, rt.start.Add(spec.JoinAt))
		if span := float64(end - from); span > 0 {
			sr.Utilisation = s.busy / span / float64(max(rt.cfg.Workers, 1))
			sr.MeanQueue = s.area / span
		}
		if s.served > 0 {
			sr.MeanSojourn = s.area / float64(s.served) / 1e6
		}
		if n := s.hits + s.misses; n > 0 {
			sr.HitRatio = float64(s.hits) / float64(n)
		}
		hits += s.hits
		lookups += s.hits + s.misses
		if spec.JoinAt == 0 {
			util = append(util, sr.Utilisation)
		}
		r.Servers = append(r.Servers, sr)
	}
	r.LoadMaxOverMean = stats.MaxOverMean(util)
	r.LoadCV = stats.CV(util)
	if lookups > 0 {
		r.HitRatio = float64(hits) / float64(lookups)
	}
	r.Moves = slices.Clone(rec.moves)
	return r
}
