package dsimtest

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
)

// fakeT is a tester that records what a sweep reports instead of failing
// the real test, so tests can assert that a sweep fails, and how. Subtests
// run one after another; Fatalf and Skipf end the (sub)test the way the
// testing package does, with runtime.Goexit.
type fakeT struct {
	name     string
	short    bool
	parent   *fakeT
	mu       sync.Mutex
	failed   bool
	skipped  bool
	errors   []string
	logs     []string
	cleanups []func()
	subs     []*fakeT
}

func newFake(name string, short bool) *fakeT { return &fakeT{name: name, short: short} }

func (f *fakeT) Helper()      {}
func (f *fakeT) Parallel()    {}
func (f *fakeT) Name() string { return f.name }
func (f *fakeT) Short() bool  { return f.short }

func (f *fakeT) fail() {
	for t := f; t != nil; t = t.parent {
		t.mu.Lock()
		t.failed = true
		t.mu.Unlock()
	}
}

func (f *fakeT) Errorf(format string, args ...any) {
	f.fail()
	f.mu.Lock()
	defer f.mu.Unlock()
	f.errors = append(f.errors, fmt.Sprintf(format, args...))
}

func (f *fakeT) Fatalf(format string, args ...any) {
	f.Errorf(format, args...)
	runtime.Goexit()
}

func (f *fakeT) Logf(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.logs = append(f.logs, fmt.Sprintf(format, args...))
}

func (f *fakeT) Skipf(format string, args ...any) {
	f.Logf(format, args...)
	f.mu.Lock()
	f.skipped = true
	f.mu.Unlock()
	runtime.Goexit()
}

func (f *fakeT) Cleanup(fn func()) { f.cleanups = append(f.cleanups, fn) }

func (f *fakeT) Run(name string, fn func(tester)) bool {
	sub := &fakeT{name: f.name + "/" + name, short: f.short, parent: f}
	f.subs = append(f.subs, sub)
	sub.run(func() { fn(sub) })
	return !sub.failed
}

// run runs body on a goroutine of its own, so that Goexit ends only it,
// then the cleanups, last registered first.
func (f *fakeT) run(body func()) {
	goroutine(body)
	cleanups := f.cleanups
	f.cleanups = nil
	for _, fn := range slices.Backward(cleanups) {
		goroutine(fn)
	}
}

// goroutine runs fn on a goroutine of its own and waits for it to end,
// normally or by runtime.Goexit.
func goroutine(fn func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn()
	}()
	<-done
}

// sweep runs a sweep in a fresh fake test called TestFake.
func fakeSweep(short bool, scenario any, seeds string, opts ...Option) *fakeT {
	f := newFake("TestFake", short)
	f.run(func() { sweep(f, scenario, seeds, opts) })
	return f
}

// sub returns the subtest called name ("seed=3"), or nil.
func (f *fakeT) sub(name string) *fakeT {
	for _, s := range f.subs {
		if s.name == f.name+"/"+name {
			return s
		}
	}
	return nil
}

// ran returns the names of the subtests that ran to the end, not skipped.
func (f *fakeT) ran() []string {
	var out []string
	for _, s := range f.subs {
		if !s.skipped {
			out = append(out, strings.TrimPrefix(s.name, f.name+"/"))
		}
	}
	return out
}

// failedSubs returns the names of the subtests that failed.
func (f *fakeT) failedSubs() []string {
	var out []string
	for _, s := range f.subs {
		if s.failed {
			out = append(out, strings.TrimPrefix(s.name, f.name+"/"))
		}
	}
	return out
}
