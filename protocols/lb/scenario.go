package lb

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/protocols/chash"
	"github.com/dsimlab/dsim/sim"
)

// Check names.
const (
	// CheckAccounting verifies every balancer node's bookkeeping: each
	// request issued is completed, failed or still waiting, each server's
	// outstanding count equals the node's requests waiting on it, every
	// response matches the server its request went to, and no more
	// requests completed than servers served.
	CheckAccounting = "accounting"
	// CheckSLO verifies the service level the scenario asks for: latency
	// p99 at most slo_p99 and at most a fraction slo_failed of requests
	// failed.
	CheckSLO = "slo"
)

// Protocol describes lb to the scenario loader. The scenario's nodes are the
// servers n1..nN, its clients the balancer nodes c1..cM, each generating
// its share of the workload (ops in all; rate per client, or the load
// parameter) and routing it; spares n(N+1)... join at add_at. Workload keys
// and zipf_s choose request keys; timeout bounds each request.
func Protocol() protocols.Protocol {
	d := func(x time.Duration) float64 { return float64(x) }
	return protocols.Protocol{
		Name:    "lb",
		Summary: "balancer nodes route requests to FIFO servers; latency, load and keys moved, against queueing theory",
		Params: []protocols.Param{
			{Name: "balancer", Kind: protocols.String, Default: NamePowerOfD, Choices: Names(),
				Doc: "the algorithm every balancer node runs"},
			{Name: "d", Kind: protocols.Int, Default: DefaultD, Doc: "power-of-d: servers sampled per request", Min: 1, Max: 1024},
			{Name: "replace", Kind: protocols.Bool, Default: false,
				Doc: "power-of-d: draw with replacement (the supermarket model), not d distinct servers"},
			{Name: "decay", Kind: protocols.Duration, Default: DefaultDecay, Doc: "peak-ewma: time constant of the latency average",
				Min: d(time.Microsecond), Max: d(time.Hour)},
			{Name: "hash", Kind: protocols.String, Default: DefaultHash, Choices: chash.Names(),
				Doc: "consistent-hash: the chash algorithm"},
			{Name: "service", Kind: protocols.String, Default: ServiceExponential,
				Choices: ServiceKinds(), Doc: "distribution of request sizes"},
			{Name: "service_stddev", Kind: protocols.Duration, Default: time.Duration(0),
				Doc: "normal: standard deviation of request sizes (0: a quarter of the mean)", Min: 0, Max: d(time.Hour)},
			{Name: "workers", Kind: protocols.Int, Default: 1, Min: 0, Max: maxWorkers,
				Doc: "requests a server serves at once (c of M/M/c; 0: every request present, as a backend that only waits)"},
			{Name: "discipline", Kind: protocols.String, Default: DisciplineFIFO, Choices: []string{DisciplineFIFO, DisciplinePS},
				Doc: "fifo: workers serve in arrival order, the rest wait; ps: processor sharing among all present"},
			{Name: "arrivals", Kind: protocols.String, Default: ArrivalsPoisson, Choices: []string{ArrivalsPoisson, ArrivalsDeterministic},
				Doc: "open loop: exponential gaps, or one request every 1/rate"},
			{Name: "slowdowns", Kind: protocols.String, Default: "",
				Doc: "slow servers, comma-separated: SERVER@FROM[-UNTIL]*FACTOR or SERVER@FROM[-UNTIL]=SERVICE, e.g. n3@15s-45s=2s"},
			{Name: "service_mean", Kind: protocols.Duration, Default: time.Millisecond, Doc: "mean request size (service time at speed 1)",
				Min: d(time.Nanosecond), Max: d(time.Hour)},
			{Name: "sigma", Kind: protocols.Float, Default: 1.0, Doc: "lognormal: shape, the standard deviation of the log", Min: 0.01, Max: 10},
			{Name: "alpha", Kind: protocols.Float, Default: 2.5, Doc: "pareto: tail index (above 1)", Min: 1.01, Max: 100},
			{Name: "load", Kind: protocols.Float, Default: 0.0, Min: 0, Max: 100,
				Doc: "open-loop utilisation of the initial servers; overrides the workload rate (0: use it)"},
			{Name: "concurrency", Kind: protocols.Int, Default: 1, Min: 1, Max: 1 << 20,
				Doc: "closed loop (no rate, no load): requests in flight per client"},
			{Name: "speeds", Kind: protocols.String, Default: "",
				Doc: "comma-separated server speeds, one per server, spares last (empty: all 1)"},
			{Name: "weights", Kind: protocols.String, Default: "",
				Doc: "comma-separated balancer weights, one per server (empty: the speeds)"},
			{Name: "spares", Kind: protocols.Int, Default: 0, Min: 0, Max: 1 << 16, Doc: "servers added mid-run, named after the initial ones"},
			{Name: "add_at", Kind: protocols.Duration, Default: time.Duration(0), Doc: "when the spares join"},
			{Name: "slow_server", Kind: protocols.String, Default: "", Doc: "a server that slows down mid-run (empty: none)"},
			{Name: "slow_at", Kind: protocols.Duration, Default: time.Duration(0), Doc: "when slow_server slows down"},
			{Name: "slow_factor", Kind: protocols.Float, Default: 4.0, Min: 0.001, Max: 1e6, Doc: "how many times slower it gets"},
			{Name: "warmup", Kind: protocols.Duration, Default: time.Duration(0), Doc: "requests sent earlier are left out of the statistics"},
			{Name: "report_interval", Kind: protocols.Duration, Default: time.Duration(0),
				Doc: "servers also push their queue length to every balancer this often (0: only on responses)"},
			{Name: "eject_after", Kind: protocols.Int, Default: 0, Min: 0, Max: 1 << 20,
				Doc: "consecutive timeouts after which a balancer ejects a server (0: never)"},
			{Name: "eject_for", Kind: protocols.Duration, Default: time.Second, Doc: "how long an ejection lasts",
				Min: d(time.Nanosecond), Max: d(24 * time.Hour)},
			{Name: "cache_keys", Kind: protocols.Int, Default: 0, Min: 0, Max: 1 << 24, Doc: "keys each server caches (0: no cache)"},
			{Name: "miss_factor", Kind: protocols.Float, Default: 4.0, Min: 1, Max: 1e6, Doc: "a cache miss costs this many times the request size"},
			{Name: "history", Kind: protocols.Bool, Default: false, Doc: "record every request in the run's history (slow)"},
			{Name: "slo_p99", Kind: protocols.Duration, Default: time.Duration(0), Doc: "slo check: latency p99 limit (0: none)"},
			{Name: "slo_failed", Kind: protocols.Float, Default: 1.0, Min: 0, Max: 1, Doc: "slo check: largest fraction of failed requests"},
			{Name: "variant", Kind: protocols.String, Default: VariantCorrect, Choices: Variants(), Doc: "bug-zoo variant of the balancer node"},
		},
		Checks: []protocols.CheckInfo{
			{Name: CheckAccounting, Summary: "every request is completed, failed or waiting; outstanding counts match", Default: true},
			{Name: CheckSLO, Summary: "latency p99 and failed fraction within slo_p99 and slo_failed"},
		},
		Ops:   []string{"request"},
		Setup: setup,
	}
}

