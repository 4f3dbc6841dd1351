package echo

import (
	"fmt"
	"time"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/sim"
)

// Protocol describes echo to the scenario loader: one server named "server"
// and the scenario's clients (c1, c2, ...), each sending the workload's
// share of its ops as pings, one every interval.
func Protocol() protocols.Protocol {
	return protocols.Protocol{
		Name:    "echo",
		Summary: "clients ping one server that echoes; the smallest protocol, for demos and kernel tests",
		Params: []protocols.Param{
			{Name: "interval", Kind: protocols.Duration, Default: time.Millisecond, Doc: "time between a client's pings",
				Min: float64(time.Microsecond), Max: float64(time.Hour)},
		},
		Checks: []protocols.CheckInfo{
			{Name: "echo", Summary: "every answered ping got its own pong", Default: true},
		},
		Ops:   []string{"ping"},
		Setup: setup,
	}
}

type instance struct{ server sim.NodeID }

func setup(env *protocols.Env) (protocols.Instance, error) {
	if env.Nodes != 1 {
		return nil, fmt.Errorf("echo has exactly one server (nodes: 1), not %d", env.Nodes)
	}
	w := env.World
	srv, err := w.AddNode("server", NewServer)
	if err != nil {
		return nil, err
	}
	for i := 0; i < env.Clients; i++ {
		cfg := ClientConfig{Pings: env.Workload.Share(i, env.Clients), Interval: env.Params.Duration("interval")}
		if _, err := w.AddNode(fmt.Sprintf("c%d", i+1), NewClient(srv, cfg)); err != nil {
			return nil, err
		}
	}
	return instance{server: srv}, nil
}

func (in instance) Servers() []sim.NodeID { return []sim.NodeID{in.server} }

func (in instance) Check(req protocols.CheckRequest) protocols.Report {
	r := Check(req.World.History())
	res := checker.Result{Check: "echo", Kind: checker.Safety, Verdict: checker.Holds,
		Detail: fmt.Sprintf("%d pings, %d answered, %d with the wrong pong", r.Pings, r.Answered, r.Wrong)}
	switch {
	case !r.Holds():
		res.Verdict = checker.Violated
	case r.Answered == 0:
		res = checker.Vacuously("echo", checker.Safety, fmt.Sprintf("%d pings, none answered", r.Pings))
	}
	return protocols.Report{
		Checks: []checker.Result{res},
		Stats: []protocols.Stat{
			{Name: "pings", Value: float64(r.Pings)},
			{Name: "answered", Value: float64(r.Answered)},
		},
	}
}
