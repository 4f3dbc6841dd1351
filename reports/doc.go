// Package reports renders the results of dsim runs for people and for
// programs: a compact text summary for terminals, a versioned JSON document
// for CI, a one-file HTML report with a fault timeline and a message
// sequence diagram, and the summary of a sweep over many seeds.
//
// Every report is deterministic: the same Outcome gives byte-identical
// text, JSON and HTML, except for wall-clock times, which the OmitWall
// option leaves out (golden files use it).
//
//	s, _ := library.Load("echo-faults")
//	o, _ := scenarios.Run(s, 1, scenarios.RunOptions{Trace: true}) // Trace: for the HTML diagram
//	reports.WriteText(os.Stdout, o)                                 // the terminal summary
//	reports.WriteJSON(ciFile, o, reports.OmitWall())                // for CI, without wall times
//	reports.WriteHTML(htmlFile, o, reports.HTMLOptions{MaxEvents: 500})
//
// # Text
//
// WriteText prints the scenario, seed and a verdict line ("PASS" or "FAIL"
// with the number of checks that held, were violated and were
// inconclusive), then the safety checks and the liveness checks in two
// tables (verdict and detail; a violated check lists its offending items,
// an inconclusive one its budget and whether it timed out), the protocol's
// statistics, the number of faults, the fingerprint, events, simulated time
// and the replay command, and last, on a line of its own, the wall time.
// Failing verdicts are in capitals (VIOLATED, INCONCLUSIVE) so they stand
// out in a table.
//
// # JSON, schema version 1
//
// WriteJSON writes one indented object, a Report. Durations are integer
// nanoseconds (fields ending in _ns); absent optional fields are omitted.
//
//	schema_version     1 (SchemaVersion); bumped only if a field is removed or changes meaning
//	scenario, file     the scenario's name and where it came from ("library/echo-faults.yaml")
//	protocol           the protocol's name
//	seed               the run's seed (unsigned 64-bit)
//	fingerprint        the trace fingerprint, 16 hex digits
//	passed             true if no check was violated and none inconclusive (unless allowed)
//	allow_inconclusive whether inconclusive checks were allowed to pass
//	counts             {holds, violated, inconclusive}: checks by verdict
//	events             events the simulation processed
//	sim_time_ns        virtual time at the end of the run
//	checks[]           {name, kind: safety|liveness, verdict: holds|violated|inconclusive,
//	                    detail, offending[] (never null), budget_ns (0: none), timed_out}
//	stats[]            {name, value (null if not finite), unit}
//	faults[]           {at_ns, kind, text, nemesis, and by kind: node, groups, from, to,
//	                    offset_ns, drift, link {latency, mean_ns, min_ns, max_ns, stddev_ns,
//	                    median_ns, sigma, alpha, drop, duplicate, fifo}}
//	replay             the command that replays the run: "dsim run echo-faults --seed 1"
//	                   (with --swarm or --online when they made the run)
//	swarm              the mix a swarm run drew (scenarios.SwarmMix): text, kinds[],
//	                   interval_ns, duration_ns, crash_points, drop, duplicate, tail, mix[],
//	                   keys, in_flight, queries, fault_points, liveness, params[]
//	fault_points[]     {name, enabled, reached, fired}: the fault points the run reached
//	online             {check, event, time_ns, detail}: the online check that stopped the
//	                   run, and the trace event (its seq) that broke it
//	wall_ns            wall time of simulation and checks (absent with OmitWall)
//	check_wall_ns      wall time of the checks alone (absent with OmitWall)
//
// The replay command names a built-in scenario by its name and any other
// by its file path, quoted for a POSIX shell when needed (ReplayCommand).
// It starts with "dsim"; the Program option names another command, as a
// command of one's own built with package cli does ("regsim run calm
// --seed 1"), in every report that holds a replay line.
//
// # Sweeps
//
// A Sweep aggregates outcomes as a sweep's runs finish: Add is safe for
// concurrent use, keeps no Outcome, and the summary does not depend on the
// order of the calls. Set Sweep.Elapsed to the sweep's wall time before
// writing it, for the rates. Sweep.WriteText prints the verdict, run
// counts, per-check verdict counts, total events and virtual time, a
// digest, the failing seeds with their replay commands, and the wall time
// with events/s and seeds/s; Sweep.Summary gives the same on one line.
// Sweep.WriteJSON writes a SweepReport (same schema version):
//
//	schema_version, scenarios[]  the scenario names seen, sorted
//	all_passed                   every run passed
//	runs, passed, failed         runs added; those that passed; runs - passed
//	violated                     runs with a violated check
//	inconclusive                 runs with an inconclusive check and no violated one (allowed or not)
//	checks[]                     {name, kind, holds, violated, inconclusive}, sorted by name
//	failing[]                    {seed, scenario, fingerprint, violated[], inconclusive[], replay},
//	                             sorted by seed
//	events, sim_time_ns          totals over all runs
//	digest                       16 hex digits, an order-independent hash of every
//	                             (scenario, seed, fingerprint): equal sweeps, equal digests,
//	                             whatever the number of jobs
//	wall_ns, events_per_s,       wall time (Elapsed, or the sum of the runs' wall times if
//	seeds_per_s                  Elapsed is zero) and rates; absent with OmitWall
//
// # HTML
//
// WriteHTML writes one self-contained page: inline CSS and SVG, no script
// of its own, nothing fetched from the network, every value escaped by
// html/template. It holds the summary, the checks (safety and liveness
// apart), the statistics, and:
//
//   - The fault timeline: a time axis over the run and one bar per fault,
//     from the fault to its undo (crash to restart, pause to resume,
//     partition or cut to heal, clock skew to reset) or to the end of the
//     run; nemesis faults have a dashed outline; the diagram's window is
//     shaded. The full schedule follows as a table.
//   - A message sequence diagram of the trace (it needs a run with
//     RunOptions.Trace): one vertical line per node, time running down;
//     an arrow from each send to its delivery (duplicates dashed purple);
//     a message lost at send time is a short red stub ending in an x, one
//     lost on arrival a red dashed arrow ending in an x at the receiver;
//     crashes, restarts, pauses and resumes are bars on the node's line,
//     which is shaded while the node is down or paused; timers are small
//     ticks, invocations and returns small circles; partitions, cuts,
//     heals and link changes are dashed rules across the diagram. Every
//     element has a tooltip with the details. It shows the first
//     HTMLOptions.MaxEvents events (DefaultMaxEvents, 300, if zero), or
//     those between HTMLOptions.From and To; arrows with one end outside
//     the window are faded and clipped at its edge.
//   - When Outcome.Visualization is set (a linearizability check failed),
//     porcupine's own interactive page, embedded through the srcdoc of a
//     sandboxed iframe so that its script runs apart from the report.
//
// WriteDiagram writes the diagram alone, for pages of their own (the web
// debugger, package debugger), from a world or anything else Recorded (a
// trace read back from its file); InFlight lists the messages a trace
// leaves in flight, paired as the diagram pairs them. HTMLOptions.Focus marks the moment a report
// is about — a run's first violation, or its first fault — and centres the
// diagram on it; FirstRecord and LastRecord choose the window by trace
// record numbers instead, From and To by time. PorcupineAtFirstError makes
// porcupine's page follow its own "jump to first error" link once drawn.
//
// # Chrome trace-event format (Perfetto, chrome://tracing)
//
// NewChromeTrace streams a run's trace, as it goes, in the JSON object
// form of the Chrome trace-event format: one track per node, each handled
// event a complete event, each message a flow (an arrow from the handler
// that sent it to the one that received it), client operations async
// spans, faults and facts instant events, checks markers (see
// ChromeTrace). `dsim run NAME --seed N --perfetto run.json` writes one.
// To look at it, open https://ui.perfetto.dev and choose "Open trace file"
// (the file stays on the machine: Perfetto reads it in the browser), or
// open chrome://tracing in Chrome or Chromium and press "Load". Times are
// virtual, in microseconds; the arrows appear when a slice is selected
// (Perfetto: "Flow events" in its details).
//
// The trace does not say which send a delivery belongs to, so the diagram
// pairs them: each send (and each duplicate) puts a copy on its link, and a
// delivery or a drop on arrival takes the oldest copy on the same link
// (sender, receiver) with the same message identity — pointer equality for
// pointer messages, == for other comparable values, type and sim.Describe
// text otherwise; a drop at send time (loss, partition) takes the copy just
// sent. Pointer messages are thus matched exactly, and equal value messages
// on one link in FIFO order of their sends, which on a reordering link may
// cross two arrows the wrong way round but never changes a count or a time.
package reports
