package register

import (
	"embed"
	"fmt"
	"io/fs"
	"slices"
	"time"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/sim"
)

// DurableCheck is the name of the check that no replica forgets, in a
// crash, a value it had acknowledged.
const DurableCheck = "durable"

// Protocol describes the register to dsim: its parameters, its checks and
// how to set it up. Scenario files name it "register".
func Protocol() protocols.Protocol {
	return protocols.Protocol{
		Name:    "register",
		Summary: "an ABD replicated read/write register (an example from outside dsim)",
		Params: []protocols.Param{
			{Name: "variant", Kind: protocols.String, Default: Correct,
				Choices: []string{Correct, StaleRead, NoSync}, Doc: "the protocol, or a planted bug"},
			{Name: "retry", Kind: protocols.Duration, Default: 20 * time.Millisecond,
				Min: float64(time.Millisecond), Max: float64(10 * time.Second), Doc: "resend to silent replicas after this"},
		},
		Checks: []protocols.CheckInfo{
			{Name: checker.LinearizabilityCheck, Default: true, Summary: "the history is linearizable (porcupine)"},
			{Name: DurableCheck, Default: true, Summary: "no replica forgets in a crash a value it acknowledged"},
		},
		Ops:   []string{"read", "write"},
		Setup: setup,
	}
}

// cluster is the register set up in a World.
type cluster struct {
	replicas []sim.NodeID
	durable  *durable
}

// setup adds replicas r1, r2, ... and clients c1, c2, ... to the World.
func setup(env *protocols.Env) (protocols.Instance, error) {
	w, variant := env.World, env.Params.String("variant")
	cl := &cluster{durable: watch(w)}
	for i := range env.Nodes {
		id, err := w.AddNode(fmt.Sprintf("r%d", i+1), NewReplica(variant))
		if err != nil {
			return nil, err
		}
		cl.replicas = append(cl.replicas, id)
	}
	for i := range env.Clients {
		cfg := ClientConfig{Replicas: cl.replicas, Ops: env.Workload.Share(i, env.Clients),
			Workload: env.Workload, Retry: env.Params.Duration("retry"), Variant: variant}
		if _, err := w.AddNode(fmt.Sprintf("c%d", i+1), NewClient(cfg)); err != nil {
			return nil, err
		}
	}
	return cl, nil
}

// Servers are the replicas: the nodes faults may strike.
func (cl *cluster) Servers() []sim.NodeID { return cl.replicas }

// Check runs the checks the scenario asks for.
func (cl *cluster) Check(req protocols.CheckRequest) protocols.Report {
	var rep protocols.Report
	for _, name := range req.Checks {
		switch name {
		case checker.LinearizabilityCheck:
			rep.Checks = append(rep.Checks, linearizable(req, &rep))
		case DurableCheck:
			rep.Checks = append(rep.Checks, cl.durable.result())
		}
	}
	returned := 0
	for _, op := range req.World.History() {
		if op.Returned {
			returned++
		}
	}
	rep.Stats = []protocols.Stat{{Name: "operations returned", Value: float64(returned)}}
	return rep
}

// linearizable checks the history with porcupine. A history the checker
// cannot read is inconclusive, never a pass.
func linearizable(req protocols.CheckRequest, rep *protocols.Report) checker.Result {
	ops := checker.FromSim(req.World.History())
	res, err := checker.CheckLinearizable(checker.RegisterModel(), ops, req.Budget)
	if err != nil {
		return checker.Result{Check: checker.LinearizabilityCheck, Verdict: checker.Inconclusive, Detail: err.Error()}
	}
	if res.Verdict == checker.Violated {
		rep.Visualization = res.WriteVisualization
	}
	return res.Result
}

// durable reads the replicas' facts as they are recorded: what each
// adopted (and so acknowledged), and what it read back when it restarted.
type durable struct {
	acked  map[sim.NodeID]Timestamp
	forgot []string // what was forgotten, as sentences
	nodes  []string // the replicas at fault, sorted
}

func watch(w *sim.World) *durable {
	d := &durable{acked: map[sim.NodeID]Timestamp{}}
	sim.ObserveFacts(w, func(e *sim.Event, a Adopted) { d.acked[e.Node] = a.TS })
	sim.ObserveFacts(w, func(e *sim.Event, r Recovered) {
		if acked := d.acked[e.Node]; r.TS.Less(acked) {
			name := w.Name(e.Node)
			d.forgot = append(d.forgot, fmt.Sprintf("%s restarted at %v with %v, having acknowledged %v", name, e.Time, r.TS, acked))
			if !slices.Contains(d.nodes, name) {
				d.nodes = append(d.nodes, name)
				slices.Sort(d.nodes)
			}
		}
	})
	return d
}

func (d *durable) result() checker.Result {
	r := checker.Result{Check: DurableCheck, Verdict: checker.Holds, Detail: "no replica forgot an acknowledged value"}
	if len(d.forgot) > 0 {
		r.Verdict, r.Offending = checker.Violated, d.nodes
		r.Detail = fmt.Sprintf("%d restarts forgot an acknowledged value; the first: %s", len(d.forgot), d.forgot[0])
	}
	return r
}

//go:embed scenarios/*.yaml
var files embed.FS

// Scenarios holds the example's scenario files, calm.yaml, lossy.yaml and
// crashes.yaml, at its root: what its command and tests know by name.
var Scenarios = func() fs.FS {
	sub, err := fs.Sub(files, "scenarios")
	if err != nil {
		panic(err) // "scenarios" is a valid path
	}
	return sub
}()
