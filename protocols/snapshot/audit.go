package snapshot

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/sim"
)

// The names of the checks, as scenario files list them.
const (
	// ConsistencyCheck: every checkpoint agrees with what its node had
	// really sent and received, and every snapshot whose parts were all
	// recorded is a consistent cut that conserves the total.
	ConsistencyCheck = "snapshot-consistency"
	// RecoveryCheck: every recovery restored a consistent cut that
	// conserves the total; its detail says how far each node rolled back.
	RecoveryCheck = "rollback-recovery"
	// ConservationCheck: at the end of the run every transfer sent was
	// received exactly once and the balances add up to the total.
	ConservationCheck = "conservation"
	// ProgressCheck: snapshots (or checkpoints) were taken and every
	// recovery finished. A liveness check.
	ProgressCheck = "progress"
)

// maxReported bounds how many findings a check's detail lists.
const maxReported = 5

// Auditor checks a run from its trace alone: the transfers the kernel saw
// the nodes send, and the nodes' checkpoint, channel and rollback facts
// (Checkpointed, ChannelsRecorded, RolledBack). It keeps, per channel, the log of transfers sent in the
// run's surviving history (a rollback truncates the sender's logs to its
// restored state), so it can tell a transfer recorded as received but never
// sent, and check each snapshot and each restored cut against it. Feed it
// every event (World.Observe(a.Observe)), then ask for the checks.
type Auditor struct {
	n       int
	names   []string
	index   map[sim.NodeID]int
	initial int

	pre       [][][]int // pre[from][to][s]: total amount of transfers 1..s on the channel
	copies    map[copyKey]int
	firstSend map[epochChan]int // the first transfer sent on a channel in an epoch
	owed      []owed            // transfers in flight across restored cuts

	ckpts    [][]*ckptView // per node, in the surviving history
	maxEpoch int
	snaps    map[int][]*ckptView // snapshot id -> parts with channel state
	rec      *recoveryView

	consistency findings
	recovery    findings
	unreadable  findings // facts without an entry per node, which make the checks inconclusive
	snapshots   int      // snapshots checked as cuts
	checkpoints int
	recoveries  int // recoveries whose cut was checked
	superseded  int // recoveries overtaken by a newer one before every node rolled back
	transfers   int

	undone   []int           // per node: checkpoints undone by rollbacks
	lost     []time.Duration // per node: virtual time of work undone
	toStart  int             // rollbacks all the way to checkpoint 0
	maxUndo  int
	recLines []string // per checked recovery: how far each node went
}

type copyKey struct{ from, to, epoch, seq int }

type epochChan struct{ epoch, from, to int }

// owed is a run of transfers in flight across the cut a recovery restored:
// the sender must send them again in the new epoch (with uncoordinated
// checkpoints), since the receiver's restored state lacks them.
type owed struct {
	epochChan
	first, last int
}

type ckptView struct {
	node, id, epoch int
	at              sim.Time
	st              state
	chans           [][]InFlight
}

type recoveryView struct {
	epoch  int
	at     sim.Time
	states []*state
	moves  []string
	count  int
}

// findings collects what a check found wrong, keeping the first few.
type findings struct {
	n     int
	first []string
}

func (f *findings) add(format string, args ...any) {
	f.n++
	if len(f.first) < maxReported {
		f.first = append(slices.Clip(f.first), fmt.Sprintf(format, args...))
	}
}

func (f *findings) String() string {
	s := strings.Join(f.first, "; ")
	if f.n > len(f.first) {
		s += fmt.Sprintf("; and %d more", f.n-len(f.first))
	}
	return s
}

// seqRange formats transfers first..last, e.g. "#4" or "#4..#7".
func seqRange(first, last int) string {
	if first == last {
		return fmt.Sprintf("#%d", first)
	}
	return fmt.Sprintf("#%d..#%d", first, last)
}