func setup(env *protocols.Env) (protocols.Instance, error) {
	cfg, err := ConfigFromEnv(env)
	if err != nil {
		return nil, err
	}
	in, err := Build(env.World, cfg)
	if err != nil {
		return nil, err
	}
	in.rt.slo.p99, in.rt.slo.failed = env.Params.Duration("slo_p99"), env.Params.Float("slo_failed")
	return in, nil
}

// ConfigFromEnv translates a scenario's settings into a Config: protocol
// parameters, server and client counts, workload and duration. The
// network and faults stay with the scenario.
func ConfigFromEnv(env *protocols.Env) (Config, error) {
	p, wl := env.Params, env.Workload
	if env.Clients < 1 {
		return Config{}, fmt.Errorf("%w: lb needs at least one client (a balancer node)", ErrInvalidConfig)
	}
	spares := p.Int("spares")
	n := env.Nodes + spares
	speeds, err := floatList(p.String("speeds"), n, "speeds")
	if err != nil {
		return Config{}, err
	}
	weights, err := floatList(p.String("weights"), n, "weights")
	if err != nil {
		return Config{}, err
	}
	if spares > 0 && p.Duration("add_at") <= 0 {
		return Config{}, fmt.Errorf("%w: spares = %d but add_at is not set", ErrInvalidConfig, spares)
	}
	servers := make([]ServerSpec, n)
	for i := range servers {
		servers[i] = ServerSpec{Name: fmt.Sprintf("n%d", i+1)}
		if speeds != nil {
			servers[i].Speed = speeds[i]
		}
		if weights != nil {
			servers[i].Weight = weights[i]
		}
		if i >= env.Nodes {
			servers[i].JoinAt = p.Duration("add_at")
		}
	}
	cfg := Config{
		Balancer: p.String("balancer"),
		Options:  Options{D: p.Int("d"), Replace: p.Bool("replace"), Decay: p.Duration("decay"), Hash: p.String("hash")},
		Servers:  servers, Clients: env.Clients,
		Service: Service{Kind: p.String("service"), Mean: p.Duration("service_mean"),
			Sigma: p.Float("sigma"), Alpha: p.Float("alpha"), StdDev: p.Duration("service_stddev")},
		Workers: workers(p.Int("workers")), Discipline: p.String("discipline"), Arrivals: p.String("arrivals"),
		Load: p.Float("load"), Rate: wl.Rate, Concurrency: p.Int("concurrency"), Think: wl.Think,
		Requests: wl.Ops, Keys: wl.Keys, Timeout: wl.Timeout, Warmup: p.Duration("warmup"), Duration: env.Duration,
		ReportInterval: p.Duration("report_interval"), EjectAfter: p.Int("eject_after"), EjectFor: p.Duration("eject_for"),
		CacheKeys: p.Int("cache_keys"), MissFactor: p.Float("miss_factor"),
		History: p.Bool("history"), Variant: p.String("variant"),
	}
	if wl.Distribution == "zipf" {
		cfg.Zipf = wl.ZipfS
	}
	if s := p.String("slow_server"); s != "" {
		cfg.Slowdowns = []Slowdown{{Server: s, At: p.Duration("slow_at"), Factor: p.Float("slow_factor")}}
	}
	more, err := ParseSlowdowns(p.String("slowdowns"))
	if err != nil {
		return Config{}, err
	}
	cfg.Slowdowns = append(cfg.Slowdowns, more...)
	return cfg, nil
}

