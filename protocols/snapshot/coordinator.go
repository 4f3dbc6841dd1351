package snapshot

import (
	"slices"

	"github.com/dsimlab/dsim/sim"
)

// coordState is what the coordinator keeps on disk: the current recovery
// epoch, the next snapshot id, the latest complete snapshot, and the boot
// number of each node's latest restart it has handled.
type coordState struct {
	Epoch    int   `json:"epoch"`
	NextSnap int   `json:"next_snap"`
	Complete int   `json:"complete"`
	Handled  []int `json:"handled"`
}

// coordinator runs on node n1: it starts snapshots (Chandy–Lamport),
// collects their reports, and runs recoveries.
type coordinator struct {
	cs coordState

	snapActive bool
	snapID     int
	snapDone   []bool
	snapCount  int

	rb    *Rollback // the current epoch's rollback order, once decided
	acked []bool

	freeze *Freeze // the uncoordinated recovery collecting candidates
	cands  [][]Candidate
	got    []bool
	nGot   int
}

func (c *coordinator) start(ctx *sim.Context, n *Node, first bool) {
	store := ctx.Storage()
	if first {
		c.cs = coordState{NextSnap: 1, Handled: make([]int, n.size())}
		c.cs.Handled[0] = n.boot
		putJSON(store, keyCoord, c.cs)
		store.Sync()
	} else {
		getJSON(store, keyCoord, &c.cs)
		c.cs.Handled[0] = n.boot
		c.startRecovery(ctx, n)
	}
	if n.cfg().Mode == ChandyLamport {
		ctx.SetTimer(n.cfg().SnapshotInterval, snapTag{})
	}
}

func (c *coordinator) persist(ctx *sim.Context) {
	putJSON(ctx.Storage(), keyCoord, c.cs)
	ctx.Storage().Sync()
}

// send sends msg to node i; to itself (n1), it hands it over directly.
func (c *coordinator) send(ctx *sim.Context, n *Node, i int, msg any) {
	if i == 0 {
		n.Receive(ctx, n.cfg().Nodes[0], msg)
		return
	}
	ctx.Send(n.cfg().Nodes[i], msg)
}

// broadcast sends msg to every node, n1 last.
func (c *coordinator) broadcast(ctx *sim.Context, n *Node, msg any) {
	for i := 1; i < n.size(); i++ {
		c.send(ctx, n, i, msg)
	}
	c.send(ctx, n, 0, msg)
}

func (c *coordinator) receive(ctx *sim.Context, n *Node, j int, msg any) {
	switch m := msg.(type) {
	case *Done:
		c.onDone(ctx, n, j, m)
	case *Recover:
		if m.Boot > c.cs.Handled[j] {
			c.cs.Handled[j] = m.Boot
			c.startRecovery(ctx, n)
		} else if c.rb != nil {
			c.send(ctx, n, j, c.rb)
		} else if c.freeze != nil {
			c.send(ctx, n, j, c.freeze)
		}
	case *Frozen:
		c.onFrozen(ctx, n, j, m)
	case *RollbackAck:
		if c.rb != nil && m.Epoch == c.rb.Epoch {
			c.acked[j] = true
		}
	}
}

// startRecovery opens a new epoch: with Chandy–Lamport every node rolls
// back to the latest complete snapshot; with uncoordinated checkpoints the
// nodes first freeze and report their checkpoints.
func (c *coordinator) startRecovery(ctx *sim.Context, n *Node) {
	c.cs.Epoch++
	c.persist(ctx)
	c.snapActive = false
	c.rb, c.freeze = nil, nil
	if n.cfg().Mode == ChandyLamport {
		line := make([]int, n.size())
		for i := range line {
			line[i] = c.cs.Complete
		}
		c.order(ctx, n, &Rollback{Epoch: c.cs.Epoch, Line: line})
		return
	}
	c.freeze = &Freeze{Epoch: c.cs.Epoch}
	c.cands = make([][]Candidate, n.size())
	c.got = make([]bool, n.size())
	c.nGot = 0
	c.broadcast(ctx, n, c.freeze)
}