// NewAuditor returns an auditor for bank nodes ids (named names, in index
// order), each starting with initial.
func NewAuditor(ids []sim.NodeID, names []string, initial int) *Auditor {
	n := len(ids)
	a := &Auditor{n: n, names: names, index: map[sim.NodeID]int{}, initial: initial,
		pre: make([][][]int, n), copies: map[copyKey]int{}, firstSend: map[epochChan]int{}, ckpts: make([][]*ckptView, n),
		snaps: map[int][]*ckptView{}, undone: make([]int, n), lost: make([]time.Duration, n)}
	for i, id := range ids {
		a.index[id] = i
		a.pre[i] = make([][]int, n)
		for j := range n {
			a.pre[i][j] = []int{0}
		}
	}
	return a
}

// Total is the money the auditor expects: initial × nodes.
func (a *Auditor) Total() int { return a.initial * a.n }

// Observe takes one trace event.
func (a *Auditor) Observe(e *sim.Event) {
	switch e.Kind {
	case sim.KindSend, sim.KindDuplicate, sim.KindDeliver, sim.KindDrop:
		d, ok := e.Msg.(*Data)
		if !ok || d.Kind != KindTransfer {
			return
		}
		from, to := e.Node, e.Peer
		if e.Kind == sim.KindDeliver {
			from, to = e.Peer, e.Node
		}
		i, ok1 := a.index[from]
		j, ok2 := a.index[to]
		if !ok1 || !ok2 {
			return
		}
		key := copyKey{i, j, d.Epoch, d.Num}
		switch e.Kind {
		case sim.KindSend:
			a.onSend(i, j, d)
			a.copies[key]++
			if ec := (epochChan{d.Epoch, i, j}); a.firstSend[ec] == 0 {
				a.firstSend[ec] = d.Num
			}
		case sim.KindDuplicate:
			a.copies[key]++
		default:
			if a.copies[key]--; a.copies[key] <= 0 {
				delete(a.copies, key)
			}
		}
	case sim.KindRecord:
		if i, ok := a.index[e.Node]; ok {
			a.onFact(i, e)
		}
	}
}

// onFact takes a fact node i recorded. One whose vectors do not have an
// entry per node cannot be checked: it makes the checks inconclusive.
func (a *Auditor) onFact(i int, e *sim.Event) {
	switch f := e.Msg.(type) {
	case Checkpointed:
		if a.readable(i, "checkpoint", len(f.Sent), len(f.Recv)) {
			a.onCheckpoint(i, e.Time, f.ID, f.Epoch, state{Balance: f.Balance, Sent: f.Sent, Recv: f.Recv})
		}
	case ChannelsRecorded:
		if a.readable(i, "channels", len(f.Channels)) {
			a.onChannels(i, f)
		}
	case RolledBack:
		if a.readable(i, "rollback", len(f.Sent), len(f.Recv)) {
			a.onRollback(i, e.Time, f.Epoch, f.To, state{Balance: f.Balance, Sent: f.Sent, Recv: f.Recv})
		}
	}
}

// readable says whether vectors of lengths lens have an entry per node,
// and notes a fact that does not.
func (a *Auditor) readable(i int, what string, lens ...int) bool {
	for _, l := range lens {
		if l != a.n {
			a.unreadable.add("%s recorded a %s with %d entries where %d nodes need %d", a.names[i], what, l, a.n, a.n)
			return false
		}
	}
	return true
}

func (a *Auditor) amount(from, to, seq int) int {
	p := a.pre[from][to]
	return p[seq] - p[seq-1]
}

func (a *Auditor) sentTo(from, to int) int { return len(a.pre[from][to]) - 1 }

// onSend logs transfer d from i to j: a new one extends the channel's
// log; a resent one must match what the log holds.
func (a *Auditor) onSend(i, j int, d *Data) {
	p := a.pre[i][j]
	switch s := len(p) - 1; {
	case d.Num == s+1:
		a.pre[i][j] = append(p, p[s]+d.Amount)
		a.transfers++
	case d.Num >= 1 && d.Num <= s:
		if got := a.amount(i, j, d.Num); got != d.Amount {
			a.consistency.add("%s sent transfer %s→%s #%d twice, for %d and for %d", a.names[i], a.names[i], a.names[j], d.Num, got, d.Amount)
		}
	default:
		a.consistency.add("%s sent transfer %s→%s #%d after only %d", a.names[i], a.names[i], a.names[j], d.Num, s)
	}
}

