package detector

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"gonum.org/v1/gonum/stat"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/sim"
)

// The names of the detector checks.
const (
	CheckCompleteness = "detector-completeness"
	CheckAccuracy     = "detector-accuracy"
)

// Analysis watches a run (World.Observe(a.Observe)) and measures its
// failure detectors with the quality-of-service metrics of Chen, Toueg and
// Aguilera (2002), from the monitors' Opinion facts and the kernel's crash,
// restart, pause and partition events:
//
//   - detection time T_D: from a real crash to the moment the monitor
//     starts suspecting the crashed node for good (until it restarts);
//   - mistakes: a suspicion that begins while the target is up (a paused or
//     cut-off node is up: it is slow, not crashed); their rate λ_M, per
//     monitored pair per hour of simulated time during which both were up;
//     and their duration T_M, until the monitor trusts the target again
//     (or the target crashes, or the run ends).
//
// It also decides completeness (a crashed node is suspected by every
// correct monitor within a bound after the network is calm) and eventual
// accuracy (at the end, after a calm bound, no correct monitor suspects a
// correct node).
type Analysis struct {
	name      func(sim.NodeID) string
	dets      []string
	nodes     map[sim.NodeID]*nodeLife
	trans     map[pairKey][]transition
	unsettled []span // partitions and cuts, until healed
	cutSince  sim.Time
	cut       bool
	last      sim.Time
	// late is, per crash and monitor, the last delivery to the monitor of
	// a message the crashed node sent before it crashed: a heartbeat that
	// late makes any monitor trust it again.
	late map[lateKey]sim.Time
}

// lateKey is one crash (of a node, at a time) seen from one monitor.
type lateKey struct {
	x, m  sim.NodeID
	crash sim.Time
}

// pairKey is one detector at one monitor about one target.
type pairKey struct {
	det    string
	m      sim.NodeID
	target string // by name, as the Opinion gives it
}

type transition struct {
	at      sim.Time
	suspect bool
}

type span struct{ from, to sim.Time } // to == sim.Never: still open

// nodeLife is a node's up and paused spans.
type nodeLife struct {
	up, paused []span
}

func (l *nodeLife) open(spans *[]span, at sim.Time) { *spans = append(*spans, span{at, sim.Never}) }

func (l *nodeLife) close(spans *[]span, at sim.Time) {
	if n := len(*spans); n > 0 && (*spans)[n-1].to == sim.Never {
		(*spans)[n-1].to = at
	}
}

// NewAnalysis returns an empty analysis of the named detectors (NameFixed,
// NamePhi) that names nodes with name. Opinions of other detectors are
// ignored; a detector that never suspects anything is still judged.
func NewAnalysis(name func(sim.NodeID) string, detectors ...string) *Analysis {
	return &Analysis{name: name, dets: slices.Sorted(slices.Values(detectors)),
		nodes: map[sim.NodeID]*nodeLife{}, trans: map[pairKey][]transition{}, late: map[lateKey]sim.Time{}}
}

func (a *Analysis) life(id sim.NodeID) *nodeLife {
	l := a.nodes[id]
	if l == nil {
		l = &nodeLife{}
		a.nodes[id] = l
	}
	return l
}

// Observe feeds one event to the analysis.
func (a *Analysis) Observe(e *sim.Event) {
	a.last = max(a.last, e.Time)
	switch e.Kind {
	case sim.KindStart, sim.KindRestart:
		l := a.life(e.Node)
		l.open(&l.up, e.Time)
	case sim.KindCrash:
		l := a.life(e.Node)
		l.close(&l.up, e.Time)
		l.close(&l.paused, e.Time)
		a.forget(e.Node, e.Time)
	case sim.KindPause:
		l := a.life(e.Node)
		l.open(&l.paused, e.Time)
	case sim.KindResume:
		l := a.life(e.Node)
		l.close(&l.paused, e.Time)
	case sim.KindPartition, sim.KindCut:
		if !a.cut {
			a.cut, a.cutSince = true, e.Time
		}
	case sim.KindHeal:
		if a.cut {
			a.unsettled = append(a.unsettled, span{a.cutSince, e.Time})
			a.cut = false
		}
	case sim.KindDeliver:
		if l := a.nodes[e.Peer]; l != nil && len(l.up) > 0 && l.up[len(l.up)-1].to != sim.Never {
			a.late[lateKey{e.Peer, e.Node, l.up[len(l.up)-1].to}] = e.Time
		}
	case sim.KindRecord:
		op, ok := e.Msg.(Opinion)
		if !ok || !slices.Contains(a.dets, op.Detector) {
			return
		}
		k := pairKey{det: op.Detector, m: e.Node, target: op.Peer}
		a.trans[k] = append(a.trans[k], transition{at: e.Time, suspect: op.Suspect})
	}
}