// order sends a rollback order to every node.
func (c *coordinator) order(ctx *sim.Context, n *Node, rb *Rollback) {
	c.rb = rb
	c.acked = make([]bool, n.size())
	c.broadcast(ctx, n, rb)
}

func (c *coordinator) onFrozen(ctx *sim.Context, n *Node, j int, f *Frozen) {
	if c.freeze == nil || f.Epoch != c.freeze.Epoch || c.got[j] || len(f.Candidates) == 0 {
		return
	}
	c.got[j] = true
	c.nGot++
	c.cands[j] = f.Candidates
	if c.nGot < n.size() {
		return
	}
	line, recv := RecoveryLine(c.cands, n.cfg().Variant != LatestCheckpoints)
	c.freeze = nil
	c.order(ctx, n, &Rollback{Epoch: c.cs.Epoch, Line: line, Recv: recv})
}

// RecoveryLine picks one candidate per node so that no node has received a
// transfer its sender has not sent: it starts from each node's last
// candidate and, while some node i has received more from j than j's
// candidate has sent to i (an orphan message), moves i back one candidate.
// Candidate 0 of every node (the initial state) is consistent with
// everything, so the search ends; how far it goes back is the domino
// effect. It returns the chosen candidate ids and their receive vectors.
// With cascade false it keeps the last candidates whatever the orphans (the
// LatestCheckpoints bug).
func RecoveryLine(cands [][]Candidate, cascade bool) (line []int, recv [][]int) {
	pos := make([]int, len(cands))
	for i := range cands {
		pos[i] = len(cands[i]) - 1
	}
	for changed := cascade; changed; {
		changed = false
		for i := range cands {
			for j := range cands {
				for i != j && pos[i] > 0 && cands[i][pos[i]].Recv[j] > cands[j][pos[j]].Sent[i] {
					pos[i]--
					changed = true
				}
			}
		}
	}
	line = make([]int, len(cands))
	recv = make([][]int, len(cands))
	for i := range cands {
		line[i] = cands[i][pos[i]].ID
		recv[i] = slices.Clone(cands[i][pos[i]].Recv)
	}
	return line, recv
}

func (c *coordinator) onDone(ctx *sim.Context, n *Node, j int, d *Done) {
	if !c.snapActive || d.Epoch != c.cs.Epoch || d.Snap != c.snapID || c.snapDone[j] {
		return
	}
	c.snapDone[j] = true
	c.snapCount++
	if c.snapCount < n.size() {
		return
	}
	c.snapActive = false
	c.cs.Complete = c.snapID
	c.persist(ctx)
	c.broadcast(ctx, n, &Complete{Epoch: c.cs.Epoch, Snap: c.snapID})
}

// maybeSnapshot starts the next snapshot, unless one is running or a
// recovery is not finished.
func (c *coordinator) maybeSnapshot(ctx *sim.Context, n *Node) {
	if c.snapActive || n.status != active || c.freeze != nil {
		return
	}
	if c.rb != nil && slices.Contains(c.acked, false) {
		return
	}
	c.snapID = c.cs.NextSnap
	c.cs.NextSnap++
	c.persist(ctx)
	c.snapActive = true
	c.snapDone = make([]bool, n.size())
	c.snapCount = 0
	n.record(ctx, c.snapID, -1)
}

// resend repeats the current recovery's messages to the nodes that have
// not answered.
func (c *coordinator) resend(ctx *sim.Context, n *Node) {
	if c.rb != nil {
		for i, ok := range c.acked {
			if !ok {
				c.send(ctx, n, i, c.rb)
			}
		}
	}
	if c.freeze != nil {
		for i, ok := range c.got {
			if !ok {
				c.send(ctx, n, i, c.freeze)
			}
		}
	}
}