// balanceOf is the balance node i must have after sending sent and
// receiving recv, by the logs.
func (a *Auditor) balanceOf(i int, st state) int {
	b := a.initial
	for j := range a.n {
		b += a.pre[j][i][min(st.Recv[j], a.sentTo(j, i))]
		b -= a.pre[i][j][min(st.Sent[j], a.sentTo(i, j))]
	}
	return b
}

// verifyState checks that state st of node i agrees with the logs: it sent
// what it says (exactly, or at most when restoring), received only what
// was sent, and its balance follows.
func (a *Auditor) verifyState(f *findings, what string, i int, st state, exactSent bool) bool {
	good := true
	for j := range a.n {
		if s := a.sentTo(i, j); st.Sent[j] > s || (exactSent && st.Sent[j] != s) {
			f.add("%s says %s sent %d transfers to %s, but it had sent %d", what, a.names[i], st.Sent[j], a.names[j], s)
			good = false
		}
		if s := a.sentTo(j, i); st.Recv[j] > s {
			f.add("%s records %s receiving transfer #%d from %s, which %s never sent (it had sent %d)",
				what, a.names[i], st.Recv[j], a.names[j], a.names[j], s)
			good = false
		}
	}
	if want := a.balanceOf(i, st); good && st.Balance != want {
		f.add("%s says %s has %d, but what it sent and received leaves %d", what, a.names[i], st.Balance, want)
		good = false
	}
	return good
}

func (a *Auditor) onCheckpoint(i int, at sim.Time, id, epoch int, st state) {
	if epoch < a.maxEpoch {
		return // a node that has not heard of the newest rollback yet: its work is undone anyway
	}
	a.checkpoints++
	a.verifyState(&a.consistency, fmt.Sprintf("checkpoint %d", id), i, st, true)
	a.ckpts[i] = append(a.ckpts[i], &ckptView{node: i, id: id, epoch: epoch, at: at, st: st})
}

func (a *Auditor) onChannels(i int, f ChannelsRecorded) {
	if f.Epoch < a.maxEpoch {
		return
	}
	var cv *ckptView
	for _, c := range a.ckpts[i] {
		if c.id == f.ID && c.epoch == f.Epoch {
			cv = c
		}
	}
	if cv == nil {
		a.consistency.add("%s recorded the channels of snapshot %d without recording its state", a.names[i], f.ID)
		return
	}
	cv.chans = f.Channels
	parts := append(a.snaps[f.ID], cv)
	a.snaps[f.ID] = parts
	if len(parts) == a.n {
		delete(a.snaps, f.ID)
		a.checkSnapshot(f.ID, parts)
	}
}

// checkSnapshot checks that the parts of snapshot id form a consistent cut:
// on every channel j→i the receiver received no more than the sender had
// sent, the channel state is exactly the transfers in between, and
// balances plus channel states add up to the total.
func (a *Auditor) checkSnapshot(id int, parts []*ckptView) {
	a.snapshots++
	part := make([]*ckptView, a.n)
	for _, p := range parts {
		part[p.node] = p
	}
	sum := 0
	for i := range a.n {
		sum += part[i].st.Balance
		for _, msgs := range part[i].chans {
			for _, m := range msgs {
				sum += m.Amount
			}
		}
	}
	if sum != a.Total() {
		a.consistency.add("snapshot %d: balances plus channel states add up to %d, not %d", id, sum, a.Total())
	}
	for i := range a.n {
		for j := range a.n {
			if i == j {
				continue
			}
			recv, sent := part[i].st.Recv[j], part[j].st.Sent[i]
			if recv > sent {
				a.consistency.add("snapshot %d: %s recorded receiving transfer #%d from %s, which %s had not sent at its snapshot (it had sent %d)",
					id, a.names[i], recv, a.names[j], a.names[j], sent)
			}
			var got []string
			for _, m := range part[i].chans[j] {
				got = append(got, fmt.Sprintf("#%d", m.Seq))
				if m.Seq <= recv || m.Seq > sent || m.Amount != a.amount(j, i, m.Seq) {
					a.consistency.add("snapshot %d: %s recorded transfer %s→%s #%d (%d) in flight, but it was not sent before %s's snapshot and received after %s's",
						id, a.names[i], a.names[j], a.names[i], m.Seq, m.Amount, a.names[j], a.names[i])
				}
			}
			if want := sent - recv; want > 0 && len(part[i].chans[j]) != want {
				a.consistency.add("snapshot %d: channel %s→%s should hold transfers %s in flight; recorded [%s]",
					id, a.names[j], a.names[i], seqRange(recv+1, sent), strings.Join(got, " "))
			}
		}
	}
}

