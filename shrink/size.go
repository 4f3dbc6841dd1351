package shrink

import (
	"fmt"

	"github.com/dsimlab/dsim/scenarios"
)

// Size measures a failing run, before and after shrinking.
type Size struct {
	Faults  int    `json:"faults"`  // fault events the run applied
	Ops     int    `json:"ops"`     // client operations invoked (the workload's ops when the protocol records none)
	Events  uint64 `json:"events"`  // events the run processed
	Nodes   int    `json:"nodes"`   // server nodes
	Clients int    `json:"clients"` // client nodes
}

// SizeOf measures the run o of scenario s.
func SizeOf(s *scenarios.Scenario, o *scenarios.Outcome) Size {
	z := Size{Faults: len(o.Faults), Events: o.Events, Nodes: s.Nodes, Clients: s.Clients, Ops: s.Workload.Ops}
	if o.World != nil {
		if n := len(o.World.History()); n > 0 {
			z.Ops = n
		}
	}
	return z
}

// String formats the size on one line: "4 faults, 18 operations, 2311
// events, 3 nodes, 1 client".
func (z Size) String() string {
	return fmt.Sprintf("%s, %s, %s, %s, %s", count(z.Faults, "fault"), count(z.Ops, "operation"),
		count(int(z.Events), "event"), count(z.Nodes, "node"), count(z.Clients, "client"))
}

// count writes n things, "1 fault" or "2 faults".
func count(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}
