package checker

import (
	"runtime/metrics"
	"sync/atomic"
	"time"
)

// The limits a linearizability check can reach, as Result.Limit names them.
const (
	LimitTime   = "time"
	LimitMemory = "memory"
)

// guard enforces a check's Limits from inside porcupine's step function,
// which porcupine calls from several goroutines: a timer marks the budget
// spent, and every few thousand steps the heap is measured against the
// memory limit. Once either is reached, every later step is refused.
type guard struct {
	memory  uint64
	timer   *time.Timer
	expired atomic.Bool
	full    atomic.Bool
	steps   atomic.Uint64
}

// memoryEvery is how many steps pass between two looks at the heap; a look
// costs about a microsecond, a step tens of nanoseconds.
const memoryEvery = 4096

func newGuard(lim Limits) *guard {
	g := &guard{memory: lim.Memory}
	if lim.Time > 0 {
		g.timer = time.AfterFunc(lim.Time, func() { g.expired.Store(true) })
	}
	return g
}

// stop reports whether a limit has been reached.
func (g *guard) stop() bool {
	if g.expired.Load() || g.full.Load() {
		return true
	}
	if g.steps.Add(1)%memoryEvery == 0 && heapBytes() > g.memory {
		g.full.Store(true)
		return true
	}
	return false
}

// hit names the limit reached, or "".
func (g *guard) hit() string {
	switch {
	case g.full.Load():
		return LimitMemory
	case g.expired.Load():
		return LimitTime
	}
	return ""
}

// release stops the timer.
func (g *guard) release() {
	if g.timer != nil {
		g.timer.Stop()
	}
}

// heapBytes returns the bytes of heap objects, live or not yet collected.
func heapBytes() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}
