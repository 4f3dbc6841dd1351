package detector

import (
	"fmt"
	"time"

	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/sim"
)

// Protocol describes the failure detectors to the scenario loader: nodes
// n1..nN each send heartbeats to all others every interval and run the
// chosen detectors (both by default, on the very same heartbeats) on every
// peer. Crash, pause and partition them with faults to measure detection
// time and mistakes; the scenario's clients are not used.
func Protocol() protocols.Protocol {
	ms := float64(time.Millisecond)
	return protocols.Protocol{
		Name:    "detector",
		Summary: "heartbeat failure detectors (fixed timeout and phi accrual) with Chen-Toueg-Aguilera QoS metrics",
		Params: []protocols.Param{
			protocols.VariantParam(Variants),
			{Name: "detectors", Kind: protocols.String, Default: "both", Choices: []string{"both", NameFixed, NamePhi},
				Doc: "which detectors every node runs"},
			{Name: "interval", Kind: protocols.Duration, Default: 100 * time.Millisecond, Min: 0.01 * ms, Max: float64(time.Hour),
				Doc: "time between a node's heartbeats"},
			{Name: "timeout", Kind: protocols.Duration, Default: 500 * time.Millisecond, Min: 0.01 * ms, Max: float64(time.Hour),
				Doc: "fixed detector: suspect after this long without a heartbeat"},
			{Name: "threshold", Kind: protocols.Float, Default: 8.0, Min: 0.01, Max: 300,
				Doc: "phi detector: suspect when phi reaches this"},
			{Name: "window", Kind: protocols.Int, Default: 100, Min: 1, Max: 100000,
				Doc: "phi detector: inter-arrival times learned from"},
			{Name: "min_stddev", Kind: protocols.Duration, Default: 10 * time.Millisecond, Min: 0, Max: float64(time.Hour),
				Doc: "phi detector: floor of the learned standard deviation"},
			{Name: "acceptable_pause", Kind: protocols.Duration, Default: time.Duration(0), Min: 0, Max: float64(time.Hour),
				Doc: "phi detector: added to the learned mean"},
			{Name: "bound", Kind: protocols.Duration, Default: 2 * time.Second, Min: 0, Max: float64(time.Hour),
				Doc: "completeness: a crash must be suspected within this long (after the network is calm)"},
		},
		Checks: []protocols.CheckInfo{
			{Name: CheckCompleteness, Default: true,
				Summary: "every crashed node is suspected by every correct node within the bound after the network is calm"},
			{Name: CheckAccuracy, Default: true,
				Summary: "no correct node is suspected through the last bound of the run (eventual accuracy); lists every false suspicion"},
		},
		Setup: setup,
	}
}

// configFromParams builds a monitor Config from scenario parameters.
func configFromParams(p protocols.Params) (Config, error) {
	cfg := Config{Interval: p.Duration("interval"), Variant: Variant(p.String("variant"))}
	which := p.String("detectors")
	if which == "both" || which == NameFixed {
		cfg.Timeout = p.Duration("timeout")
	}
	if which == "both" || which == NamePhi {
		cfg.Phi = PhiConfig{Threshold: p.Float("threshold"), Window: p.Int("window"),
			MinStdDev: p.Duration("min_stddev"), AcceptablePause: p.Duration("acceptable_pause")}
	}
	return cfg, cfg.Validate()
}

type instance struct {
	nodes []sim.NodeID
	a     *Analysis
	bound time.Duration
}

func setup(env *protocols.Env) (protocols.Instance, error) {
	cfg, err := configFromParams(env.Params)
	if err != nil {
		return nil, err
	}
	if env.Nodes < 2 {
		return nil, fmt.Errorf("detector needs at least two nodes (nodes: 2 or more), not %d", env.Nodes)
	}
	if env.Clients != 0 {
		return nil, fmt.Errorf("detector has no clients (clients: 0), not %d", env.Clients)
	}
	w := env.World
	in := &instance{a: NewAnalysis(w.Name, cfg.Names()...), bound: env.Params.Duration("bound")}
	for i := 1; i <= env.Nodes; i++ {
		id, err := w.AddNode(fmt.Sprintf("n%d", i), NewMonitor(&cfg))
		if err != nil {
			return nil, err
		}
		in.nodes = append(in.nodes, id)
	}
	w.Observe(in.a.Observe)
	return in, nil
}

func (in *instance) Servers() []sim.NodeID { return in.nodes }

func (in *instance) Check(req protocols.CheckRequest) protocols.Report {
	end := req.World.Now()
	var rep protocols.Report
	for _, name := range req.Checks {
		switch name {
		case CheckCompleteness:
			rep.Checks = append(rep.Checks, in.a.Completeness(end, in.bound))
		case CheckAccuracy:
			rep.Checks = append(rep.Checks, in.a.Accuracy(end, in.bound))
		}
	}
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	for _, q := range in.a.QoS(end) {
		var worst time.Duration
		for _, d := range q.Detections {
			worst = max(worst, d)
		}
		rep.Stats = append(rep.Stats,
			protocols.Stat{Name: q.Detector + " crashes detected", Value: float64(len(q.Detections))},
			protocols.Stat{Name: q.Detector + " crashes undetected", Value: float64(q.Undetected)},
			protocols.Stat{Name: q.Detector + " mean detection time", Value: ms(q.MeanDetection()), Unit: "ms"},
			protocols.Stat{Name: q.Detector + " max detection time", Value: ms(worst), Unit: "ms"},
			protocols.Stat{Name: q.Detector + " false suspicions", Value: float64(len(q.Mistakes))},
			protocols.Stat{Name: q.Detector + " mistake rate", Value: q.MistakeRate(), Unit: "per pair-hour"},
			protocols.Stat{Name: q.Detector + " mean mistake duration", Value: ms(q.MeanMistakeDuration()), Unit: "ms"},
		)
	}
	return rep
}
