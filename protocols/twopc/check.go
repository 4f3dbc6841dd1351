package twopc

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/sim"
)

// doubtKey names one participant's view of one transaction.
type doubtKey struct {
	node sim.NodeID
	txn  string
}

// instance is a commit protocol set up in a World. It watches the facts
// the nodes record (Began, Voted, Decided, Applied, Blocked) and crashes,
// and checks them after the run.
type instance struct {
	cfg          Config
	world        *sim.World
	base         sim.NodeID
	names        []string // node names, by id - base
	blockedAfter time.Duration

	events      []checker.TxnEvent
	parts       map[string][]string     // transaction -> participant names, from Began
	yesAt       map[doubtKey]sim.Time   // when a participant last voted yes
	down        map[sim.NodeID]sim.Time // crashed nodes -> when
	blockedSeen map[string]bool         // transactions that were ever reported blocked
	longest     time.Duration           // longest time from a yes vote to learning the outcome
	longestTxn  string

	clients []sim.NodeID         // for liveness mode's progress
	mon     protocols.Monitor    // online checks (hunt.go)
	outcome map[string]*txnWatch // online: what each transaction's events said
	queries *rand.Rand           // delays of queries after the fact
}

// Servers returns the coordinator and the participants.
func (in *instance) Servers() []sim.NodeID {
	ids := []sim.NodeID{in.cfg.Coordinator}
	return append(ids, in.cfg.Participants...)
}

func (in *instance) name(id sim.NodeID) string {
	if i := int(id - in.base); i >= 0 && i < len(in.names) {
		return in.names[i]
	}
	return in.world.Name(id)
}

func (in *instance) observe(e *sim.Event) {
	in.hunt(e)
	switch e.Kind {
	case sim.KindRecord:
		in.fact(e)
	case sim.KindCrash:
		in.down[e.Node] = e.Time
	case sim.KindRestart:
		delete(in.down, e.Node)
	}
}

// fact turns a node's fact into the event the atomicity check reads, and
// follows how long participants stay in doubt.
func (in *instance) fact(e *sim.Event) {
	ev := checker.TxnEvent{Time: int64(e.Time), Node: in.name(e.Node)}
	switch f := e.Msg.(type) {
	case Began:
		ev.Kind, ev.Txn, ev.Participants = checker.TxnBegin, f.Txn, f.Participants
		in.parts[f.Txn] = f.Participants
	case Voted:
		ev.Kind, ev.Txn, ev.Commit = checker.TxnVote, f.Txn, f.Yes
		if f.Yes {
			in.yesAt[doubtKey{e.Node, f.Txn}] = e.Time
		}
	case Decided:
		ev.Kind, ev.Txn, ev.Commit = checker.TxnDecide, f.Txn, f.Commit
	case Applied:
		ev.Kind, ev.Txn, ev.Commit, ev.Unprepared = checker.TxnApply, f.Txn, f.Commit, f.Unprepared
		if t, ok := in.yesAt[doubtKey{e.Node, f.Txn}]; ok {
			if d := e.Time.Sub(t); d > in.longest {
				in.longest, in.longestTxn = d, f.Txn
			}
		}
	case Blocked:
		in.blockedSeen[f.Txn] = true
		return
	default:
		if !in.huntEvent(e, &ev) {
			return
		}
	}
	in.events = append(in.events, ev)
	in.online(e, ev)
}

// Check runs the requested checks and reports the run's statistics.
func (in *instance) Check(req protocols.CheckRequest) protocols.Report {
	var rep protocols.Report
	history := req.World.History()
	for _, name := range req.Checks {
		switch name {
		case checker.AtomicityCheck:
			res, err := checker.CheckAtomicity(in.events)
			if err != nil {
				res = checker.Result{Check: name, Kind: checker.Safety, Verdict: checker.Inconclusive,
					Detail: fmt.Sprintf("cannot check: %v", err)}
			}
			rep.Checks = append(rep.Checks, res)
		case checker.IsolationCheck:
			res, err := checker.CheckIsolation(checker.FromSim(history), req.Budget)
			if err != nil {
				rep.Checks = append(rep.Checks, checker.Result{Check: name, Kind: checker.Safety,
					Verdict: checker.Inconclusive, Detail: fmt.Sprintf("cannot check: %v", err)})
				continue
			}
			if res.Verdict == checker.Violated {
				rep.Visualization = res.WriteVisualization
			}
			rep.Checks = append(rep.Checks, res.Result)
		case checker.TerminationCheck:
			res := checker.CheckTermination(in.Blocked(req.World))
			if res.Verdict == checker.Holds && len(in.blockedSeen) > 0 {
				res.Detail += fmt.Sprintf("; %d blocked for a while during the run (longest in doubt: %s, %s)",
					len(in.blockedSeen), in.longest, in.longestTxn)
			}
			rep.Checks = append(rep.Checks, res)
		}
	}
	var committed, aborted, unknown int
	for _, op := range history {
		switch out, ok := op.Output.(checker.TxnOutput); {
		case !op.Returned || !ok:
			unknown++
		case out.Committed:
			committed++
		default:
			aborted++
		}
	}
	rep.Stats = []protocols.Stat{
		{Name: "transactions", Value: float64(len(history))},
		{Name: "committed", Value: float64(committed)},
		{Name: "aborted", Value: float64(aborted)},
		{Name: "unknown outcome", Value: float64(unknown)},
		{Name: "blocked during the run", Value: float64(len(in.blockedSeen))},
		{Name: "longest in doubt", Value: float64(in.longest) / float64(time.Millisecond), Unit: "ms"},
	}
	return rep
}