// workers maps the workers parameter to Config.Workers: 0 is Unlimited.
func workers(n int) int {
	if n == 0 {
		return Unlimited
	}
	return n
}

// ParseSlowdowns parses the slowdowns parameter: comma-separated entries
// SERVER@FROM[-UNTIL]*FACTOR (the server's speed divided by FACTOR) or
// SERVER@FROM[-UNTIL]=SERVICE (every request served in the window takes
// SERVICE), with Go durations, e.g. "n3@15s-45s=2s, n5@1s*4". "" gives nil.
func ParseSlowdowns(spec string) ([]Slowdown, error) {
	var out []Slowdown
	for _, entry := range strings.Split(spec, ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		sl, err := parseSlowdown(entry)
		if err != nil {
			return nil, fmt.Errorf("%w: slowdown %q: %w (want e.g. n3@15s-45s=2s or n3@1s*4)", ErrInvalidConfig, entry, err)
		}
		out = append(out, sl)
	}
	return out, nil
}

func parseSlowdown(entry string) (Slowdown, error) {
	server, rest, ok := strings.Cut(entry, "@")
	if !ok || server == "" {
		return Slowdown{}, errors.New("no SERVER@")
	}
	sl := Slowdown{Server: server}
	i := strings.IndexAny(rest, "*=")
	if i < 0 {
		return sl, errors.New("no *FACTOR or =SERVICE")
	}
	window, how := rest[:i], rest[i+1:]
	from, until, hasUntil := strings.Cut(window, "-")
	var err error
	if sl.At, err = time.ParseDuration(from); err != nil {
		return sl, err
	}
	if hasUntil {
		if sl.Until, err = time.ParseDuration(until); err != nil {
			return sl, err
		}
	}
	if rest[i] == '*' {
		sl.Factor, err = strconv.ParseFloat(how, 64)
	} else {
		sl.Service, err = time.ParseDuration(how)
	}
	return sl, err
}

