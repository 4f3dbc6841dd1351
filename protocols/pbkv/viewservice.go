package pbkv

import (
	"fmt"

	"github.com/dsimlab/dsim/protocols/wal"
	"github.com/dsimlab/dsim/sim"
)

// viewService decides views from the servers' pings. It is a single node
// and a single point of failure: while it is down or cut off, no view
// changes, so no failover happens (the primary of the current view goes
// on serving if it can). Its views are kept in a write-ahead log, synced
// before any reply shows them, so a restarted view service resumes with
// the same view numbers and never names two primaries for one view.
type viewService struct {
	cl  *Cluster
	st  *vsState
	log *wal.Log

	started    sim.Time
	lastPing   []sim.Time // per server index, on the view service's clock
	inc        []uint32   // latest incarnation heard, 0: not heard since start
	durable    []int      // latest Durable reported
	leaseUntil sim.Time   // no other primary before this, on its clock
}

type vsTick struct{}

func (vs *viewService) Start(ctx *sim.Context) {
	vs.st = &vsState{}
	l, _, err := wal.Open(ctx.Storage(), vs.st, wal.Options{Every: vs.cl.cfg.CheckpointEvery})
	if err != nil {
		panic(fmt.Sprintf("pbkv: view service: %v", err)) // only a bug can corrupt it
	}
	vs.log = l
	n := len(vs.cl.servers)
	vs.started = ctx.Now()
	vs.lastPing = make([]sim.Time, n)
	for i := range vs.lastPing {
		vs.lastPing[i] = vs.started // every server gets a full dead interval to be heard
	}
	vs.inc = make([]uint32, n)
	vs.durable = make([]int, n)
	if vs.cl.cfg.Leases {
		// A lease granted before a crash may still run: wait it out.
		vs.leaseUntil = vs.started.Add(vs.cl.cfg.Lease)
	}
	ctx.SetTimer(vs.cl.cfg.Ping, vsTick{})
}

func (vs *viewService) Timer(ctx *sim.Context, _ any) {
	vs.decide(ctx)
	ctx.SetTimer(vs.cl.cfg.Ping, vsTick{})
}

func (vs *viewService) Receive(ctx *sim.Context, from sim.NodeID, msg any) {
	switch m := msg.(type) {
	case *Ping:
		i := vs.cl.index(from)
		if i < 0 {
			return
		}
		vs.lastPing[i], vs.inc[i], vs.durable[i] = ctx.Now(), m.Inc, m.Durable
		cur := vs.st.cur
		if from == cur.Primary && m.Inc == cur.PrimaryInc && m.Ack == cur.Num && vs.st.acked.Num != cur.Num {
			vs.append(ctx, putUint([]byte{recAck}, uint64(cur.Num)))
		}
		vs.decide(ctx)
		reply := &ViewReply{View: vs.st.cur}
		cur = vs.st.cur
		if vs.cl.cfg.Leases && from == cur.Primary && m.Inc == cur.PrimaryInc && vs.st.acked.Num == cur.Num {
			reply.LeaseUntil = ctx.Now().Add(vs.cl.cfg.Lease)
			vs.leaseUntil = max(vs.leaseUntil, reply.LeaseUntil)
		}
		if reply.LeaseUntil > 0 || m.Known != cur.Num {
			ctx.Send(from, reply)
		}
	case *GetView:
		ctx.Send(from, &ViewReply{View: vs.st.cur})
	}
}

// append logs a record and syncs it before anything depends on it.
func (vs *viewService) append(ctx *sim.Context, rec []byte) {
	if _, err := vs.log.Append(rec); err != nil {
		panic(fmt.Sprintf("pbkv: view service: %v", err))
	}
	vs.log.Sync()
	if vs.log.Due() {
		vs.log.Checkpoint()
	}
}

// alive reports whether server i pinged within the dead interval.
func (vs *viewService) alive(ctx *sim.Context, i int) bool {
	return ctx.Now().Sub(vs.lastPing[i]) < vs.cl.dead()
}

// holds reports whether node id still holds a role given to incarnation
// inc: it is alive and has not restarted since.
func (vs *viewService) holds(ctx *sim.Context, id sim.NodeID, inc uint32) bool {
	i := vs.cl.index(id)
	if i < 0 {
		return false
	}
	return vs.alive(ctx, i) && (vs.inc[i] == 0 || vs.inc[i] == inc)
}

// restarted reports whether node id is known to run another incarnation
// than inc, so inc is certainly dead.
func (vs *viewService) restarted(id sim.NodeID, inc uint32) bool {
	i := vs.cl.index(id)
	return i >= 0 && vs.inc[i] != 0 && vs.inc[i] != inc
}

