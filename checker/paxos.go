package checker

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The Check names of the Paxos safety checks.
const (
	// PaxosAgreementCheck: no slot has two different chosen values, and no
	// replica applies a value that was not chosen.
	PaxosAgreementCheck = "paxos-agreement"
	// PaxosValidityCheck: acceptors accept only what was proposed, and
	// proposers propose only what was requested (or the no-op).
	PaxosValidityCheck = "paxos-validity"
	// PaxosPrefixCheck: every replica applies slots in order without gaps,
	// and any two replicas applied the same value at every slot both
	// applied, so of any two applied logs one is a prefix of the other.
	PaxosPrefixCheck = "paxos-prefix"
)

// PaxosNoop is the value a Multi-Paxos leader proposes to fill a slot no
// client asked for. It is valid without a PaxosRequest.
const PaxosNoop = "noop"

// PaxosEventKind is the kind of a PaxosEvent.
type PaxosEventKind uint8

// The kinds of Paxos events. The zero kind is invalid, so a forgotten field
// is caught by validation.
const (
	// PaxosRequest: a value entered the system. Node asked for Value (a
	// client submitting a command, or a proposer's own initial value).
	// Slot and Ballot are unused.
	PaxosRequest PaxosEventKind = iota + 1
	// PaxosPropose: proposer Node asked the acceptors to accept Value at
	// Slot with Ballot (phase 2a).
	PaxosPropose
	// PaxosAccept: acceptor Node accepted Value at Slot with Ballot (phase
	// 2b). A value is chosen at a slot once a majority of the acceptors
	// accepted it with one ballot.
	PaxosAccept
	// PaxosApply: replica Node applied Value as the command of Slot (for
	// single-decree Paxos: learned it). Ballot is unused.
	PaxosApply
)

var paxosKindNames = [...]string{PaxosRequest: "request", PaxosPropose: "propose",
	PaxosAccept: "accept", PaxosApply: "apply"}

// String returns "request", "propose", "accept" or "apply".
func (k PaxosEventKind) String() string {
	if k >= PaxosRequest && k <= PaxosApply {
		return paxosKindNames[k]
	}
	return fmt.Sprintf("PaxosEventKind(%d)", int(k))
}

// PaxosBallot numbers a Paxos proposal: ballots are ordered by Round, then
// by Node, so two proposers never share one.
type PaxosBallot struct {
	Round int64 // from 1; 0 means no ballot
	Node  int   // the proposer that owns the ballot
}

// Compare returns -1, 0 or +1 as b orders before, equal to or after c.
func (b PaxosBallot) Compare(c PaxosBallot) int {
	if r := cmp.Compare(b.Round, c.Round); r != 0 {
		return r
	}
	return cmp.Compare(b.Node, c.Node)
}

// PaxosEvent is one step of a Paxos run that the safety checks read: a
// request, a proposal, an acceptance or an application. Slots start at 1.
// Node numbers are the simulator's node ids (any non-negative int).
type PaxosEvent struct {
	Kind   PaxosEventKind
	Time   int64 // virtual ns since the start of the run, for reports
	Node   int
	Slot   int64
	Ballot PaxosBallot
	Value  string // the value's identity, e.g. "c1#7" or PaxosNoop
}

// PaxosTrace is what the Paxos checks read: the run's events in the order
// they happened, and the number of acceptors, which fixes the majority.
type PaxosTrace struct {
	// Acceptors is the size of the acceptor set: a value is chosen when
	// Acceptors/2+1 of them accept it with the same ballot, whatever quorum
	// the protocol itself uses.
	Acceptors int
	// Events are the run's Paxos events, in order.
	Events []PaxosEvent
	// Names optionally names nodes in details: Names[node]. Missing names
	// print as "node N".
	Names []string
}