// forget records that a crashed monitor's opinions are gone: it trusts
// everyone when it restarts.
func (a *Analysis) forget(m sim.NodeID, at sim.Time) {
	for _, k := range slices.SortedFunc(maps.Keys(a.trans), cmpKey) {
		if ts := a.trans[k]; k.m == m && len(ts) > 0 && ts[len(ts)-1].suspect {
			a.trans[k] = append(ts, transition{at: at, suspect: false})
		}
	}
}

func cmpKey(p, q pairKey) int {
	return cmp.Or(cmp.Compare(p.det, q.det), cmp.Compare(p.m, q.m), cmp.Compare(p.target, q.target))
}

// Mistake is one false suspicion.
type Mistake struct {
	Detector       string
	Monitor        string
	Target         string
	At             sim.Time      // when the suspicion began
	Duration       time.Duration // until trusted again, the target crashed, or the run ended
	StillSuspected bool          // the run ended during the mistake
}

// String formats the mistake, e.g. "phi n1→n3 at 2.1s for 300ms".
func (m Mistake) String() string {
	s := fmt.Sprintf("%s %s→%s at %v for %v", m.Detector, m.Monitor, m.Target, m.At, m.Duration)
	if m.StillSuspected {
		s += " (still suspected at the end)"
	}
	return s
}

// QoS is one detector's quality of service over a run.
type QoS struct {
	Detector string
	// Detections are the detection times of the crashes detected: one per
	// crash and monitor that was up throughout, in order of crash.
	Detections []time.Duration
	// Undetected counts crashes a monitor never suspected for good before
	// the node restarted or the run ended.
	Undetected int
	// Mistakes are the false suspicions, in time order.
	Mistakes []Mistake
	// Monitored is the total time pairs of monitor and target were both
	// up, summed over ordered pairs.
	Monitored time.Duration
}

// MeanDetection returns the mean detection time, 0 if nothing was detected.
// Like every QoS figure it feeds reports only, so it uses gonum's mean as it
// is, whose last bits may differ between architectures.
func (q QoS) MeanDetection() time.Duration {
	if len(q.Detections) == 0 {
		return 0
	}
	xs := make([]float64, len(q.Detections))
	for i, d := range q.Detections {
		xs[i] = float64(d)
	}
	return time.Duration(stat.Mean(xs, nil))
}

// MistakeRate returns false suspicions per monitored pair per hour of
// simulated time (Chen, Toueg and Aguilera's λ_M).
func (q QoS) MistakeRate() float64 {
	if q.Monitored <= 0 {
		return 0
	}
	return float64(len(q.Mistakes)) / q.Monitored.Hours()
}

// MeanMistakeDuration returns the mean duration of a mistake (T_M), 0 if
// there were none.
func (q QoS) MeanMistakeDuration() time.Duration {
	if len(q.Mistakes) == 0 {
		return 0
	}
	var sum time.Duration
	for _, m := range q.Mistakes {
		sum += m.Duration
	}
	return sum / time.Duration(len(q.Mistakes))
}

// ids returns the nodes seen, in order.
func (a *Analysis) ids() []sim.NodeID { return slices.Sorted(maps.Keys(a.nodes)) }

// detectors returns the names of the detectors analysed, sorted.
func (a *Analysis) detectors() []string { return a.dets }

// state returns whether monitor m's detector det suspected target at time t
// (inclusive of a transition at t).
func (a *Analysis) state(det string, m sim.NodeID, target string, t sim.Time) bool {
	s := false
	for _, tr := range a.trans[pairKey{det: det, m: m, target: target}] {
		if tr.at > t {
			break
		}
		s = tr.suspect
	}
	return s
}

