// Package debugger steps through one seed of a scenario, for a person at a
// web page: `dsim debug` serves it.
//
// A Run is a scenario, a seed and a branch: the choices made instead of the
// kernel (scenarios.Step: deliver a message now, drop or duplicate it, fire
// a timer early, crash or restart a node). Run.At re-executes the run from
// its start to a number of events, making the branch's choices on the way,
// and returns the Point there: the stopped world with its whole trace so
// far, the protocol instance and, for every trace record, the event it
// belongs to. Runs are fast, so stepping back is re-executing to an earlier
// event; the same run, seed and branch always give the same point.
//
//	r := &debugger.Run{Scenario: s, Name: "twopc-calm", Seed: 1}
//	p, _ := r.At(40)                      // after 40 events
//	rep := p.Check()                       // the safety checks, on the run so far
//	b := r.Branch(p, scenarios.Step{Action: scenarios.ActionDrop, Event: 64})
//	v, _ := b.FirstViolation()             // the first event after which a check fails
//	b.Path("note").Write(f)                // `dsim run --path` replays the branch
//
// Point.Check judges the run so far: safety checks at every point (a bad
// prefix stays bad), liveness checks only at the end. Run.FirstViolation
// finds the first event after which a safety check fails by a binary
// search over re-executions, and checks the event before it holds.
//
// Server serves the page (page.html, embedded: inline CSS and script,
// nothing fetched from elsewhere) and the JSON API it calls; Server.Handler
// documents the routes. Point.State is what the page shows at a point: the
// space-time diagram of the last records (reports.WriteDiagram), each
// node's state (sim.Describer, or the facts it recorded last), its last
// events, its pending timers and the messages in flight to it
// (sim.World.Pending), and the checks.
//
// # Traces
//
// A Trace is a run's trace read back from its JSON Lines file (ReadTrace;
// `dsim run --trace` writes one), for a run whose scenario or code one does
// not have, such as a CI job's of another team's protocol. NewTraceServer
// serves it on the same page, read-only: a position counts records rather
// than events, and Trace.State gives what Point.State gives, less what a
// trace does not hold. Nodes show their facts and last events, not a state
// of their own; the messages in flight are the sends no delivery or drop
// has met yet, paired as the diagram pairs them (reports.InFlight); no
// timer is known; and there is no branching, no check and no porcupine,
// since those re-run the code (their routes answer ErrNoCode, and the page
// says why). The invoke and return records give operations only as text,
// not the typed values a linearizability model reads, so no history is
// made of them.
//
//	t, err := debugger.ReadTrace(f, "run.jsonl", 0) // the first DefaultTraceLimit records
//	st, _ := t.State(1792)                          // after 1792 records
//	http.ListenAndServe("127.0.0.1:7878", debugger.NewTraceServer(t).Handler())
//
// ReadTrace keeps the first DefaultTraceLimit records, or as many as it is
// told, and says when the file holds more (Trace.More); a line that is not
// a record (not JSON, an unknown kind, a seq out of order, a time going
// back) is an error naming the file and the line.
//
// The page's browser test (browser_test.go) drives it in headless
// Chromium, over two runs and a trace: go test ./debugger -run Browser -v
// -artifacts -outputdir DIR keeps its screenshots.
package debugger