// CheckPaxos runs the three Paxos safety checks on t: agreement, validity
// and prefix, in that order. It returns an error wrapping ErrBadHistory if
// t is malformed.
func CheckPaxos(t PaxosTrace) ([]Result, error) {
	if err := ValidatePaxosTrace(t); err != nil {
		return nil, err
	}
	ix := newSlotIndex(t)
	return []Result{paxosAgreement(t, ix), paxosValidity(t, ix), paxosPrefix(t, ix)}, nil
}

// CheckPaxosAgreement checks that no slot has two different chosen values
// (chosen: accepted by a majority of t.Acceptors with one ballot, at any
// time of the run, even by acceptors that later forgot it) and that every
// value a replica applied was chosen at its slot. Offending lists the
// slots at fault, as "slot N", in slot order.
func CheckPaxosAgreement(t PaxosTrace) (Result, error) {
	if err := ValidatePaxosTrace(t); err != nil {
		return Result{}, err
	}
	return paxosAgreement(t, newSlotIndex(t)), nil
}

// CheckPaxosValidity checks that every accepted value was proposed at its
// slot with its ballot (earlier in the trace), and that every proposed value
// was requested before it was proposed, or is PaxosNoop. So every chosen
// value was proposed, and came from a client.
func CheckPaxosValidity(t PaxosTrace) (Result, error) {
	if err := ValidatePaxosTrace(t); err != nil {
		return Result{}, err
	}
	return paxosValidity(t, newSlotIndex(t)), nil
}

// CheckPaxosPrefix checks that every replica applies slots in order from 1
// without gaps (applying a slot again, as a restarted replica does, is
// allowed if the value is the same) and that any two replicas applied the
// same value at every slot both applied.
func CheckPaxosPrefix(t PaxosTrace) (Result, error) {
	if err := ValidatePaxosTrace(t); err != nil {
		return Result{}, err
	}
	return paxosPrefix(t, newSlotIndex(t)), nil
}

// ValidatePaxosTrace reports why t cannot be checked: no acceptors, or an
// event with an invalid kind, a negative node, a slot below 1 where one is
// needed, or an empty value. The error wraps ErrBadHistory and names the
// first bad event by index.
func ValidatePaxosTrace(t PaxosTrace) error {
	if t.Acceptors < 1 {
		return fmt.Errorf("%w: paxos trace: acceptors: %d, want at least 1", ErrBadHistory, t.Acceptors)
	}
	for i, e := range t.Events {
		var err error
		switch {
		case e.Kind < PaxosRequest || e.Kind > PaxosApply:
			err = fmt.Errorf("kind: invalid value %d", int(e.Kind))
		case e.Node < 0:
			err = fmt.Errorf("node: %d is negative", e.Node)
		case e.Value == "":
			err = errors.New("value: missing")
		case e.Kind != PaxosRequest && e.Slot < 1:
			err = fmt.Errorf("slot: %d, slots start at 1", e.Slot)
		case (e.Kind == PaxosPropose || e.Kind == PaxosAccept) && e.Ballot.Round < 1:
			err = fmt.Errorf("ballot: round %d, rounds start at 1", e.Ballot.Round)
		}
		if err != nil {
			return fmt.Errorf("%w: paxos trace: event %d (%s): %w", ErrBadHistory, i, e.Kind, err)
		}
	}
	return nil
}

// maxOffending caps Offending lists; Detail says how many there were.
const maxOffending = 20

// slotIndex groups a trace's events by slot: the events of each slot in
// trace order, and the slots in increasing order. The checks work slot by
// slot over it, which keeps them linear in the trace and free of maps keyed
// by strings.
type slotIndex struct {
	slots  []int64   // the slots of the trace, in increasing order
	events [][]int32 // per position in slots: indices of the slot's events
	// A slot's position: pos[slot] (minus one; 0: absent) when slots are
	// small, as they are in practice, or sparse otherwise.
	pos    []int32
	sparse map[int64]int32
}

// lookup returns the position of slot in ix.slots.
func (ix *slotIndex) lookup(slot int64) (int32, bool) {
	if ix.sparse != nil {
		d, ok := ix.sparse[slot]
		return d, ok
	}
	if slot < 0 || slot >= int64(len(ix.pos)) || ix.pos[slot] == 0 {
		return 0, false
	}
	return ix.pos[slot] - 1, true
}