// onRollback notes that node i entered recovery epoch epoch with state st,
// restored from checkpoint to.
func (a *Auditor) onRollback(i int, at sim.Time, epoch, to int, st state) {
	what := fmt.Sprintf("the rollback into epoch %d", epoch)
	if epoch > a.maxEpoch {
		a.maxEpoch = epoch
		clear(a.snaps) // snapshots of older epochs are abandoned
		if a.rec != nil && a.rec.count < a.n {
			a.superseded++
		}
		a.rec = &recoveryView{epoch: epoch, at: at, states: make([]*state, a.n), moves: make([]string, a.n)}
	}
	if epoch == a.maxEpoch {
		a.verifyState(&a.recovery, what, i, st, false)
	}
	// The node's history now ends at st: truncate its outgoing logs.
	for j := range a.n {
		if s := st.Sent[j]; s < a.sentTo(i, j) {
			a.pre[i][j] = a.pre[i][j][:s+1]
		}
	}
	move := a.measure(i, at, to)
	if r := a.rec; r != nil && epoch == r.epoch && r.states[i] == nil {
		r.states[i] = &st
		r.moves[i] = move
		r.count++
		if r.count == a.n {
			a.checkRecovery(r)
		}
	}
}

// measure counts how far node i rolled back (to checkpoint id at time at),
// drops the checkpoints it undid from its history, and describes the move.
func (a *Auditor) measure(i int, at sim.Time, id int) string {
	if id == Current {
		return a.names[i] + " kept its state"
	}
	list := a.ckpts[i]
	k := slices.IndexFunc(list, func(c *ckptView) bool { return c.id == id })
	if k < 0 {
		a.recovery.add("%s rolled back to checkpoint %d, which it never took (or which was undone)", a.names[i], id)
		return fmt.Sprintf("%s to unknown #%d", a.names[i], id)
	}
	undone := len(list) - 1 - k
	lost := at.Sub(list[k].at)
	a.ckpts[i] = list[:k+1]
	a.undone[i] += undone
	a.lost[i] += lost
	a.maxUndo = max(a.maxUndo, undone)
	if id == 0 {
		a.toStart++
	}
	return fmt.Sprintf("%s back %d to #%d (%v of work)", a.names[i], undone, id, lost.Round(time.Millisecond))
}

// checkRecovery checks the cut every node restored in one recovery: no
// orphan transfers, and balances plus the transfers in flight across it
// add up to the total.
func (a *Auditor) checkRecovery(r *recoveryView) {
	a.recoveries++
	sum := 0
	for i, st := range r.states {
		sum += st.Balance
		for j, sj := range r.states {
			if i == j {
				continue
			}
			recv, sent := st.Recv[j], sj.Sent[i]
			if recv > sent {
				a.recovery.add("epoch %d: %s restored a state that received transfer #%d from %s, but %s restored one that sent only %d (an orphan message)",
					r.epoch, a.names[i], recv, a.names[j], a.names[j], sent)
				continue
			}
			sent = min(sent, a.sentTo(j, i))
			sum += a.pre[j][i][sent] - a.pre[j][i][recv]
			if sent > recv {
				a.owed = append(a.owed, owed{epochChan{r.epoch, j, i}, recv + 1, sent})
			}
		}
	}
	if sum != a.Total() {
		a.recovery.add("epoch %d: restored balances plus transfers in flight add up to %d, not %d", r.epoch, sum, a.Total())
	}
	a.recLines = append(a.recLines, fmt.Sprintf("epoch %d at %v: %s", r.epoch, time.Duration(r.at).Round(time.Millisecond), strings.Join(r.moves, ", ")))
}

