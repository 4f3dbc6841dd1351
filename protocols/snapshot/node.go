package snapshot

import (
	"slices"
	"time"

	"github.com/dsimlab/dsim/sim"
)

// lateMarkerDelay is how long the LateMarker variant holds a marker back
// when no transfer goes out on its channel.
const lateMarkerDelay = 10 * time.Millisecond

// status is where a node is in the recovery protocol.
type status uint8

const (
	active     status = iota // making and applying transfers
	recovering               // restarted: waiting for a rollback order
	frozen                   // uncoordinated recovery: stopped, waiting for the recovery line
)

// Timer tags.
type (
	paceTag struct{}                  // time for the next transfer
	tickTag struct{}                  // time to resend what is unacknowledged
	ckptTag struct{}                  // time for an uncoordinated checkpoint
	snapTag struct{}                  // the coordinator may start a snapshot
	lateTag struct{ snap, epoch int } // the LateMarker variant's overdue markers
)

// outChan is the sending end of a channel in the reliable layer.
type outChan struct {
	next    int     // Seq of the last Data sent in this epoch
	unacked []*Data // sent, not yet acknowledged, in Seq order
}

// inChan is the receiving end of a channel in the reliable layer.
type inChan struct {
	next  int           // Seq expected next
	early map[int]*Data // arrived ahead of a gap
}

// snapState is a node's part of a snapshot in progress.
type snapState struct {
	id        int
	st        state        // the local state recorded
	recording []bool       // incoming channels still being recorded
	waiting   int          // how many of them
	chans     [][]InFlight // transfers recorded per incoming channel
	done      bool
	owe       []bool // LateMarker: markers not yet sent
}

// Node is one bank node: it makes random transfers to the other nodes,
// takes part in snapshots (or checkpoints on its own), and rolls back when
// the coordinator says so. Node n1 (Config.Nodes[0]) is also the
// coordinator. Build nodes with NewNode.
type Node struct {
	c      *cluster
	self   int
	pace   func() time.Duration
	budget int // transfers to make (0: no limit)

	st       state
	log      [][]int // uncoordinated: amount of every transfer sent, per peer
	logTop   []int   // uncoordinated: transfers per peer covered by checkpoints on disk
	epoch    int
	status   status
	boot     int
	answered int // the latest Freeze epoch answered: older rollback orders are stale

	out    []outChan
	in     []inChan
	future [][]*Data // Data of a later epoch than ours, per sender, in arrival order

	snap        *snapState
	pendingDone *Done
	nextCkpt    int
	coord       *coordinator
}

var _ sim.Node = (*Node)(nil)

// cluster is what the nodes of one run share: the configuration and the
// NodeID-to-index map.
type cluster struct {
	cfg   Config
	index map[sim.NodeID]int
}

// NewNode returns the factory of bank node number self (from 0) of cfg.
// pace, if not nil, gives the wait before each transfer (for example a
// scenario workload generator's Gap); otherwise transfers are cfg.Interval
// apart. NewNode panics if cfg is invalid.
func NewNode(cfg Config, self int, pace func() time.Duration) sim.Factory {
	if err := cfg.Validate(); err != nil {
		panic(err)
	}
	c := &cluster{cfg: cfg, index: map[sim.NodeID]int{}}
	for i, id := range cfg.Nodes {
		c.index[id] = i
	}
	return newFactory(c, self, pace, cfg.Transfers)
}

// newFactory returns the factory of node self making at most budget
// transfers (0: no limit).
func newFactory(c *cluster, self int, pace func() time.Duration, budget int) sim.Factory {
	return func() sim.Node { return &Node{c: c, self: self, pace: pace, budget: budget} }
}

func (n *Node) cfg() *Config { return &n.c.cfg }
func (n *Node) size() int    { return len(n.c.cfg.Nodes) }