func newSlotIndex(t PaxosTrace) *slotIndex {
	ix := &slotIndex{}
	var top int64
	for _, e := range t.Events {
		if e.Kind != PaxosRequest {
			top = max(top, e.Slot)
		}
	}
	var count func(d int) int32 // events of the slot at position d
	if top <= 2*int64(len(t.Events))+1024 {
		// Dense: count per slot in an array.
		counts := make([]int32, top+1)
		for _, e := range t.Events {
			if e.Kind != PaxosRequest {
				counts[e.Slot]++
			}
		}
		ix.pos = make([]int32, top+1)
		for slot, c := range counts {
			if c > 0 {
				ix.slots = append(ix.slots, int64(slot))
				ix.pos[slot] = int32(len(ix.slots))
			}
		}
		count = func(d int) int32 { return counts[ix.slots[d]] }
	} else {
		counts := map[int64]int32{}
		for _, e := range t.Events {
			if e.Kind != PaxosRequest {
				counts[e.Slot]++
			}
		}
		ix.slots = slices.Sorted(maps.Keys(counts))
		ix.sparse = make(map[int64]int32, len(ix.slots))
		for d, slot := range ix.slots {
			ix.sparse[slot] = int32(d)
		}
		count = func(d int) int32 { return counts[ix.slots[d]] }
	}
	// One backing array for every slot's events.
	flat := make([]int32, 0, len(t.Events))
	ix.events = make([][]int32, len(ix.slots))
	for d := range ix.slots {
		n := len(flat)
		flat = flat[:n+int(count(d))]
		ix.events[d] = flat[n:n:len(flat)]
	}
	for i, e := range t.Events {
		if e.Kind != PaxosRequest {
			d, _ := ix.lookup(e.Slot)
			ix.events[d] = append(ix.events[d], int32(i))
		}
	}
	return ix
}

// chosenValue is a value that became chosen at a slot.
type chosenValue struct {
	value  string
	ballot PaxosBallot
	at     int64 // virtual time it became chosen
	last   int32 // index of the acceptance that made it chosen
}

// group is the acceptors that accepted one value with one ballot at a slot:
// nodes below 64 in a bit set, others in a list.
type group struct {
	ballot PaxosBallot
	value  string
	mask   uint64
	more   []int
	count  int
	done   bool
}

// add adds node to g and reports whether it was new.
func (g *group) add(node int) bool {
	if node < 64 {
		if g.mask&(1<<node) != 0 {
			return false
		}
		g.mask |= 1 << node
	} else {
		if slices.Contains(g.more, node) {
			return false
		}
		g.more = append(g.more, node)
	}
	g.count++
	return true
}

// chosenAt replays the accept events of one slot (given by their indices)
// and appends to chosen the distinct values that were chosen there, in the
// order they became chosen. groups is scratch space.
func chosenAt(t PaxosTrace, evs []int32, chosen []chosenValue, groups []group) ([]chosenValue, []group) {
	quorum := t.Acceptors/2 + 1
	groups = groups[:0]
	for _, i := range evs {
		e := &t.Events[i]
		if e.Kind != PaxosAccept {
			continue
		}
		g := slices.IndexFunc(groups, func(g group) bool { return g.ballot == e.Ballot && g.value == e.Value })
		if g < 0 {
			groups = append(groups, group{ballot: e.Ballot, value: e.Value})
			g = len(groups) - 1
		}
		gr := &groups[g]
		if gr.done || !gr.add(e.Node) || gr.count < quorum {
			continue
		}
		gr.done = true
		if !slices.ContainsFunc(chosen, func(c chosenValue) bool { return c.value == e.Value }) {
			chosen = append(chosen, chosenValue{value: e.Value, ballot: e.Ballot, at: e.Time, last: i})
		}
	}
	return chosen, groups
}

