// Package studies runs experiments over scenarios: a base scenario, a list
// of cases that change it, and seeds; every case runs every seed, each run
// is measured, and the measurements become a table of means with Student-t
// confidence intervals, and plots. It sits above package scenarios and
// below the command: protocols only describe and check themselves, and
// every experiment dsim ships is a study here.
//
// # A study
//
// A Study names the base scenario (from the library, a file, or a Go value),
// its Cases and its Seeds:
//
//	s, _ := library.Load("paxos-lossy")
//	st := &studies.Study{Base: s, Axis: "variant", Seeds: studies.SeedRange(1, 20),
//		Cases: []studies.Case{
//			{Name: "correct", Changes: []studies.Change{studies.Param("variant", "correct")}},
//			{Name: "no-dedup", Changes: []studies.Change{studies.Param("variant", "no-dedup")}},
//		}}
//	t, err := st.Run(ctx)
//	if err != nil { ... }
//	t.WriteText(os.Stdout)
//
// A Change returns a changed copy of a scenario: a protocol parameter
// (Param), the network's default link (Link), more faults (Faults), the run
// length (Duration), the workload (Workload), or any function of one's own.
// Every case runs the same seeds — common random numbers: the workload,
// the fault schedule and each node draw from streams of their own, so under
// one seed every case sees the same arrivals, keys and faults unless its
// changes alter them; differences between rows are then the cases', and
// paired differences between rows are much tighter than the rows' own
// intervals. Runs go through runner.Run, Jobs side by side; the
// table is the same for any number of jobs.
//
// A Measure turns each finished run (a scenarios.Outcome) into named
// numbers. The default, Reported, takes the protocol's own Stats and adds
// "passed" and "CHECK holds" (1 or 0, so their means are pass rates). A
// study that needs more than Stats reads the protocol's Instance from the
// Outcome: CompareBalancers asserts it to *lb.Instance and reads its
// Result.
//
// # The table
//
// A Table has a row per case and a column per metric. Each cell keeps the
// value of every seed (NaN, null in JSON, where a run did not measure it),
// the mean over the seeds with its confidence interval (package stats, on
// gonum), and for a paired Column the paired difference (Difference) or
// ratio (Ratio) from the first row, seed by seed. Columns pick, label and
// order the metrics; those not listed become detail columns, in the JSON
// only. WriteText aligns it; its JSON form carries a schema version
// (SchemaVersion). Join puts the rows of two tables over the same seeds
// together, for a study whose later cases depend on earlier results.
//
// # Plots
//
// WriteLines (points with error bars on both axes), WriteCDF (empirical
// distributions beside their tails on log-log scales, timed-out requests a
// mass at the timeout), WriteBars (grouped bars, or each series' values
// ranked when there are more than 16 groups) and WriteGrid (a grid of
// plots) draw with gonum/plot as PNG or SVG; the same data give the same
// bytes. Every series has its own colour and dashes (Okabe and Ito's
// palette), series with the same data are drawn once and named together in
// the legend ("a = b (identical)"), and every axis gets at least three
// labelled ticks, whatever its range.
//
// # The studies dsim ships
//
//   - Vary: any scenario, one protocol parameter over values, tabulating
//     the protocol's Stats and its checks' pass rates (for dsim compare --vary).
//   - CompareBalancers: load balancers on an lb scenario, latency
//     percentiles, load spread, failures, cache hits and keys moved, with
//     a latency CDF, server load and keys-moved plots (dsim compare).
//     Latencies are in the scenario's unit and count timed-out requests.
//   - SlowBackend: the slow-backend experiment of Linkerd's "Beyond Round
//     Robin" post on lb-beyond-round-robin, success rates beside the
//     published ones (WriteSlowBackend).
//   - MapReducePaper: the three cases of the MapReduce paper's sort
//     experiment and its Figure 3.
//   - DetectorTradeOff: detection time against mistake rate for fixed
//     timeouts and phi thresholds, plotted.
//   - TransportTable: goodput and retransmissions by window, loss and
//     timeout policy, over BulkProtocol, a protocol written here against
//     package protocols like any user's own.
//   - Demo: the echo demonstration, one run of the echo-demo scenario.
//
// Their scenarios are embedded (Catalog adds them to the built-in ones).
// The tests reproduce the figures the README quotes:
//
//	go test ./studies -run TestPaperExperiment -paper -paper-out DIR
//	go test ./studies -run TestTransportTable -transport -v
//	go test ./studies -run TestTradeOffPlot -tradeoff=tradeoff.png -v
//	go test ./studies -run TestSlowBackend -slow-backend 10 -v
//	dsim compare lb-load-80 --seeds 1-10 --png lb.png
package studies