// Start boots the node. At the first boot it writes checkpoint 0, the
// initial state; after a restart it has lost its state and asks the
// coordinator for a rollback (node n1, the coordinator, starts one itself).
func (n *Node) Start(ctx *sim.Context) {
	store := ctx.Storage()
	cfg := n.cfg()
	n.boot = getInt(store, keyBoot) + 1
	putInt(store, keyBoot, n.boot)
	n.resetChannels()
	first := len(checkpointIDs(store)) == 0
	if first {
		n.st = newState(n.size(), cfg.Initial)
		n.log = make([][]int, n.size())
		n.logTop = make([]int, n.size())
		putJSON(store, ckptKey(0), record{ID: 0, State: n.st})
		n.nextCkpt = 1
		putInt(store, keyNext, n.nextCkpt)
		ctx.Record(checkpointed(0, 0, n.st))
	} else {
		n.epoch = getInt(store, keyEpoch)
		n.nextCkpt = getInt(store, keyNext)
		n.status = recovering
	}
	store.Sync()
	ctx.SetTimer(cfg.Retransmit, tickTag{})
	ctx.SetTimer(n.gap(), paceTag{})
	if cfg.Mode == Uncoordinated {
		ctx.SetTimer(n.ckptGap(ctx), ckptTag{})
	}
	if n.self == 0 {
		n.coord = &coordinator{}
		n.coord.start(ctx, n, first)
	} else if n.status == recovering {
		ctx.Send(cfg.Nodes[0], &Recover{Boot: n.boot})
	}
}

func (n *Node) gap() time.Duration {
	if n.pace != nil {
		if d := n.pace(); d > 0 {
			return d
		}
	}
	return n.cfg().Interval
}

func (n *Node) ckptGap(ctx *sim.Context) time.Duration {
	return time.Duration((0.5 + ctx.Rand().Float64()) * float64(n.cfg().CheckpointInterval))
}

func (n *Node) resetChannels() {
	n.out = make([]outChan, n.size())
	n.in = make([]inChan, n.size())
	for i := range n.in {
		n.in[i] = inChan{next: 1, early: map[int]*Data{}}
	}
	if n.future == nil {
		n.future = make([][]*Data, n.size())
	}
}

// Timer handles the node's timers.
func (n *Node) Timer(ctx *sim.Context, tag any) {
	cfg := n.cfg()
	switch t := tag.(type) {
	case paceTag:
		n.transfer(ctx)
		if ctx.Now() < cfg.StopAt {
			ctx.SetTimer(n.gap(), paceTag{})
		}
	case tickTag:
		n.resend(ctx)
		ctx.SetTimer(cfg.Retransmit, tickTag{})
	case ckptTag:
		if n.status == active {
			n.checkpoint(ctx)
		}
		ctx.SetTimer(n.ckptGap(ctx), ckptTag{})
	case snapTag:
		n.coord.maybeSnapshot(ctx, n)
		ctx.SetTimer(cfg.SnapshotInterval, snapTag{})
	case lateTag:
		if s := n.snap; s != nil && s.id == t.snap && n.epoch == t.epoch && s.owe != nil {
			for p, owed := range s.owe {
				if owed {
					s.owe[p] = false
					n.sendData(ctx, p, KindMarker, s.id, 0)
				}
			}
		}
	}
}

// transfer makes one random transfer, if the node may.
func (n *Node) transfer(ctx *sim.Context) {
	cfg := n.cfg()
	if n.status != active || n.st.Balance <= 0 || ctx.Now() >= cfg.StopAt ||
		(n.budget > 0 && n.st.Issued >= n.budget) {
		return
	}
	r := ctx.Rand()
	to := r.IntN(n.size() - 1)
	if to >= n.self {
		to++
	}
	amt := min(1+r.IntN(cfg.MaxAmount), n.st.Balance)
	n.st.Balance -= amt
	n.st.Issued++
	n.st.Sent[to]++
	if cfg.Mode == Uncoordinated {
		n.log[to] = append(n.log[to], amt)
	}
	n.sendData(ctx, to, KindTransfer, n.st.Sent[to], amt)
	if s := n.snap; s != nil && s.owe != nil && s.owe[to] {
		s.owe[to] = false
		n.sendData(ctx, to, KindMarker, s.id, 0)
	}
}