// voters names the acceptors that made c chosen at a slot, in the order
// they accepted, for reports.
func (t PaxosTrace) voters(evs []int32, c chosenValue) string {
	var nodes []int
	for _, i := range evs {
		e := &t.Events[i]
		if i > c.last {
			break
		}
		if e.Kind == PaxosAccept && e.Ballot == c.ballot && e.Value == c.value && !slices.Contains(nodes, e.Node) {
			nodes = append(nodes, e.Node)
		}
	}
	return t.nodes(nodes)
}

func paxosAgreement(t PaxosTrace, ix *slotIndex) Result {
	r := Result{Check: PaxosAgreementCheck, Kind: Safety}
	bad := map[int64]string{} // slot -> first explanation
	var groups []group
	var cs []chosenValue
	slotsChosen, applies := 0, 0
	for d, slot := range ix.slots {
		cs, groups = chosenAt(t, ix.events[d], cs[:0], groups)
		if len(cs) > 0 {
			slotsChosen++
		}
		if len(cs) > 1 {
			bad[slot] = fmt.Sprintf("slot %d has %d chosen values: %s (ballot %s, by %s at %s) and %s (ballot %s, by %s at %s)",
				slot, len(cs), strconv.Quote(cs[0].value), t.ballot(cs[0].ballot), t.voters(ix.events[d], cs[0]), nsTime(cs[0].at),
				strconv.Quote(cs[1].value), t.ballot(cs[1].ballot), t.voters(ix.events[d], cs[1]), nsTime(cs[1].at))
		}
		for _, i := range ix.events[d] {
			e := &t.Events[i]
			if e.Kind != PaxosApply {
				continue
			}
			applies++
			if _, seen := bad[slot]; seen {
				continue
			}
			if !slices.ContainsFunc(cs, func(c chosenValue) bool { return c.value == e.Value }) {
				what := "no value was chosen there"
				if len(cs) > 0 {
					what = "the chosen value is " + strconv.Quote(cs[0].value)
				}
				bad[slot] = fmt.Sprintf("%s applied %s at slot %d at %s, but %s",
					t.name(e.Node), strconv.Quote(e.Value), slot, nsTime(e.Time), what)
			}
		}
	}
	if len(bad) == 0 {
		r.Verdict = Holds
		r.Detail = fmt.Sprintf("one chosen value per slot (%s with a chosen value), and all %d applications were of chosen values",
			countOf(slotsChosen, "slot"), applies)
		return r
	}
	r.Verdict = Violated
	r.Offending, r.Detail = slotReport(bad)
	return r
}

func paxosValidity(t PaxosTrace, ix *slotIndex) Result {
	r := Result{Check: PaxosValidityCheck, Kind: Safety}
	// A proposal is valid only if its request came before it.
	requestedBy := map[string]int{}
	for i, e := range t.Events {
		if e.Kind == PaxosRequest {
			if _, ok := requestedBy[e.Value]; !ok {
				requestedBy[e.Value] = i
			}
		}
	}
	bad := map[int64]string{}
	type prop struct {
		ballot PaxosBallot
		value  string
	}
	var props []prop
	accepts := 0
	for d, slot := range ix.slots {
		props = props[:0]
		for _, i := range ix.events[d] {
			e := &t.Events[i]
			var why string
			switch e.Kind {
			case PaxosPropose:
				props = append(props, prop{e.Ballot, e.Value})
				if at, ok := requestedBy[e.Value]; e.Value != PaxosNoop && (!ok || at > int(i)) {
					why = fmt.Sprintf("%s proposed %s at slot %d (ballot %s) at %s, which nobody had requested",
						t.name(e.Node), strconv.Quote(e.Value), slot, t.ballot(e.Ballot), nsTime(e.Time))
				}
			case PaxosAccept:
				accepts++
				if !slices.Contains(props, prop{e.Ballot, e.Value}) {
					why = fmt.Sprintf("%s accepted %s at slot %d (ballot %s) at %s, which was never proposed there with that ballot",
						t.name(e.Node), strconv.Quote(e.Value), slot, t.ballot(e.Ballot), nsTime(e.Time))
				}
			}
			if _, seen := bad[slot]; why != "" && !seen {
				bad[slot] = why
			}
		}
	}
	if len(bad) == 0 {
		r.Verdict = Holds
		r.Detail = fmt.Sprintf("all %d acceptances were of proposed values, and all proposals of requested values or the no-op",
			accepts)
		return r
	}
	r.Verdict = Violated
	r.Offending, r.Detail = slotReport(bad)
	return r
}