// floatList parses "1, 2.5, 4" into exactly n numbers; "" gives nil.
func floatList(s string, n int, what string) ([]float64, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	parts := strings.Split(s, ",")
	if len(parts) != n {
		return nil, fmt.Errorf("%w: %s has %d values, want one per server (%d)", ErrInvalidConfig, what, len(parts), n)
	}
	out := make([]float64, n)
	for i, p := range parts {
		x, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || !(x > 0) || math.IsInf(x, 0) {
			return nil, fmt.Errorf("%w: %s[%d] = %q is not a positive number", ErrInvalidConfig, what, i, strings.TrimSpace(p))
		}
		out[i] = x
	}
	return out, nil
}

// Check runs the named checks on the finished run and reports its
// statistics.
func (in *Instance) Check(req protocols.CheckRequest) protocols.Report {
	r := in.Result()
	var out []checker.Result
	for _, name := range req.Checks {
		switch name {
		case CheckAccounting:
			out = append(out, in.accounting())
		case CheckSLO:
			out = append(out, in.slo(r))
		}
	}
	return protocols.Report{Checks: out, Stats: r.Stats()}
}

// accounting checks every live balancer node's bookkeeping against its
// pending requests, and completions against services.
func (in *Instance) accounting() checker.Result {
	res := checker.Result{Check: CheckAccounting, Kind: checker.Safety, Verdict: checker.Holds}
	var problems []string
	offending := map[string]bool{}
	checked, down := 0, 0
	completed := 0
	for _, id := range in.rt.clients {
		completed += in.rt.rec.clients[indexOf(in.rt.clients, id)].completed
		node, ok := in.w.Node(id).(*client)
		if !ok {
			down++
			continue
		}
		checked++
		name := in.w.Name(id)
		open := 0
		per := make([]int, len(node.view.Servers))
		for _, p := range node.pend[node.head:] {
			if p.state == waiting {
				open++
				per[p.server]++
			}
		}
		if node.issued != node.completed+node.failed+open {
			problems = append(problems, fmt.Sprintf("%s issued %d requests but %d completed + %d failed + %d waiting = %d",
				name, node.issued, node.completed, node.failed, open, node.completed+node.failed+open))
			offending[name] = true
		}
		for i := range per {
			if o := node.view.Servers[i].Outstanding; o != per[i] {
				problems = append(problems, fmt.Sprintf("%s counts %d outstanding on %s but %d are waiting",
					name, o, node.view.Servers[i].Name, per[i]))
				offending[name] = true
			}
		}
		if node.mismatched > 0 {
			problems = append(problems, fmt.Sprintf("%s got %d responses from a server other than the request's", name, node.mismatched))
			offending[name] = true
		}
	}
	served := 0
	for _, s := range in.rt.rec.servers {
		served += s.total
	}
	if completed > served {
		problems = append(problems, fmt.Sprintf("%d requests completed but servers served only %d", completed, served))
	}
	if len(problems) > 0 {
		res.Verdict = checker.Violated
		if len(problems) > 3 {
			problems = append(problems[:3], fmt.Sprintf("and %d more", len(problems)-3))
		}
		res.Detail = strings.Join(problems, "; ")
		for _, id := range in.rt.clients {
			if n := in.w.Name(id); offending[n] {
				res.Offending = append(res.Offending, n)
			}
		}
		return res
	}
	res.Detail = fmt.Sprintf("%d balancer nodes balanced their books (%d requests completed, %d served)", checked, completed, served)
	if down > 0 {
		res.Detail += fmt.Sprintf("; %d were down at the end and not checked", down)
	}
	return res
}