// suspectedSince reports whether monitor m's detector det suspected target
// at time t, and since when.
func (a *Analysis) suspectedSince(det string, m sim.NodeID, target string, t sim.Time) (sim.Time, bool) {
	var since sim.Time
	s := false
	for _, tr := range a.trans[pairKey{det: det, m: m, target: target}] {
		if tr.at > t {
			break
		}
		if tr.suspect && !s {
			since = tr.at
		}
		s = tr.suspect
	}
	return since, s
}

func upAt(spans []span, t sim.Time) bool {
	for _, s := range spans {
		if s.from <= t && t < s.to {
			return true
		}
	}
	return false
}

// upThroughout reports whether one span covers [from, to].
func upThroughout(spans []span, from, to sim.Time) bool {
	for _, s := range spans {
		if s.from <= from && to < s.to {
			return true
		}
	}
	return false
}

func overlaps(spans []span, from, to sim.Time) bool {
	for _, s := range spans {
		if s.from <= to && from < s.to {
			return true
		}
	}
	return false
}

// calmAfter returns the first time at or after t when no partition or cut
// is in effect (sim.Never if one never heals).
func (a *Analysis) calmAfter(t sim.Time) sim.Time {
	spans := slices.Clone(a.unsettled)
	if a.cut {
		spans = append(spans, span{a.cutSince, sim.Never})
	}
	for changed := true; changed; {
		changed = false
		for _, s := range spans {
			if s.from <= t && t < s.to {
				t, changed = s.to, true
			}
		}
	}
	return t
}

// QoS measures every detector analysed, over the run up to end.
func (a *Analysis) QoS(end sim.Time) []QoS {
	var out []QoS
	for _, det := range a.detectors() {
		q := QoS{Detector: det}
		ids := a.ids()
		for _, m := range ids {
			for _, x := range ids {
				if m == x {
					continue
				}
				q.Monitored += a.bothUp(m, x, end)
				a.measure(&q, det, m, x, end)
			}
		}
		slices.SortFunc(q.Mistakes, func(p, r Mistake) int {
			return cmp.Or(cmp.Compare(p.At, r.At), cmp.Compare(p.Monitor, r.Monitor), cmp.Compare(p.Target, r.Target))
		})
		out = append(out, q)
	}
	return out
}

// bothUp returns how long m and x were both up before end.
func (a *Analysis) bothUp(m, x sim.NodeID, end sim.Time) time.Duration {
	var d time.Duration
	for _, s := range a.nodes[m].up {
		for _, u := range a.nodes[x].up {
			from, to := max(s.from, u.from), min(s.to, u.to, end)
			if to > from {
				d += to.Sub(from)
			}
		}
	}
	return d
}

// measure adds det's mistakes and detections by monitor m about x.
func (a *Analysis) measure(q *QoS, det string, m, x sim.NodeID, end sim.Time) {
	xl := a.nodes[x]
	target := a.name(x)
	ts := a.trans[pairKey{det: det, m: m, target: target}]
	for i, tr := range ts {
		if !tr.suspect || !upAt(xl.up, tr.at) {
			continue
		}
		stop, still := end, true
		if i+1 < len(ts) {
			stop, still = ts[i+1].at, false
		}
		for _, s := range xl.up { // a crash of the target ends the mistake
			if s.from <= tr.at && tr.at < s.to && s.to < stop {
				stop, still = s.to, false
			}
		}
		q.Mistakes = append(q.Mistakes, Mistake{Detector: det, Monitor: a.name(m), Target: target,
			At: tr.at, Duration: stop.Sub(tr.at), StillSuspected: still})
	}
	ml := a.nodes[m]
	for i, s := range xl.up {
		crash, restart := s.to, end
		if crash >= end {
			continue
		}
		if i+1 < len(xl.up) {
			restart = min(xl.up[i+1].from, end)
		}
		if !upThroughout(ml.up, crash, restart-1) {
			continue // the monitor was not correct throughout
		}
		// The suspicion in effect at the restart (or the end), if it began
		// after the crash or was in effect at it, is the permanent one.
		var since sim.Time = -1
		for _, tr := range ts {
			if tr.at >= restart {
				break
			}
			if tr.suspect && since < 0 {
				since = tr.at
			} else if !tr.suspect {
				since = -1
			}
		}
		if since < 0 {
			q.Undetected++
			continue
		}
		q.Detections = append(q.Detections, max(0, since.Sub(crash)))
	}
}