// sendData sends a transfer or marker on the channel to peer p.
func (n *Node) sendData(ctx *sim.Context, p int, kind DataKind, num, amount int) {
	d := &Data{Epoch: n.epoch, Kind: kind, Num: num, Amount: amount}
	if n.cfg().Reliable {
		o := &n.out[p]
		o.next++
		d.Seq = o.next
		o.unacked = append(o.unacked, d)
	}
	ctx.Send(n.cfg().Nodes[p], d)
	n.duplicateSend(ctx, n.cfg().Nodes[p], d)
}

// resend repeats whatever is waiting for an answer.
func (n *Node) resend(ctx *sim.Context) {
	cfg := n.cfg()
	if cfg.Reliable && n.status == active {
		for p := range n.out {
			for _, d := range n.out[p].unacked {
				ctx.Send(cfg.Nodes[p], d)
			}
		}
	}
	if n.pendingDone != nil {
		n.toCoord(ctx, n.pendingDone)
	}
	if n.status == recovering && n.self != 0 {
		ctx.Send(cfg.Nodes[0], &Recover{Boot: n.boot})
	}
	if n.coord != nil {
		n.coord.resend(ctx, n)
	}
}

// toCoord sends msg to the coordinator, which is this very node for n1.
func (n *Node) toCoord(ctx *sim.Context, msg any) {
	if n.self == 0 {
		n.coord.receive(ctx, n, 0, msg)
		return
	}
	ctx.Send(n.cfg().Nodes[0], msg)
}

// Receive handles a message from another node.
func (n *Node) Receive(ctx *sim.Context, from sim.NodeID, msg any) {
	j, ok := n.c.index[from]
	if !ok {
		return
	}
	switch m := msg.(type) {
	case *Data:
		n.onData(ctx, j, m)
	case *Ack:
		if m.Epoch == n.epoch && n.status == active {
			o := &n.out[j]
			k := 0
			for k < len(o.unacked) && o.unacked[k].Seq <= m.Seq {
				k++
			}
			o.unacked = o.unacked[k:]
		}
	case *Complete:
		n.onComplete(ctx, m)
	case *Freeze:
		n.onFreeze(ctx, m)
	case *Rollback:
		n.onRollback(ctx, m)
	case *Done, *Recover, *Frozen, *RollbackAck:
		if n.coord != nil {
			n.coord.receive(ctx, n, j, msg)
		}
	}
}

// onData takes a Data message off the network: stale epochs are dropped,
// later ones held until the rollback order arrives, and the current one
// passed through the reliable layer (if on) to deliver.
func (n *Node) onData(ctx *sim.Context, j int, d *Data) {
	switch {
	case d.Epoch < n.epoch:
		return
	case d.Epoch > n.epoch:
		n.future[j] = append(n.future[j], d)
		return
	case n.status != active:
		// A restarted node lost the state these belong to; a frozen one
		// waits for the recovery line, which says what to send again.
		return
	}
	if !n.cfg().Reliable {
		n.deliver(ctx, j, d)
		return
	}
	in := &n.in[j]
	switch {
	case d.Seq > in.next:
		in.early[d.Seq] = d
	case d.Seq == in.next:
		n.deliver(ctx, j, d)
		in.next++
		for {
			e, ok := in.early[in.next]
			if !ok {
				break
			}
			delete(in.early, in.next)
			n.deliver(ctx, j, e)
			in.next++
		}
	}
	ctx.Send(n.cfg().Nodes[j], &Ack{Epoch: n.epoch, Seq: in.next - 1})
}

func (n *Node) deliver(ctx *sim.Context, j int, d *Data) {
	switch d.Kind {
	case KindTransfer:
		n.apply(j, d.Num, d.Amount)
	case KindMarker:
		n.onMarker(ctx, j, d.Num)
	}
}

// apply credits transfer seq from node j, once.
func (n *Node) apply(j, seq, amount int) {
	if seq <= n.st.Recv[j] {
		return
	}
	n.st.Recv[j] = seq
	n.st.Balance += amount
	if s := n.snap; s != nil && !s.done && s.recording[j] && n.cfg().Variant != NoChannelState {
		s.chans[j] = append(s.chans[j], InFlight{Seq: seq, Amount: amount})
	}
}

