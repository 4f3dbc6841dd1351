package twopc

import (
	"fmt"
	"slices"
	"time"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/sim"
)

// Protocol describes two-phase commit to the scenario loader, as
// "twopc": a coordinator named "coord", participants n1..nN (the
// scenario's nodes) holding keys kI on n(I mod N + 1), and clients
// c1..cM, each running its share of the workload's ops as transactions of
// txn_ops steps ("get" reads, "put" writes). The variant parameter selects
// the bug zoo.
func Protocol() protocols.Protocol {
	return protocols.Protocol{
		Name:    "twopc",
		Summary: "two-phase commit with presumed abort, durable logs, recovery and cooperative termination",
		Params:  params(false),
		Checks:  checks(),
		Ops:     []string{"get", "put"},
		Setup:   func(env *protocols.Env) (protocols.Instance, error) { return setup(env, false, nil) },
	}
}

// Nodes builds a coordinator's or a participant's factory for a
// configuration: NewCoordinator and NewParticipant are such functions.
type Nodes func(cfg Config) sim.Factory

// ProtocolOf describes to the scenario loader, as name, two-phase commit
// with a coordinator and participants of one's own, a lab's for example,
// among this package's clients and checks. It has Protocol's parameters
// but variant. The nodes record the facts the checks read (Began, Voted,
// Decided, Applied) as this package's do, and a participant implements
// InDoubter, so that the termination check sees what it holds in doubt;
// when it is down the check reads its disk, where a transaction it holds
// in doubt has a key "prep/T" and no key "dec/T", as this package's
// participants keep them.
func ProtocolOf(name string, coordinator, participant Nodes) protocols.Protocol {
	p := Protocol()
	p.Name = name
	p.Summary = "two-phase commit of one's own coordinator and participants, checked as twopc is"
	p.Params = slices.DeleteFunc(p.Params, func(q protocols.Param) bool { return q.Name == "variant" })
	p.Setup = func(env *protocols.Env) (protocols.Instance, error) {
		return setup(env, false, &nodes{coordinator, participant})
	}
	return p
}

// nodes are the factories of the coordinator and the participants.
type nodes struct{ coordinator, participant Nodes }

// InDoubter is a participant that can say which transactions it voted yes
// on and does not know the outcome of (Participant.InDoubt).
type InDoubter interface {
	InDoubt() []string
}

// ThreePhaseProtocol describes three-phase commit to the scenario loader,
// as "threepc": the same nodes, clients and checks as Protocol, with a
// pre-commit phase and a termination protocol that elects a backup
// coordinator among the participants.
func ThreePhaseProtocol() protocols.Protocol {
	return protocols.Protocol{
		Name:    "threepc",
		Summary: "three-phase commit: non-blocking under crashes, not atomic under partitions",
		Params:  params(true),
		Checks:  checks(),
		Ops:     []string{"get", "put"},
		Setup:   func(env *protocols.Env) (protocols.Instance, error) { return setup(env, true, nil) },
	}
}

func params(three bool) []protocols.Param {
	def := DefaultConfig(0, nil)
	ms := func(d time.Duration) float64 { return float64(d) }
	ps := []protocols.Param{
		{Name: "txn_ops", Kind: protocols.Int, Default: 3, Doc: "steps per transaction, each a get or put of a key drawn from the workload",
			Min: 1, Max: 64},
		{Name: "no_probability", Kind: protocols.Float, Default: 0.0, Doc: "probability that a participant votes no on a transaction it could prepare",
			Min: 0, Max: 1},
		{Name: "retry", Kind: protocols.Duration, Default: def.Retry, Doc: "resend interval of prepares, decisions and client requests",
			Min: ms(time.Microsecond), Max: ms(time.Hour)},
		{Name: "vote_timeout", Kind: protocols.Duration, Default: def.VoteTimeout, Doc: "the coordinator aborts if a vote is missing after this",
			Min: ms(time.Microsecond), Max: ms(time.Hour)},
		{Name: "decision_timeout", Kind: protocols.Duration, Default: def.DecisionTimeout, Doc: "a participant that voted yes starts the termination protocol after this",
			Min: ms(time.Microsecond), Max: ms(time.Hour)},
		{Name: "blocked_after", Kind: protocols.Duration, Default: 500 * time.Millisecond, Doc: "the termination check counts a transaction in doubt for longer than this at the end of the run as blocked",
			Min: ms(time.Microsecond), Max: ms(time.Hour)},
	}
	if three {
		return append(ps,
			protocols.Param{Name: "ack_timeout", Kind: protocols.Duration, Default: def.AckTimeout, Doc: "the coordinator commits after this even if pre-commit acks are missing",
				Min: ms(time.Microsecond), Max: ms(time.Hour)},
			protocols.Param{Name: "window", Kind: protocols.Duration, Default: def.Window, Doc: "how long a termination round collects the participants' states",
				Min: ms(time.Microsecond), Max: ms(time.Hour)})
	}
	return append(ps, protocols.VariantParam(Variants()))
}