// Blocked returns the transactions that participants hold prepared, in
// doubt, at the end of the run and have for longer than blocked_after,
// with the reason none of them can decide.
func (in *instance) Blocked(w *sim.World) []checker.BlockedTxn {
	now := w.Now()
	type held struct {
		nodes []sim.NodeID
		since sim.Time
	}
	byTxn := map[string]*held{}
	for _, p := range in.cfg.Participants {
		var ids []string
		if n, ok := w.Node(p).(InDoubter); ok {
			ids = n.InDoubt()
		} else {
			st := w.Storage(p)
			for _, key := range st.Keys(keyPrep) {
				id := strings.TrimPrefix(key, keyPrep)
				if _, decided := st.Get(keyDec + id); !decided {
					ids = append(ids, id)
				}
			}
		}
		for _, id := range ids {
			since, ok := in.yesAt[doubtKey{p, id}]
			if !ok || now.Sub(since) < in.blockedAfter {
				continue
			}
			h := byTxn[id]
			if h == nil {
				h = &held{since: since}
				byTxn[id] = h
			}
			h.nodes = append(h.nodes, p)
			h.since = min(h.since, since)
		}
	}
	var out []checker.BlockedTxn
	for _, id := range slices.Sorted(maps.Keys(byTxn)) {
		h := byTxn[id]
		b := checker.BlockedTxn{Txn: id, Since: int64(h.since), Reason: in.reason(w, id, h.nodes)}
		for _, p := range h.nodes {
			b.Nodes = append(b.Nodes, in.name(p))
		}
		out = append(out, b)
	}
	return out
}

// reason explains why the participants nodes, in doubt about txn, cannot
// decide.
func (in *instance) reason(w *sim.World, txn string, nodes []sim.NodeID) string {
	coord := in.cfg.Coordinator
	cname := in.name(coord)
	var up []sim.NodeID
	for _, p := range nodes {
		if w.Up(p) {
			up = append(up, p)
		}
	}
	if len(up) == 0 {
		return fmt.Sprintf("%s down, so nobody is asking", in.nameList(nodes))
	}
	all := len(nodes) == len(in.parts[txn])
	switch {
	case !w.Up(coord):
		why := fmt.Sprintf("the coordinator %s is down (crashed at %s)", cname, in.down[coord])
		if in.cfg.ThreePhase {
			return why + " and no backup coordinator could decide"
		}
		if all {
			return why + " and every participant voted yes, so none may decide alone: two-phase commit blocks"
		}
		return why + " and the other participants of " + txn + " cannot be reached"
	}
	for _, p := range up {
		if w.Blocked(p, coord) || w.Blocked(coord, p) {
			return fmt.Sprintf("%s is cut off from the coordinator %s", in.name(p), cname)
		}
	}
	if in.cfg.ThreePhase && all {
		total := true
		for _, p := range up {
			if n, ok := w.Node(p).(*Participant); !ok || !n.recovered(txn) {
				total = false
			}
		}
		if total {
			return "every participant crashed after voting and the coordinator recovered in doubt (a total failure): " +
				"a recovered participant may not decide alone, so three-phase commit blocks too"
		}
	}
	return fmt.Sprintf("the coordinator %s is up and reachable, yet the decision has not arrived", cname)
}

func (in *instance) nameList(ids []sim.NodeID) string {
	names := make([]string, len(ids))
	for i, id := range ids {
		names[i] = in.name(id)
	}
	if len(names) == 1 {
		return names[0] + " is"
	}
	return strings.Join(names, ", ") + " are"
}