func paxosPrefix(t PaxosTrace, ix *slotIndex) Result {
	r := Result{Check: PaxosPrefixCheck, Kind: Safety}
	n := len(ix.slots)
	firstBy := make([]int32, n) // per slot position: 1 + index of its first application, or 0
	logs := map[int][]uint64{}  // node -> bit set of the slot positions it applied
	var nodes []int
	bad := map[int64]string{}
	var longest int64
	for i, e := range t.Events {
		if e.Kind != PaxosApply {
			continue
		}
		d, _ := ix.lookup(e.Slot)
		log, ok := logs[e.Node]
		if !ok {
			log = make([]uint64, (n+63)/64)
			logs[e.Node] = log
			nodes = append(nodes, e.Node)
		}
		if _, seen := bad[e.Slot]; !seen {
			prev, hasPrev := ix.lookup(e.Slot - 1)
			if e.Slot > 1 && (!hasPrev || log[prev/64]&(1<<(prev%64)) == 0) {
				bad[e.Slot] = fmt.Sprintf("%s applied slot %d at %s before slot %d",
					t.name(e.Node), e.Slot, nsTime(e.Time), e.Slot-1)
			} else if f := firstBy[d]; f > 0 && t.Events[f-1].Value != e.Value {
				first := &t.Events[f-1]
				bad[e.Slot] = fmt.Sprintf("%s applied %s at slot %d at %s, but %s applied %s there at %s",
					t.name(e.Node), strconv.Quote(e.Value), e.Slot, nsTime(e.Time),
					t.name(first.Node), strconv.Quote(first.Value), nsTime(first.Time))
			}
		}
		if firstBy[d] == 0 {
			firstBy[d] = int32(i) + 1
		}
		log[d/64] |= 1 << (d % 64)
		longest = max(longest, e.Slot)
	}
	if len(bad) == 0 {
		r.Verdict = Holds
		r.Detail = fmt.Sprintf("the applied logs of %s are prefixes of each other (longest: %s)",
			countOf(len(nodes), "replica"), countOf(int(longest), "slot"))
		return r
	}
	r.Verdict = Violated
	r.Offending, r.Detail = slotReport(bad)
	return r
}

// slotReport turns per-slot explanations into Offending ("slot N", in slot
// order, at most maxOffending) and a Detail giving the first explanation.
func slotReport(bad map[int64]string) ([]string, string) {
	slots := slices.Sorted(maps.Keys(bad))
	var off []string
	for _, s := range slots[:min(len(slots), maxOffending)] {
		off = append(off, "slot "+strconv.FormatInt(s, 10))
	}
	detail := bad[slots[0]]
	if len(slots) > 1 {
		detail += fmt.Sprintf(" (%s at fault in all)", countOf(len(slots), "slot"))
	}
	return off, detail
}

func countOf(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

func (t PaxosTrace) name(node int) string {
	if node >= 0 && node < len(t.Names) && t.Names[node] != "" {
		return t.Names[node]
	}
	return "node " + strconv.Itoa(node)
}

func (t PaxosTrace) nodes(ns []int) string {
	names := make([]string, len(ns))
	for i, n := range ns {
		names[i] = t.name(n)
	}
	return strings.Join(names, ",")
}

func (t PaxosTrace) ballot(b PaxosBallot) string {
	return strconv.FormatInt(b.Round, 10) + "." + t.name(b.Node)
}

// nsTime formats virtual nanoseconds as a span since the start, e.g. "1.5s".
func nsTime(ns int64) string { return time.Duration(ns).String() }