func checks() []protocols.CheckInfo {
	return []protocols.CheckInfo{
		{Name: checker.AtomicityCheck, Summary: "all decisions of a transaction agree and never change; commit only if every participant voted yes", Default: true},
		{Name: checker.IsolationCheck, Summary: "committed transactions are strictly serializable (porcupine, whole transactions over a key-value map)", Default: true},
		{Name: checker.TerminationCheck, Summary: "liveness: no transaction is left blocked at the end of the run, and why if one is", Default: true},
	}
}

// setup adds the nodes of a commit protocol to the World: this package's,
// or those of own (nil: this package's).
func setup(env *protocols.Env, three bool, own *nodes) (protocols.Instance, error) {
	if env.Nodes < 1 {
		return nil, fmt.Errorf("needs at least one participant (nodes: 1), not %d", env.Nodes)
	}
	w := env.World
	base := sim.NodeID(len(w.Nodes()))
	parts := make([]sim.NodeID, env.Nodes)
	for i := range parts {
		parts[i] = base + 1 + sim.NodeID(i)
	}
	cfg := DefaultConfig(base, parts)
	cfg.ThreePhase = three
	cfg.NoProbability = env.Params.Float("no_probability")
	cfg.Retry = env.Params.Duration("retry")
	cfg.VoteTimeout = env.Params.Duration("vote_timeout")
	cfg.DecisionTimeout = env.Params.Duration("decision_timeout")
	cfg.Queries = env.Workload.Queries
	if three {
		cfg.AckTimeout = env.Params.Duration("ack_timeout")
		cfg.Window = env.Params.Duration("window")
	} else if own == nil {
		cfg.Variant = Variant(env.Params.String("variant"))
	}
	if own == nil {
		own = &nodes{NewCoordinator, NewParticipant}
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	in := &instance{cfg: cfg, world: w, blockedAfter: env.Params.Duration("blocked_after"),
		yesAt: map[doubtKey]sim.Time{}, parts: map[string][]string{}, down: map[sim.NodeID]sim.Time{},
		blockedSeen: map[string]bool{}, mon: protocols.NewMonitor(env), outcome: map[string]*txnWatch{}, queries: newQueries(w)}
	add := func(name string, f sim.Factory, want sim.NodeID) error {
		id, err := w.AddNode(name, f)
		if err != nil {
			return err
		}
		if want != sim.None && id != want {
			return fmt.Errorf("node %s got id %d, want %d", name, id, want)
		}
		in.names = append(in.names, name)
		return nil
	}
	if err := add("coord", own.coordinator(cfg), base); err != nil {
		return nil, err
	}
	for i, p := range parts {
		if err := add(fmt.Sprintf("n%d", i+1), own.participant(cfg), p); err != nil {
			return nil, err
		}
	}
	ops := env.Params.Int("txn_ops")
	for i := range env.Clients {
		name := fmt.Sprintf("c%d", i+1)
		gen := protocols.NewGenerator(env.Workload, w.Stream("workload/"+name))
		cc := ClientConfig{Coordinator: base, Txns: env.Workload.Share(i, env.Clients), OpsPerTxn: ops,
			Gen: gen, Retry: cfg.Retry, Timeout: env.Workload.Timeout, Queries: cfg.Queries}
		if err := add(name, NewClient(cc), sim.None); err != nil {
			return nil, err
		}
		in.clients = append(in.clients, base+1+sim.NodeID(len(parts)+i))
	}
	in.base = base
	w.Observe(in.observe)
	return in, nil
}
