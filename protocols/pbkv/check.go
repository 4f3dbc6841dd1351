package pbkv

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/protocols/kv"
	"github.com/dsimlab/dsim/sim"
)

// The checks of a pbkv run, besides checker.LinearizabilityCheck.
const (
	// AckedWritesCheck: every acknowledged put and append is in the final
	// state, exactly once, unless a later put overwrote it.
	AckedWritesCheck = "acked-writes"
	// OnePrimaryCheck: at most one server acts as primary in each view,
	// and it is the primary the view service named.
	OnePrimaryCheck = "one-primary"
)

// CheckOnePrimary checks, from a run's facts, that at most one server acted
// as primary in each view, and that it was the primary the view service
// named for that view.
func CheckOnePrimary(views []ViewDecided, acts []PrimaryActs) checker.Result {
	res := checker.Result{Check: OnePrimaryCheck, Kind: checker.Safety}
	named := map[int]string{}
	for _, v := range views {
		named[v.Num] = v.Primary
	}
	acted := map[int][]string{}
	for _, a := range acts {
		if !slices.Contains(acted[a.View], a.Server) {
			acted[a.View] = append(acted[a.View], a.Server)
		}
	}
	var problems []string
	for _, num := range slices.Sorted(maps.Keys(acted)) {
		who := acted[num]
		switch p, ok := named[num]; {
		case len(who) > 1:
			problems = append(problems, fmt.Sprintf("%s all acted as primary of view %d", strings.Join(who, ", "), num))
		case ok && who[0] != p:
			problems = append(problems, fmt.Sprintf("%s acted as primary of view %d, whose primary is %s", who[0], num, p))
		}
		if len(problems) > 0 && len(res.Offending) < len(problems) {
			res.Offending = append(res.Offending, "view "+strconv.Itoa(num))
		}
	}
	if len(problems) > 0 {
		res.Verdict = checker.Violated
		res.Detail = strings.Join(problems[:min(3, len(problems))], "; ")
		if len(problems) > 3 {
			res.Detail += fmt.Sprintf("; and %d more", len(problems)-3)
		}
		return res
	}
	res.Verdict = checker.Holds
	res.Detail = fmt.Sprintf("%d views decided, %d with an acting primary, one each", len(named), len(acted))
	return res
}

// CheckAckedWrites checks that no acknowledged write was lost: ops is the
// history (KVInput and KVOutput, every written value unique and ending in
// ";"), final the store's keys and values at the end of the run. An
// acknowledged put or append to a key must appear in the key's final value
// exactly once, unless the value now begins with a put that may have come
// after it (one that had not returned when it was invoked). No value may
// appear twice: a write applied twice broke at-most-once.
func CheckAckedWrites(ops []checker.Operation, final map[string]string) checker.Result {
	res := checker.Result{Check: AckedWritesCheck, Kind: checker.Safety}
	byValue := map[string]int{}
	for i, op := range ops {
		if in, ok := op.Input.(checker.KVInput); ok && in.Op != checker.KVGet {
			byValue[in.Value] = i
		}
	}
	type finalKey struct {
		count map[string]int
		head  string
	}
	finals := map[string]finalKey{}
	for k, v := range final {
		fk := finalKey{count: map[string]int{}}
		for i, tok := range strings.SplitAfter(v, ";") {
			if tok == "" {
				continue
			}
			if i == 0 {
				fk.head = tok
			}
			fk.count[tok]++
		}
		finals[k] = fk
	}
	var problems []string
	bad := map[string]bool{}
	acked := 0
	for _, op := range ops {
		in, ok := op.Input.(checker.KVInput)
		if !ok || in.Op == checker.KVGet || op.Outcome != checker.OK {
			continue
		}
		acked++
		fk := finals[in.Key]
		if fk.count[in.Value] > 0 {
			continue
		}
		if i, ok := byValue[fk.head]; ok {
			p := ops[i]
			if p.Input.(checker.KVInput).Op == checker.KVPut && (p.Outcome == checker.Unknown || p.Return >= op.Call) {
				continue // overwritten by a put that may follow it
			}
		}
		bad[in.Key] = true
		problems = append(problems, fmt.Sprintf("%s %q to %s, acknowledged at %v, is not in its final value %q",
			in.Op, in.Value, in.Key, sim.Time(op.Return), final[in.Key]))
	}
	for _, k := range slices.Sorted(maps.Keys(finals)) {
		for _, tok := range slices.Sorted(maps.Keys(finals[k].count)) {
			if n := finals[k].count[tok]; n > 1 {
				bad[k] = true
				problems = append(problems, fmt.Sprintf("%q appears %d times in the final value of %s", tok, n, k))
			}
		}
	}
	if len(problems) > 0 {
		res.Verdict = checker.Violated
		res.Offending = slices.Sorted(maps.Keys(bad))
		res.Detail = fmt.Sprintf("%d problems: %s", len(problems), strings.Join(problems[:min(3, len(problems))], "; "))
		return res
	}
	res.Verdict = checker.Holds
	res.Detail = fmt.Sprintf("all %d acknowledged writes are in the final state of %d keys, once each", acked, len(final))
	return res
}

// Check runs the named checks on the finished run and reports statistics.
// A check that cannot read what it needs (the final state) is
// Inconclusive, like a linearizability check that runs out of its budget.
func (c *Cluster) Check(req protocols.CheckRequest) protocols.Report {
	var rep protocols.Report
	ops := checker.FromSim(req.World.History())
	for _, name := range req.Checks {
		switch name {
		case checker.LinearizabilityCheck:
			res, vis := kv.CheckLinearizable(ops, req.Budget)
			rep.Checks = append(rep.Checks, res)
			if vis != nil {
				rep.Visualization = vis
			}
		case AckedWritesCheck:
			final, err := c.Final()
			if err != nil {
				rep.Checks = append(rep.Checks, checker.Result{Check: name, Kind: checker.Safety,
					Verdict: checker.Inconclusive, Detail: err.Error()})
				continue
			}
			rep.Checks = append(rep.Checks, CheckAckedWrites(ops, final))
		case OnePrimaryCheck:
			rep.Checks = append(rep.Checks, CheckOnePrimary(c.views, c.acts))
		default:
			rep.Checks = append(rep.Checks, checker.Result{Check: name, Kind: checker.Safety,
				Verdict: checker.Inconclusive, Detail: "pbkv has no such check"})
		}
	}
	rep.Stats = append(kv.Stats(ops),
		protocols.Stat{Name: "views", Value: float64(len(c.views))},
		protocols.Stat{Name: "state transfers", Value: float64(c.transfers)},
		protocols.Stat{Name: "lease reads", Value: float64(c.leaseReads)})
	return rep
}