// record records the node's local state for snapshot id and sends the
// markers; from is the channel whose marker triggered it (-1 for the
// initiator), recorded as empty.
func (n *Node) record(ctx *sim.Context, id, from int) {
	s := &snapState{id: id, st: n.st.clone(), recording: make([]bool, n.size()), chans: make([][]InFlight, n.size())}
	for p := range s.recording {
		if p != n.self && p != from {
			s.recording[p] = true
			s.waiting++
		}
	}
	n.snap = s
	ctx.Record(checkpointed(id, n.epoch, s.st))
	if n.cfg().Variant == LateMarker {
		s.owe = make([]bool, n.size())
		for p := range s.owe {
			s.owe[p] = p != n.self
		}
		ctx.SetTimer(lateMarkerDelay, lateTag{snap: id, epoch: n.epoch})
	} else {
		for p := range n.size() {
			if p != n.self {
				n.sendData(ctx, p, KindMarker, id, 0)
			}
		}
	}
	if s.waiting == 0 {
		n.finishSnapshot(ctx)
	}
}

func (n *Node) onMarker(ctx *sim.Context, j, id int) {
	s := n.snap
	if s == nil || s.id < id {
		n.record(ctx, id, j)
		return
	}
	if s.id > id || s.done || !s.recording[j] {
		return
	}
	s.recording[j] = false
	s.waiting--
	if s.waiting == 0 {
		n.finishSnapshot(ctx)
	}
}

// finishSnapshot writes the node's part of the snapshot to disk, syncs,
// and reports it to the coordinator.
func (n *Node) finishSnapshot(ctx *sim.Context) {
	s := n.snap
	s.done = true
	store := ctx.Storage()
	putJSON(store, ckptKey(s.id), record{ID: s.id, Epoch: n.epoch, State: s.st, Channels: s.chans})
	if n.cfg().Variant != Unsynced {
		store.Sync()
	}
	ctx.Record(channelsRecorded(s.id, n.epoch, s.chans))
	n.pendingDone = &Done{Epoch: n.epoch, Snap: s.id}
	n.toCoord(ctx, n.pendingDone)
}

// onComplete learns that a snapshot is complete: older checkpoints can go.
func (n *Node) onComplete(ctx *sim.Context, c *Complete) {
	if c.Epoch != n.epoch {
		return
	}
	if n.pendingDone != nil && n.pendingDone.Snap <= c.Snap {
		n.pendingDone = nil
	}
	store := ctx.Storage()
	for _, id := range checkpointIDs(store) {
		if id < c.Snap {
			store.Delete(ckptKey(id))
		}
	}
}

// checkpoint takes an uncoordinated checkpoint: the state and the log of
// transfers sent since the previous one.
func (n *Node) checkpoint(ctx *sim.Context) {
	store := ctx.Storage()
	r := record{ID: n.nextCkpt, Epoch: n.epoch, State: n.st.clone(), LogStart: slices.Clone(n.logTop),
		Log: make([][]int, n.size())}
	for p := range n.size() {
		r.Log[p] = slices.Clone(n.log[p][n.logTop[p]:n.st.Sent[p]])
	}
	n.logTop = slices.Clone(n.st.Sent)
	n.nextCkpt++
	putJSON(store, ckptKey(r.ID), r)
	putInt(store, keyNext, n.nextCkpt)
	if n.cfg().Variant != Unsynced {
		store.Sync()
	}
	ctx.Record(checkpointed(r.ID, n.epoch, r.State))
}

// onFreeze stops the node for an uncoordinated recovery and reports the
// states it could roll back to.
func (n *Node) onFreeze(ctx *sim.Context, f *Freeze) {
	if f.Epoch <= n.epoch {
		return
	}
	if n.status == active {
		n.status = frozen
	}
	n.answered = max(n.answered, f.Epoch)
	store := ctx.Storage()
	var cands []Candidate
	for _, id := range checkpointIDs(store) {
		r, _ := loadRecord(store, id)
		cands = append(cands, Candidate{ID: id, Sent: r.State.Sent, Recv: r.State.Recv})
	}
	if n.status == frozen {
		cands = append(cands, Candidate{ID: Current, Sent: slices.Clone(n.st.Sent), Recv: slices.Clone(n.st.Recv)})
	}
	n.toCoord(ctx, &Frozen{Epoch: f.Epoch, Candidates: cands})
}

