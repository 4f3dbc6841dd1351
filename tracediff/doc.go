// Package tracediff finds where two JSON Lines traces part: the first
// event that differs, with both versions of it and the events around it.
// Two runs of the same scenario and seed must write the same trace, byte
// for byte; when they do not, something in the code depends on more than
// the seed (the wall clock, a goroutine, map iteration order, the global
// random source), and the first diverging event is where to start
// looking. `dsim diff A.jsonl B.jsonl` prints it, and the determinism
// self-check of `dsim run --check-determinism` and `dsim sweep
// --check-determinism SHARE` (package runner) reports it.
//
//	d, err := tracediff.Diff(a, b, 3) // 3 events of context
//	if err != nil { ... }
//	if d != nil {
//		d.WriteText(os.Stdout, "a.jsonl", "b.jsonl")
//	}
//
// Traces are compared line by line, in constant memory: only the last few
// common lines are kept, for context. Lines are read whole, however long,
// by ReadLine, which the web debugger's trace reader uses too.
package tracediff