func indexOf(ids []sim.NodeID, id sim.NodeID) int {
	for i, x := range ids {
		if x == id {
			return i
		}
	}
	return -1
}

// slo checks the p99 latency and failed fraction against the scenario's
// limits.
func (in *Instance) slo(r *Result) checker.Result {
	res := checker.Result{Check: CheckSLO, Kind: checker.Liveness, Verdict: checker.Holds}
	p99 := in.rt.slo.p99
	failed := in.rt.slo.failed
	if p99 <= 0 && failed >= 1 {
		res.Verdict = checker.Inconclusive
		res.Detail = "no limits set (slo_p99, slo_failed)"
		return res
	}
	var bad []string
	if p99 > 0 && r.Latency.P99 > float64(p99)/1e6 {
		bad = append(bad, fmt.Sprintf("p99 %.3fms exceeds %v", r.Latency.P99, p99))
	}
	if r.FailedFraction > failed {
		bad = append(bad, fmt.Sprintf("%.4f of requests failed, more than %v", r.FailedFraction, failed))
	}
	if len(bad) > 0 {
		res.Verdict = checker.Violated
		res.Detail = strings.Join(bad, "; ")
		return res
	}
	res.Detail = fmt.Sprintf("p99 %.3fms, %.4f failed: within limits", r.Latency.P99, r.FailedFraction)
	return res
}

// Stats lists the result as scenario statistics: counts, latency in
// milliseconds (timed-out requests counted at the timeout; "answered" for
// the answered ones alone), load spread, cache hits, each server's
// utilisation, share and longest queue, and keys moved by each membership
// change.
func (r *Result) Stats() []protocols.Stat {
	st := []protocols.Stat{
		{Name: "requests", Value: float64(r.Requests)},
		{Name: "completed", Value: float64(r.Completed)},
		{Name: "failed", Value: float64(r.Failed)},
		{Name: "late responses", Value: float64(r.Late)},
		{Name: "latency mean", Value: r.Latency.Mean, Unit: "ms"},
		{Name: "latency p50", Value: r.Latency.P50, Unit: "ms"},
		{Name: "latency p90", Value: r.Latency.P90, Unit: "ms"},
		{Name: "latency p99", Value: r.Latency.P99, Unit: "ms"},
		{Name: "latency p99.9", Value: r.Latency.P999, Unit: "ms"},
		{Name: "timed out", Value: float64(r.TimedOut)},
		{Name: "answered mean", Value: r.Answered.Mean, Unit: "ms"},
		{Name: "answered p99", Value: r.Answered.P99, Unit: "ms"},
		{Name: "sojourn mean", Value: r.Sojourn.Mean, Unit: "ms"},
		{Name: "load max/mean", Value: r.LoadMaxOverMean},
		{Name: "load cv", Value: r.LoadCV},
	}
	if r.HitRatio > 0 {
		st = append(st, protocols.Stat{Name: "cache hit ratio", Value: r.HitRatio})
	}
	for _, s := range r.Servers {
		st = append(st, protocols.Stat{Name: s.Name + " utilisation", Value: s.Utilisation},
			protocols.Stat{Name: s.Name + " share", Value: s.Share},
			protocols.Stat{Name: s.Name + " max queue", Value: float64(s.MaxQueue)})
	}
	for _, m := range r.Moves {
		st = append(st, protocols.Stat{Name: fmt.Sprintf("keys moved at %v by %s (%s)", m.At.Round(time.Millisecond), m.Balancer, m.Change), Value: m.Moved})
	}
	return st
}