// onRollback enters a recovery epoch: restore the state the line names,
// replay the messages in flight across it, and carry on.
func (n *Node) onRollback(ctx *sim.Context, rb *Rollback) {
	if rb.Epoch < n.answered {
		return // a late copy: the node has already reported its state for a newer recovery
	}
	if rb.Epoch <= n.epoch {
		if rb.Epoch == n.epoch && n.status == active {
			n.toCoord(ctx, &RollbackAck{Epoch: rb.Epoch})
		}
		return
	}
	cfg := n.cfg()
	store := ctx.Storage()
	to := rb.Line[n.self]
	var st state
	var rec record
	if to == Current {
		if n.status == recovering {
			return // the state the line counts on is lost; our Recover starts a newer epoch
		}
		st = n.st
	} else {
		var ok bool
		if rec, ok = loadBest(store, to); !ok {
			return // cannot happen: checkpoint 0 is synced at the first start
		}
		st = rec.State.clone()
		to = rec.ID
	}
	if cfg.Mode == ChandyLamport && cfg.Variant != NoReplay {
		for j, msgs := range rec.Channels {
			for _, m := range msgs {
				if m.Seq > st.Recv[j] {
					st.Recv[j] = m.Seq
					st.Balance += m.Amount
				}
			}
		}
	}
	if cfg.Mode == Uncoordinated {
		if to != Current {
			n.log = loadLog(store, to, n.size())
			n.logTop = slices.Clone(st.Sent)
		}
		for p := range n.log {
			n.log[p] = n.log[p][:min(len(n.log[p]), st.Sent[p])]
		}
	}
	for _, id := range checkpointIDs(store) {
		if to != Current && id > to {
			store.Delete(ckptKey(id))
		}
	}
	n.st = st
	n.epoch = rb.Epoch
	n.status = active
	n.snap = nil
	n.pendingDone = nil
	n.resetChannels()
	putInt(store, keyEpoch, n.epoch)
	store.Sync()
	ctx.Record(rolledBack(n.epoch, to, n.st))
	if cfg.Mode == Uncoordinated && cfg.Variant != NoReplay && rb.Recv != nil {
		for p := range n.size() {
			if p == n.self {
				continue
			}
			for seq := rb.Recv[p][n.self] + 1; seq <= n.st.Sent[p] && seq <= len(n.log[p]); seq++ {
				n.sendData(ctx, p, KindTransfer, seq, n.log[p][seq-1])
			}
		}
	}
	n.toCoord(ctx, &RollbackAck{Epoch: n.epoch})
	held := n.future
	n.future = make([][]*Data, n.size())
	for j, list := range held {
		for _, d := range list {
			if d.Epoch >= n.epoch {
				n.onData(ctx, j, d)
			}
		}
	}
}

// NodeStatus is a node's state as the end-of-run checks see it.
type NodeStatus struct {
	Epoch    int   // the recovery epoch it is in
	Active   bool  // not restarted-and-waiting, not frozen
	Balance  int   // its balance
	Sent     []int // transfers sent per peer
	Recv     []int // transfers received per peer
	Unacked  int   // transfers sent but not acknowledged (reliable layer)
	Buffered int   // messages held: ahead of a gap, or of a later epoch
}

// Status returns the node's current state, for checks and tests.
func (n *Node) Status() NodeStatus {
	s := NodeStatus{Epoch: n.epoch, Active: n.status == active, Balance: n.st.Balance,
		Sent: slices.Clone(n.st.Sent), Recv: slices.Clone(n.st.Recv)}
	for p := range n.out {
		for _, d := range n.out[p].unacked {
			if d.Kind == KindTransfer {
				s.Unacked++
			}
		}
		s.Buffered += len(n.in[p].early)
	}
	for _, list := range n.future {
		s.Buffered += len(list)
	}
	return s
}