// Final is one node's state at the end of a run, for the end-of-run checks.
type Final struct {
	Up bool
	NodeStatus
}

// settled says why the run cannot be judged at its end, or "".
func (a *Auditor) settled(final []Final) string {
	var why []string
	for i, f := range final {
		switch {
		case !f.Up:
			why = append(why, a.names[i]+" is down")
		case !f.Active:
			why = append(why, a.names[i]+" is still recovering")
		case f.Epoch != final[0].Epoch:
			why = append(why, fmt.Sprintf("%s is in epoch %d, %s in %d", a.names[i], f.Epoch, a.names[0], final[0].Epoch))
		case f.Unacked > 0 || f.Buffered > 0:
			why = append(why, fmt.Sprintf("%s has %d transfers unacknowledged and %d messages held", a.names[i], f.Unacked, f.Buffered))
		}
	}
	if len(why) == 0 {
		// Copies of transfers the receiver already has (network
		// duplicates, retransmissions) carry no money.
		inFlight := 0
		for k := range a.copies {
			if k.epoch == final[0].Epoch && k.seq > final[k.to].Recv[k.from] {
				inFlight++
			}
		}
		if inFlight > 0 {
			why = append(why, fmt.Sprintf("%d transfers are in flight", inFlight))
		}
	}
	return strings.Join(why, "; ")
}

// Conservation checks the end of the run: every node up in the same epoch
// with nothing in flight (else the verdict is inconclusive: the run did
// not settle), every transfer in the surviving history received exactly
// once, and the balances adding up to the total.
func (a *Auditor) Conservation(final []Final) checker.Result {
	res := checker.Result{Check: ConservationCheck, Kind: checker.Safety}
	if why := a.settled(final); why != "" {
		res.Verdict = checker.Inconclusive
		res.Detail = "the run did not settle before it ended (" + why + "); give it more time after the last transfer"
		return res
	}
	var f findings
	sum := 0
	for i, fi := range final {
		sum += fi.Balance
		if fi.Balance < 0 {
			f.add("%s ended with a negative balance %d", a.names[i], fi.Balance)
		}
		for j := range a.n {
			if i == j {
				continue
			}
			recv, sent := fi.Recv[j], a.sentTo(j, i)
			switch {
			case recv < sent:
				f.add("transfers %s→%s %s (%d in all) were sent but never received",
					a.names[j], a.names[i], seqRange(recv+1, sent), a.pre[j][i][sent]-a.pre[j][i][recv])
			case recv > sent:
				f.add("%s received transfer #%d from %s, which sent only %d", a.names[i], recv, a.names[j], sent)
			}
		}
	}
	if sum != a.Total() {
		f.add("the balances add up to %d, not %d", sum, a.Total())
	}
	if f.n > 0 {
		res.Verdict = checker.Violated
		res.Detail = f.String()
		return res
	}
	res.Verdict = checker.Holds
	res.Detail = fmt.Sprintf("the balances add up to %d after %d transfers, each received once", a.Total(), a.transfers)
	return res
}

// undecided makes res inconclusive, and says so, if some facts could not
// be read: what they would have shown is unknown.
func (a *Auditor) undecided(res *checker.Result) bool {
	if a.unreadable.n == 0 {
		return false
	}
	res.Verdict = checker.Inconclusive
	res.Detail = "cannot check: " + a.unreadable.String()
	return true
}

// Consistency reports the snapshot-consistency check.
func (a *Auditor) Consistency() checker.Result {
	res := checker.Result{Check: ConsistencyCheck, Kind: checker.Safety, Verdict: checker.Holds}
	if a.consistency.n > 0 {
		res.Verdict = checker.Violated
		res.Detail = a.consistency.String()
		return res
	}
	if a.undecided(&res) {
		return res
	}
	res.Detail = fmt.Sprintf("%d checkpoints agree with the transfers sent and received; %d complete snapshots are consistent cuts adding up to %d",
		a.checkpoints, a.snapshots, a.Total())
	return res
}

