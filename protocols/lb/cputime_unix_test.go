//go:build unix

package lb

import (
	"syscall"
	"time"
)

// cpuTime returns the CPU time the process has used, user and system, on
// all threads: benchmarks divide work by it to measure throughput per core
// even when other processes compete for the machine.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
