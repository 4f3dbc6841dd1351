package reports

import "github.com/dsimlab/dsim/scenarios"

// FaultText describes a fault for people, on one line, as reports do:
// "crash n1", "partition {n1, n2} {n3}", "heal all", "clock n2 offset 50ms
// drift 0".
func FaultText(f scenarios.Fault) string { return describeFault(f) }
