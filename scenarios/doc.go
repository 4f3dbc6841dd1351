// Package scenarios loads, validates and runs dsim scenario files: YAML
// documents that say which protocol to run, on how many nodes and clients,
// over what network, with what workload, under which faults, for how long,
// and which checks to apply.
//
// # The format
//
//	name: paxos-partition            # required; library files match their file name
//	description: A minority is cut off, then heals.
//	protocol: paxos                  # required; `dsim list` shows the protocols
//	params: {variant: correct}       # the protocol's own parameters, checked against its schema
//	nodes: 5                         # server nodes (default 3)
//	clients: 3                       # client nodes (default 0)
//	network:                         # the default link, then per-link overrides
//	  latency: {kind: lognormal, median: 2ms, sigma: 0.5}
//	  drop: 0.01                     # probabilities from 0 to 1
//	  duplicate: 0.01
//	  fifo: false
//	  links:
//	    - {from: n1, to: n2, drop: 0.3}
//	workload:
//	  ops: 1000                      # in all, shared out among clients
//	  mix: {get: 0.5, put: 0.3, append: 0.2}
//	  keys: 10
//	  distribution: zipf             # or uniform
//	  zipf_s: 1.1
//	  think: 1ms                     # closed loop; or rate: 200 (open loop, per client per second)
//	  timeout: 500ms
//	  in_flight: 2                   # operations a client keeps in flight, where its protocol allows (default 1)
//	  queries: true                  # ask after the fact: read back, ask again for outcomes, say what a restart recovered
//	duration: 10s                    # required: the run length in virtual time
//	faults:                          # fixed events; exactly one kind per entry
//	  - {at: 2s, crash: n1}
//	  - {at: 4s, restart: n1}
//	  - {at: 5s, partition: [[n1, n2], [n3, n4, n5]]}   # unlisted nodes join the last group
//	  - {at: 7s, heal: true}                            # or heal: {from: n1, to: n2}
//	  - {at: 3s, cut: {from: n1, to: n2}}               # one way
//	  - {at: 1s, pause: n3}
//	  - {at: 2s, resume: n3}
//	  - {at: 2s, clock: {node: n2, offset: 50ms, drift: 0.001}}
//	  - {at: 2s, link: {from: n1, to: n2, drop: 0.3}}   # without from/to: the default link
//	  - {at: 6s, reset: true}                           # the network as written; or reset: {from: n1, to: n2}
//	nemesis:                         # randomised faults from the run's "faults" stream
//	  kinds: [crash, pause, partition, clock]
//	  start: 1s
//	  stop: 8s                       # default: the end of the run
//	  interval: 1s                   # mean gap between faults (exponential)
//	  duration: 500ms                # mean length of a fault
//	  max_down: 2                    # most servers down at once (default: a minority)
//	  max_skew: 100ms
//	checks: [linearizability]        # default: the protocol's default checks
//	check_budget: 10s                # wall-clock budget of each budgeted check
//	allow_inconclusive: false        # an inconclusive check fails the run unless true
//	allow_vacuous: false             # a check with nothing to check (no operation, no
//	                                 # answer, no fault drawn) fails the run unless true
//	fault_points: true               # or {enable: 0.25, fire: 0.25}: the protocols' fault points (sim.Context.Maybe)
//	liveness: true                   # or {at: 8s, bound: 5s}: heal after the fault phase, then want progress
//	online_checks: true              # stop the run at the first event an online check finds wrong
//	swarm:                           # or true: each seed draws its own mix within these bounds
//	  enabled: true                  # false: bounds only, for --swarm
//	  kinds: [crash, pause]          # fault kinds a seed may enable (default: those the scenario uses)
//	  drop: 0.1                      # most loss and duplication (default: the network's own)
//	  duplicate: 0.05
//	  tail: 1                        # largest log-normal sigma of the latency (default: keep it)
//	  in_flight: 4                   # most operations in flight per client (default 4)
//	  queries: true                  # false forbids queries, fault_points and liveness likewise
//	  mix: true                      # false keeps the workload's weights and keys
//	  params: {no_probability: [0, 0.2], variant: [correct]}   # protocol parameters: [min, max] or choices
//
// A link fault changes only the fields it names, on top of what the link
// does when it happens: {link: {drop: 0}} leaves the latency alone. A reset
// gives every link (or one) back the behaviour the network section wrote;
// heal restores cut links and leaves their behaviour alone, so the heal that
// ends a nemesis partition never undoes a link fault.
//
// Durations are Go durations (250ms, 2s, 1m30s). Unknown fields, misspelt
// parameters, out-of-range values and unknown node names are errors; Parse
// reports every problem at once, each as "file:line: field: what is wrong
// (what was expected)", for example
//
//	paxos-partition.yaml:14: faults[2].at: "5 s" is not a duration (want e.g. 5s, 250ms)
//
// # Protocols
//
// A protocol package describes itself with a protocols.Protocol value (the
// contract, in package protocols): its parameter schema, its checks, the
// workload operations it understands, and Setup, which adds its nodes to a
// World. The loader validates a file against a table of them: the built-in
// table is package scenarios/library's; a program of one's own passes its
// own. Nothing registers itself at init.
//
// # Hunting bugs
//
// Four modes find bugs a fixed mix misses. Swarm testing (a swarm block,
// or RunOptions.Swarm and the command's --swarm) has each seed draw its own
// mix from its "swarm" stream, within the scenario's bounds: which fault
// kinds the nemesis uses and how often and long, crash points (a server
// crashed right after its k-th message of a type, where a reply sent before
// its state was synced is lost), loss, duplication and a latency tail, the
// workload's weights and keys, operations in flight per client, queries
// after the fact, fault points, liveness mode and protocol parameters
// (SwarmMix, DrawSwarm, WithSwarm). Different seeds leave different
// features out; the mix is part of the seed, so a swarm run replays
// exactly, and the Outcome names it. Fault points turn on the protocols'
// rare legal paths (sim.Context.Maybe); the Outcome lists the sites
// reached. Liveness mode (Liveness) ends the fault phase by healing the
// network and restarting and resuming the protocol's core
// (protocols.Recovery), then wants progress within a bound: its check is a
// liveness check, with the time of the heal. Online checks (online_checks,
// RunOptions.Online) stop a run at the first event an invariant checked as
// the run goes finds wrong (protocols.Online); the Outcome's Online points
// at the event. A swarm run has online checks on.
//
// # Running
//
// Build sets a scenario up for a seed (nodes, links, the fault schedule with
// the nemesis's draws); Run also runs it for its duration and asks the
// protocol's Instance to check the result, returning an Outcome with each
// check's verdict, statistics and the trace fingerprint. The same scenario
// and seed give the same Outcome, wall times aside.
//
//	s, err := library.Load("paxos-partition")
//	if err != nil { ... }
//	o, err := scenarios.Run(s, 42, scenarios.RunOptions{})
//	fmt.Println(o.Passed, o.Fingerprint)
package scenarios