// Completeness checks that every crashed node is suspected, by every
// monitor up since the crash, within bound of the crash, of the end of the
// partition in effect at the crash, or of the arrival of the last message
// it sent before crashing (a heartbeat delayed past the crash, as a heavy
// tail delays some, rightly makes a monitor trust it again), unless it
// restarted or the run ended first.
func (a *Analysis) Completeness(end sim.Time, bound time.Duration) checker.Result {
	var missed []string
	checked := 0
	for _, det := range a.detectors() {
		ids := a.ids()
		for _, x := range ids {
			xl := a.nodes[x]
			for i, s := range xl.up {
				crash := s.to
				if crash >= end {
					continue
				}
				restart := sim.Never
				if i+1 < len(xl.up) {
					restart = xl.up[i+1].from
				}
				deadline := a.calmAfter(crash)
				if deadline == sim.Never {
					continue
				}
				for _, m := range ids {
					ml := a.nodes[m]
					deadline := deadline
					if t, ok := a.late[lateKey{x, m, crash}]; ok && t > deadline {
						deadline = t
					}
					deadline = deadline.Add(bound)
					if m == x || deadline > end || restart <= deadline ||
						!upThroughout(ml.up, crash, deadline) || overlaps(ml.paused, crash, deadline) {
						continue
					}
					checked++
					if !a.state(det, m, a.name(x), deadline) {
						missed = append(missed, fmt.Sprintf("%s: %s did not suspect %s by %v (crashed at %v)",
							det, a.name(m), a.name(x), deadline, crash))
					}
				}
			}
		}
	}
	r := checker.Result{Check: CheckCompleteness, Kind: checker.Liveness, Verdict: checker.Holds,
		Detail: fmt.Sprintf("every crash was suspected by every correct monitor within %v (%d crash-monitor pairs checked)", bound, checked)}
	if len(missed) > 0 {
		r.Verdict = checker.Violated
		r.Detail = fmt.Sprintf("%d of %d crash-monitor pairs missed the bound %v; first: %s", len(missed), checked, bound, missed[0])
		r.Offending = missed
	}
	return r
}

// Accuracy checks eventual accuracy: no monitor suspects a node through
// the whole last bound of the run while both were up and unpaused and the
// network calm (a mistake that outlasts the bound is not being corrected;
// a brief one near the end may be). Its detail lists the false suspicions
// of the whole run, with their times.
func (a *Analysis) Accuracy(end sim.Time, bound time.Duration) checker.Result {
	var wrong []string
	from := end - sim.Time(bound)
	calm := a.calmAfter(from) == from && !a.cut
	var mistakes []Mistake
	for _, q := range a.QoS(end) {
		mistakes = append(mistakes, q.Mistakes...)
	}
	for _, det := range a.detectors() {
		ids := a.ids()
		for _, m := range ids {
			for _, x := range ids {
				ml, xl := a.nodes[m], a.nodes[x]
				if m == x || !calm || !upThroughout(ml.up, from, end-1) || !upThroughout(xl.up, from, end-1) ||
					overlaps(ml.paused, from, end) || overlaps(xl.paused, from, end) {
					continue
				}
				if since, ok := a.suspectedSince(det, m, a.name(x), end); ok && since <= from {
					wrong = append(wrong, fmt.Sprintf("%s: %s has suspected %s since %v, to the end", det, a.name(m), a.name(x), since))
				}
			}
		}
	}
	var list []string
	for i, m := range mistakes {
		if i == 5 {
			list = append(list, fmt.Sprintf("and %d more", len(mistakes)-5))
			break
		}
		list = append(list, m.String())
	}
	falses := fmt.Sprintf("%d false suspicions", len(mistakes))
	if len(list) > 0 {
		falses += ": " + strings.Join(list, "; ")
	}
	r := checker.Result{Check: CheckAccuracy, Kind: checker.Liveness, Verdict: checker.Holds,
		Detail: "no correct node suspected through the last " + bound.String() + "; " + falses}
	if !calm {
		r.Detail = "the network was not calm for the bound before the end, nothing to require; " + falses
	}
	if len(wrong) > 0 {
		r.Verdict = checker.Violated
		r.Detail = fmt.Sprintf("%d wrong suspicions at the end; first: %s; %s", len(wrong), wrong[0], falses)
		r.Offending = wrong
	}
	return r
}
