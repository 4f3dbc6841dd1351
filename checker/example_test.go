package checker_test

import (
	"fmt"
	"strings"
	"time"

	"github.com/dsimlab/dsim/checker"
)

// A client puts b=2 and completes; a later get of b returns the old value 1.
// Key a is fine. The check names b, and only b.
func ExampleCheckLinearizable() {
	put := func(client int, call, ret int64, key, value string) checker.Operation {
		return checker.Operation{Client: client, Call: call, Return: ret,
			Input: checker.KVInput{Op: checker.KVPut, Key: key, Value: value}}
	}
	get := func(client int, call, ret int64, key, value string) checker.Operation {
		return checker.Operation{Client: client, Call: call, Return: ret,
			Input: checker.KVInput{Op: checker.KVGet, Key: key}, Output: checker.KVOutput{Value: value}}
	}
	history := []checker.Operation{
		put(0, 0, 10, "a", "1"),
		put(0, 20, 30, "b", "1"),
		put(0, 40, 50, "b", "2"),
		get(1, 45, 55, "a", "1"),
		get(1, 60, 70, "b", "1"), // stale: b=2 completed at 50
		// Client 2 timed out: its append may or may not have happened.
		{Client: 2, Call: 5, Input: checker.KVInput{Op: checker.KVAppend, Key: "a", Value: "x"}, Outcome: checker.Unknown},
	}
	res, err := checker.CheckLinearizable(checker.KVModel(), history, 10*time.Second)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Verdict, res.Offending)
	fmt.Println(res.Detail)
	for _, p := range res.Partitions {
		fmt.Printf("%s: %d ops, %s\n", p.Key, p.Ops, p.Verdict)
	}
	// Porcupine's interactive page, for a report or a browser.
	var html strings.Builder
	if err := res.WriteVisualization(&html); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("visualization written:", strings.Contains(html.String(), "<html"))
	// Output:
	// violated [b]
	// not linearizable: no valid order exists for the operations on key "b" (1 of 2 keys) (model kv); the first operation no order can place is operation 4 (client 1: get("b") -> "1", called at 60ns, returned at 70ns)
	// a: 3 ops, holds
	// b: 3 ops, violated
	// visualization written: true
}

// A history file, as `dsim check HISTORY` reads it.
func ExampleReadHistory() {
	file := `{
	  "version": 1,
	  "model": "register",
	  "operations": [
	    {"client": 0, "call": 0, "return": 10, "input": {"op": "write", "value": "1"}},
	    {"client": 1, "call": 5, "outcome": "unknown", "input": {"op": "write", "value": "2"}},
	    {"client": 2, "call": 20, "return": 30, "input": {"op": "read"}, "output": {"value": "2"}}
	  ]
	}`
	ops, name, err := checker.ReadHistory(strings.NewReader(file))
	if err != nil {
		fmt.Println(err)
		return
	}
	model, err := checker.ModelByName(name)
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := checker.CheckLinearizable(model, ops, time.Second)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res)
	// Output:
	// linearizability (safety): holds: linearizable: 3 operations, 1 of them with unknown outcome (model register)
}