// idle returns the first server, in name order, that is alive, has been
// heard, and is not except; or None.
func (vs *viewService) idle(ctx *sim.Context, except sim.NodeID) (sim.NodeID, uint32) {
	for i, id := range vs.cl.servers {
		if id != except && vs.inc[i] != 0 && vs.alive(ctx, i) {
			return id, vs.inc[i]
		}
	}
	return sim.None, 0
}

// decide moves to the next view when the current one needs to change and
// may. The rules, in order:
//
//   - The first view takes the first two servers heard, in name order.
//   - If the primary is dead or restarted: promote the backup, if the view
//     was acknowledged (so the backup has the state), the backup is alive,
//     and no lease of the old primary may still run. Otherwise, if the
//     primary restarted with a log that says it served the current view,
//     re-admit it; failing that, if the primary of the latest acknowledged
//     view restarted with a log that says it served that view, re-admit
//     it: a disk that served a view holds every write acknowledged in it.
//     Otherwise wait.
//   - A dead backup is replaced by an idle server (or none); a missing
//     backup is filled once the view is acknowledged. Neither changes the
//     primary.
func (vs *viewService) decide(ctx *sim.Context) {
	cfg := vs.cl.cfg
	cur := vs.st.cur
	if cur.Num == 0 {
		if ctx.Now().Sub(vs.started) < 2*cfg.Ping {
			return // let every server be heard once
		}
		p, pinc := vs.idle(ctx, sim.None)
		if p == sim.None {
			return
		}
		b, binc := vs.idle(ctx, p)
		vs.newView(ctx, p, pinc, b, binc)
		return
	}
	acked := vs.st.acked.Num == cur.Num || cfg.Variant == ViewWithoutAck
	if !vs.holds(ctx, cur.Primary, cur.PrimaryInc) {
		leaseOver := ctx.Now() >= vs.leaseUntil || vs.restarted(cur.Primary, cur.PrimaryInc)
		if acked && leaseOver && cur.Backup != sim.None && vs.holds(ctx, cur.Backup, cur.BackupInc) {
			b, binc := vs.idle(ctx, cur.Backup)
			vs.newView(ctx, cur.Backup, cur.BackupInc, b, binc)
			return
		}
		// The primary of the current view may have served it before its
		// acknowledgement reached this service (which may have crashed in
		// between): if it restarted with a log that says it served this
		// view, it holds every write acknowledged since, so it comes back.
		if i := vs.cl.index(cur.Primary); i >= 0 && vs.restarted(cur.Primary, cur.PrimaryInc) &&
			vs.alive(ctx, i) && vs.durable[i] == cur.Num {
			b, binc := vs.idle(ctx, cur.Primary)
			vs.newView(ctx, cur.Primary, vs.inc[i], b, binc)
			return
		}
		a := vs.st.acked
		if i := vs.cl.index(a.Primary); i >= 0 && vs.restarted(a.Primary, a.PrimaryInc) &&
			vs.alive(ctx, i) && vs.durable[i] == a.Num && vs.restarted(cur.Primary, cur.PrimaryInc) {
			b, binc := vs.idle(ctx, a.Primary)
			vs.newView(ctx, a.Primary, vs.inc[i], b, binc)
		}
		return
	}
	if !acked {
		// Replacing a dead backup keeps the primary, so no second primary
		// can arise: this need not wait for an acknowledgement that may
		// never come (the primary cannot finish a transfer to a dead
		// backup).
		if cur.Backup != sim.None && !vs.holds(ctx, cur.Backup, cur.BackupInc) {
			b, binc := vs.idle(ctx, cur.Primary)
			vs.newView(ctx, cur.Primary, cur.PrimaryInc, b, binc)
		}
		return
	}
	if cur.Backup == sim.None || !vs.holds(ctx, cur.Backup, cur.BackupInc) {
		b, binc := vs.idle(ctx, cur.Primary)
		if b != sim.None || cur.Backup != sim.None {
			vs.newView(ctx, cur.Primary, cur.PrimaryInc, b, binc)
		}
	}
}

func (vs *viewService) newView(ctx *sim.Context, p sim.NodeID, pinc uint32, b sim.NodeID, binc uint32) {
	v := View{Num: vs.st.cur.Num + 1, Primary: p, PrimaryInc: pinc, Backup: b, BackupInc: binc}
	vs.append(ctx, putView([]byte{recView}, v))
	backup := "none"
	if b != sim.None {
		backup = ctx.NodeName(b)
	}
	vs.cl.decided(ctx, ViewDecided{Num: v.Num, Primary: ctx.NodeName(p), Backup: backup})
}
