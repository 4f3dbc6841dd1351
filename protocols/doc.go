// Package protocols is the contract between dsim and a protocol: what a
// protocol package offers so that scenario files can name it, the command can
// list, run, sweep and check it, and tests can sweep it. Every protocol dsim
// ships (in the packages below this one) is written against it, and so is a
// user's own: nothing here knows about YAML, terminals or reports.
//
// A protocol describes itself with a Protocol value:
//
//	func Protocol() protocols.Protocol {
//		return protocols.Protocol{
//			Name:    "register",
//			Summary: "a replicated register",
//			Params: []protocols.Param{
//				{Name: "variant", Kind: protocols.String, Default: "correct",
//					Choices: []string{"correct", "stale-read"}, Doc: "the protocol, or a planted bug"},
//			},
//			Checks: []protocols.CheckInfo{
//				{Name: "linearizability", Default: true, Summary: "the history is linearizable"},
//			},
//			Ops:   []string{"get", "put"},
//			Setup: setup, // adds nodes to env.World, returns an Instance
//		}
//	}
//
// Setup gets an Env: the World to add nodes to, the scenario's parameter
// values (Params, checked against the schema and with defaults filled in),
// the number of server and client nodes, the Workload and the run length. It
// returns an Instance, which names the nodes the fault nemesis may target
// (Servers) and checks the finished run (Check), returning one
// checker.Result per check asked for and the run's statistics (Stat).
//
// Clients draw their operations from a Generator over the Workload, each
// from its own random stream, so that clients never shift each other's
// draws. Nodes tell checks what happened with sim.Context.Record (typed
// facts), and checks read them back with sim.ObserveFacts, by type.
//
// Bug hunts. The Workload may ask clients to keep several operations in
// flight (InFlight) and to ask after the fact (Queries: read back what they
// wrote, ask again about finished transactions, say what a restart
// recovered); a protocol honours what it can. An Instance may implement
// Online, checking invariants as the run goes through a Monitor that stops
// the run at the first violation when Env.Online asks, and Recovery, which
// tells liveness mode the core it needs healed, the progress it owes and
// how soon.
//
// The policy every check follows: a check that held is checker.Holds, one
// that found a counterexample is checker.Violated, and one that could not
// decide (a checker that ran out of its budget, or failed) is
// checker.Inconclusive — never a pass and never a violation.
package protocols
