package paxos

import (
	"fmt"
	"slices"
	"time"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/sim"
)

// SingleVariants are the variants that apply to single-decree Paxos,
// Correct first (the others concern the key-value store's clients).
var SingleVariants = []Variant{Correct, IgnoreAccepted, NoSync, AcceptLower, QuorumFloor}

// SingleProtocol describes single-decree Paxos to the scenario loader, as
// "paxos-single": the scenario's nodes n1..nN are acceptors and learners,
// the first proposers of them also propose a value of their own, and there
// are no clients. It is small enough to explore exhaustively (dsim explore).
func SingleProtocol() protocols.Protocol {
	return protocols.Protocol{
		Name:    "paxos-single",
		Summary: "single-decree Paxos: every node an acceptor and a learner, the first few proposers; no clients",
		Params: []protocols.Param{
			protocols.VariantParam(SingleVariants),
			{Name: "proposers", Kind: protocols.Int, Default: 2, Min: 0, Max: MaxServers,
				Doc: "how many of the nodes (n1 first) propose a value of their own"},
			{Name: "retry", Kind: protocols.Duration, Default: 20 * time.Millisecond, Min: float64(time.Microsecond), Max: float64(time.Hour),
				Doc: "a proposer tries a higher ballot, and a node asks for the decision, after a time uniform in [retry, 2·retry)"},
		},
		Checks: []protocols.CheckInfo{
			{Name: checker.PaxosAgreementCheck, Default: true, Summary: "no two values are chosen; nodes learn only the chosen value"},
			{Name: checker.PaxosValidityCheck, Default: true, Summary: "only proposed values are accepted, and only proposers' own values proposed"},
			{Name: checker.PaxosPrefixCheck, Default: true, Summary: "every node that learned a value learned the same one"},
			{Name: LivenessCheck, Default: true, Summary: "every running node learned the decision by the end of the run"},
		},
		Setup: setupSingle,
	}
}

// setupSingle builds a Single from a scenario's settings.
func setupSingle(env *protocols.Env) (protocols.Instance, error) {
	if env.Clients != 0 {
		return nil, fmt.Errorf("%w: single-decree Paxos has no clients (clients: %d)", ErrConfig, env.Clients)
	}
	s, err := NewSingle(env.World, SingleConfig{Nodes: env.Nodes, Proposers: env.Params.Int("proposers"),
		Variant: Variant(env.Params.String("variant")), Retry: env.Params.Duration("retry")})
	if err != nil {
		return nil, err
	}
	return singleInstance{s}, nil
}

// singleInstance is a Single as a scenario sees it.
type singleInstance struct{ s *Single }

// Servers returns every node: all may crash.
func (in singleInstance) Servers() []sim.NodeID { return in.s.Nodes() }

// Check runs the requested checks and counts the nodes that learned.
func (in singleInstance) Check(req protocols.CheckRequest) protocols.Report {
	var rep protocols.Report
	res, err := in.s.Check()
	for _, name := range req.Checks {
		i := slices.IndexFunc(res, func(r checker.Result) bool { return r.Check == name })
		switch {
		case err != nil:
			rep.Checks = append(rep.Checks, checker.Result{Check: name, Kind: checker.Safety,
				Verdict: checker.Inconclusive, Detail: fmt.Sprintf("cannot check: %v", err)})
		case i >= 0:
			rep.Checks = append(rep.Checks, res[i])
		}
	}
	learned := 0
	for _, v := range in.s.Learned() {
		if v != "" {
			learned++
		}
	}
	rep.Stats = []protocols.Stat{{Name: "nodes that learned", Value: float64(learned)}}
	return rep
}
