package reports

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/dsimlab/dsim/checker"
)

// AddReport folds the report of another sweep into s, typically one
// shard's, read back from its JSON: its counts, checks, failing runs (with
// their replay lines as written), shrunk runs and digest, which sums like
// the runs' own, so that the shards of a range add up to the report of
// the whole range, digest and failing seeds included. Wall-clock figures
// are not added: the merger sets Elapsed.
func (s *Sweep) AddReport(r SweepReport) error {
	digest, err := strconv.ParseUint(r.Digest, 16, 64)
	if err != nil {
		return fmt.Errorf("reports: merge: digest %q is not 16 hex digits", r.Digest)
	}
	kinds := make([]checker.Kind, len(r.Checks))
	for i, c := range r.Checks {
		if err := kinds[i].UnmarshalText([]byte(c.Kind)); err != nil {
			return fmt.Errorf("reports: merge: check %s: %w", c.Name, err)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.init()
	s.runs += r.Runs
	s.passed += r.Passed
	s.violated += r.Violated
	s.inconclusive += r.Inconclusive
	s.crashed += r.Crashed
	s.replayed += r.Replayed
	s.diverged += r.Nondeterministic
	s.events += r.Events
	s.simTime += time.Duration(r.SimTimeNS)
	s.digest += digest
	s.Interrupted = s.Interrupted || r.Interrupted
	for _, name := range r.Scenarios {
		s.scenarios[name] = true
	}
	s.addChecks(r.Checks, kinds)
	for _, f := range r.Failing {
		f.Violated, f.Inconclusive = slices.Clone(f.Violated), slices.Clone(f.Inconclusive)
		s.failing = append(s.failing, failure{Failure: f, replay: f.Replay})
	}
	s.shrunk = append(s.shrunk, r.Shrunk...)
	return nil
}

// addChecks adds per-check counts; s.mu is held.
func (s *Sweep) addChecks(checks []SweepCheck, kinds []checker.Kind) {
	for i, c := range checks {
		k := checkKey{c.Name, kinds[i]}
		sc := s.checks[k]
		if sc == nil {
			sc = &SweepCheck{Name: c.Name, Kind: c.Kind}
			s.checks[k] = sc
		}
		sc.Holds += c.Holds
		sc.Violated += c.Violated
		sc.Inconclusive += c.Inconclusive
	}
}