// Recovery reports the rollback-recovery check, with how far each node
// rolled back in each recovery.
func (a *Auditor) Recovery() checker.Result {
	res := checker.Result{Check: RecoveryCheck, Kind: checker.Safety, Verdict: checker.Holds}
	// Transfers in flight across a restored cut must be sent again; their
	// senders do so as they roll back, so this is judged at the end.
	var f findings
	for _, o := range a.owed {
		if first := a.firstSend[o.epochChan]; first == 0 || first > o.first {
			f.add("epoch %d: transfers %s→%s %s were in flight across the restored cut, but were never delivered again (not replayed to %s, not sent again by %s)",
				o.epoch, a.names[o.from], a.names[o.to], seqRange(o.first, o.last), a.names[o.to], a.names[o.from])
		}
	}
	for _, msg := range a.recovery.first {
		f.add("%s", msg)
	}
	f.n += a.recovery.n - len(a.recovery.first)
	var lines []string
	for i, l := range a.recLines {
		if i == maxReported {
			lines = append(lines, fmt.Sprintf("and %d more", len(a.recLines)-i))
			break
		}
		lines = append(lines, l)
	}
	how := ""
	if len(lines) > 0 {
		how = ": " + strings.Join(lines, "; ")
	}
	if f.n > 0 {
		res.Verdict = checker.Violated
		res.Detail = f.String() + how
		return res
	}
	if a.undecided(&res) {
		return res
	}
	res.Detail = fmt.Sprintf("%d recoveries restored consistent cuts adding up to %d (%d superseded before every node rolled back)%s",
		a.recoveries, a.Total(), a.superseded, how)
	return res
}

// Progress reports the liveness check: at least one snapshot completed
// (Chandy–Lamport) or every node took a checkpoint of its own
// (uncoordinated), and every node reached the latest recovery epoch.
func (a *Auditor) Progress(mode Mode, final []Final) checker.Result {
	res := checker.Result{Check: ProgressCheck, Kind: checker.Liveness, Verdict: checker.Holds}
	var f findings
	if mode == ChandyLamport && a.snapshots == 0 {
		f.add("no snapshot completed")
	}
	if mode == Uncoordinated && a.checkpoints <= a.n {
		f.add("the nodes took no checkpoints beyond the initial state")
	}
	for i, fi := range final {
		if !fi.Up || !fi.Active || fi.Epoch < a.maxEpoch {
			f.add("%s did not finish recovery epoch %d", a.names[i], a.maxEpoch)
		}
	}
	if f.n > 0 {
		res.Verdict = checker.Violated
		res.Detail = f.String()
		return res
	}
	res.Detail = fmt.Sprintf("%d snapshots and %d checkpoints taken; %d recoveries finished", a.snapshots, a.checkpoints, a.maxEpoch)
	return res
}

// Rollbacks returns, per node, how many checkpoints its rollbacks undid
// and how much virtual time of work they threw away.
func (a *Auditor) Rollbacks() (undone []int, lost []time.Duration) {
	return slices.Clone(a.undone), slices.Clone(a.lost)
}

// Stats returns the run's statistics: transfers, snapshots, recoveries and
// how far each node rolled back.
func (a *Auditor) Stats() []protocols.Stat {
	st := []protocols.Stat{
		{Name: "transfers", Value: float64(a.transfers)},
		{Name: "checkpoints", Value: float64(a.checkpoints)},
		{Name: "snapshots complete", Value: float64(a.snapshots)},
		{Name: "recoveries", Value: float64(a.recoveries)},
		{Name: "rollbacks to the start", Value: float64(a.toStart)},
		{Name: "max checkpoints undone", Value: float64(a.maxUndo)},
	}
	for i := range a.n {
		st = append(st, protocols.Stat{Name: a.names[i] + " checkpoints undone", Value: float64(a.undone[i])},
			protocols.Stat{Name: a.names[i] + " work lost", Value: float64(a.lost[i]) / float64(time.Millisecond), Unit: "ms"})
	}
	return st
}
