package fuzz

import (
	"fmt"
	"hash/fnv"
	"regexp"
	"strings"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/scenarios"
)

// Signature is what groups failures: the protocol, the check that failed
// (the first violated one in report order, else the first inconclusive
// one not allowed, or "panic"), its verdict, and the shape of the
// violation: the first thing the check's detail reports, with every
// number, duration and name's number replaced by "#", so that "c2-2: coord
// decided commit at 27.0395ms although n2 voted no at 26.5757ms" and "c1-7:
// coord decided commit at 1.2s although n3 voted no at 1.1s" have the
// same shape, "c#-#: coord decided commit at # although n# voted no at #".
// For a panic, the shape is the panic's value, so shaped, and the function
// that panicked.
type Signature struct {
	Protocol string `json:"protocol"`
	Check    string `json:"check"`
	Verdict  string `json:"verdict"`
	Shape    string `json:"shape"`
}

// SignatureOf returns the signature of a failed run, and false for a run
// that passed (or was interrupted).
func SignatureOf(o *scenarios.Outcome) (Signature, bool) {
	if o.Passed || o.Interrupted {
		return Signature{}, false
	}
	sig := Signature{Protocol: o.Protocol}
	if c := o.Crash; c != nil {
		sig.Check, sig.Verdict, sig.Shape = "panic", "crashed", shape(c.Value)+" in "+panicked(c.Stack)
		return sig, true
	}
	if r, ok := failed(o); ok {
		sig.Check, sig.Verdict, sig.Shape = r.Check, r.Verdict.String(), shape(firstItem(r.Detail))
		return sig, true
	}
	return Signature{}, false
}

// failed returns the check a failed run is known by: its first violated
// check, else its first inconclusive one (which failed it, since it did
// not pass).
func failed(o *scenarios.Outcome) (checker.Result, bool) {
	for _, v := range []checker.Verdict{checker.Violated, checker.Inconclusive} {
		for _, c := range o.Checks {
			if c.Verdict == v {
				return c, true
			}
		}
	}
	return checker.Result{}, false
}

// String writes the signature on one line.
func (s Signature) String() string {
	return fmt.Sprintf("%s %s %s: %s", s.Protocol, s.Check, s.Verdict, s.Shape)
}

// ID names the signature in a corpus: 16 hex digits of a hash of it.
func (s Signature) ID() string {
	h := fnv.New64a()
	fmt.Fprintf(h, "%s\x00%s\x00%s\x00%s", s.Protocol, s.Check, s.Verdict, s.Shape)
	return fmt.Sprintf("%016x", h.Sum64())
}

var (
	durations = regexp.MustCompile(`([0-9]+(\.[0-9]+)?(ns|µs|us|ms|s|m|h))+\b`)
	numbers   = regexp.MustCompile(`[0-9]+(\.[0-9]+)?(e[-+]?[0-9]+)?`)
	plurals   = regexp.MustCompile(`(# \pL+?)s\b`)
	spaces    = regexp.MustCompile(`\s+`)
)

// shape replaces durations and numbers by "#", a plural counted by a
// number by its singular (so "1 key" and "3 keys" agree), and runs of
// spaces by one.
func shape(s string) string {
	s = durations.ReplaceAllString(s, "#")
	s = numbers.ReplaceAllString(s, "#")
	s = plurals.ReplaceAllString(s, "$1")
	return strings.TrimSpace(spaces.ReplaceAllString(s, " "))
}

// firstItem is a detail up to its first "; ", where checks that list
// several violations start the second.
func firstItem(detail string) string {
	first, _, _ := strings.Cut(detail, "; ")
	return first
}

// panicked names the function that panicked, from a run's cleaned stack:
// the first frame after the panic's own.
func panicked(stack string) string {
	lines := strings.Split(stack, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "panic(") {
			for _, f := range lines[i+1:] {
				if !strings.HasPrefix(f, "\t") && !strings.HasPrefix(f, "runtime.") {
					return strings.TrimSuffix(f, "(...)")
				}
			}
		}
	}
	return "an unknown function"
}
