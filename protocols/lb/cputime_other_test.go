//go:build !unix

package lb

import "time"

// cpuTime is unavailable here; benchmarks then skip the per-CPU metric.
func cpuTime() time.Duration { return 0 }
