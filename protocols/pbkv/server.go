package pbkv

import (
	"fmt"
	"strconv"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/protocols/wal"
	"github.com/dsimlab/dsim/sim"
)

// keyInc is the storage key of a node's incarnation counter.
const keyInc = "pbkv/inc"

// maxBatch is the most operations one Forward carries.
const maxBatch = 64

// server is a key-value server: primary, backup or idle, as the latest
// view it knows says. Its store lives in a write-ahead log: the primary
// syncs before it answers a client, the backup before it acknowledges a
// batch or a transfer.
type server struct {
	cl  *Cluster
	inc uint32
	st  *store
	log *wal.Log

	view     View
	ready    bool
	lastPing *Ping // primary: the backup has the state (or there is none), and the view is logged

	// Primary.
	queue       []*Request
	inflight    []*Request // the batch the backup has not acknowledged
	batch       int64
	sentAt      sim.Time
	transferred bool // the backup acknowledged the transfer for this view
	xferAt      sim.Time
	lease       sim.Time // on the view service's clock
	acted       int      // latest view announced as acted in

	// Backup.
	applied   int64 // latest batch applied in view installed
	installed int   // view whose transfer was installed
}

type serverTick struct{}

// incarnation bumps and syncs a node's boot counter.
func incarnation(ctx *sim.Context) uint32 {
	inc := uint64(1)
	if v, ok := ctx.Storage().Get(keyInc); ok {
		inc, _ = strconv.ParseUint(string(v), 10, 32)
		inc++
	}
	ctx.Storage().Put(keyInc, strconv.AppendUint(nil, inc, 10))
	ctx.Storage().Sync()
	return uint32(inc)
}

func (s *server) Start(ctx *sim.Context) {
	s.inc = incarnation(ctx)
	s.st = newStore()
	l, _, err := wal.Open(ctx.Storage(), s.st, wal.Options{Every: s.cl.cfg.CheckpointEvery})
	if err != nil {
		panic(fmt.Sprintf("pbkv: %s: %v", ctx.Name(), err)) // only a bug can corrupt it
	}
	s.log = l
	s.view = View{Primary: sim.None, Backup: sim.None}
	s.ping(ctx)
	ctx.SetTimer(s.cl.cfg.Ping, serverTick{})
}

func (s *server) isPrimary(ctx *sim.Context) bool {
	return s.view.Primary == ctx.ID() && s.view.PrimaryInc == s.inc
}

func (s *server) isBackup(ctx *sim.Context) bool {
	return s.view.Backup == ctx.ID() && s.view.BackupInc == s.inc
}

// ping sends a heartbeat, reusing the previous message while its content
// is the same (a sent message is never modified).
func (s *server) ping(ctx *sim.Context) {
	p := Ping{Inc: s.inc, Known: s.view.Num, Durable: s.st.primaryView}
	if s.ready {
		p.Ack = s.view.Num
	}
	if s.lastPing == nil || *s.lastPing != p {
		s.lastPing = &p
	}
	ctx.Send(s.cl.vs, s.lastPing)
}

func (s *server) Timer(ctx *sim.Context, _ any) {
	s.ping(ctx)
	resend := 2 * s.cl.cfg.Ping
	if s.isPrimary(ctx) && s.view.Backup != sim.None {
		if !s.transferred && ctx.Now().Sub(s.xferAt) >= resend {
			s.sendTransfer(ctx)
		}
		if s.inflight != nil && ctx.Now().Sub(s.sentAt) >= resend {
			s.sendForward(ctx)
		}
	}
	ctx.SetTimer(s.cl.cfg.Ping, serverTick{})
}

func (s *server) Receive(ctx *sim.Context, from sim.NodeID, msg any) {
	switch m := msg.(type) {
	case *ViewReply:
		s.learn(ctx, m.View)
		if m.LeaseUntil > 0 && s.isPrimary(ctx) && m.View.Num == s.view.Num {
			s.lease = max(s.lease, m.LeaseUntil)
		}
	case *Request:
		s.request(ctx, m)
	case *Forward:
		s.forward(ctx, from, m)
	case *ForwardReply:
		s.learn(ctx, m.Known)
		if m.OK && s.inflight != nil && m.View == s.view.Num && m.Batch == s.batch && s.isPrimary(ctx) {
			if s.cl.cfg.Variant != ReplyBeforeBackup {
				s.commit(ctx, s.inflight)
			}
			s.inflight = nil
			s.drain(ctx)
		}
	case *Transfer:
		s.transfer(ctx, from, m)
	case *TransferReply:
		s.learn(ctx, m.Known)
		if m.OK && m.View == s.view.Num && s.isPrimary(ctx) && !s.transferred {
			s.transferred = true
			if !s.ready {
				s.becomeReady(ctx)
			}
		}
	}
}

// learn adopts v if it is newer than the view the server knows. Views
// come from the view service, directly or relayed by other servers, so
// any newer one is genuine.
func (s *server) learn(ctx *sim.Context, v View) {
	if v.Num <= s.view.Num {
		return
	}
	s.view = v
	s.ready, s.transferred = false, false
	s.batch, s.applied = 0, 0
	if !s.isPrimary(ctx) {
		s.queue, s.inflight, s.lease = nil, nil, 0
		return
	}
	// A batch the old backup did not acknowledge goes to the new one.
	s.queue = append(s.inflight, s.queue...)
	s.inflight = nil
	if v.Backup == sim.None {
		s.transferred = true
		s.becomeReady(ctx)
		return
	}
	s.sendTransfer(ctx)
	if s.cl.cfg.Variant == BackupBeforeTransfer {
		s.becomeReady(ctx)
	}
}

// becomeReady logs that the server serves this view as primary, then
// acknowledges the view to the view service and starts serving.
func (s *server) becomeReady(ctx *sim.Context) {
	if _, err := s.log.Append(primaryRecord(s.view.Num)); err != nil {
		panic(err)
	}
	s.log.Sync()
	s.ready = true
	s.ping(ctx)
	s.drain(ctx)
}

func (s *server) sendTransfer(ctx *sim.Context) {
	s.xferAt = ctx.Now()
	if s.skipSend(ctx, fpSlowTransfer) {
		return
	}
	ctx.Send(s.view.Backup, &Transfer{View: s.view, Snapshot: s.st.transferSnapshot()})
	s.cl.transfers++
}

// leaseValid reports whether the primary may answer a get from its own
// state: its lease, on the view service's clock, ends more than the margin
// after its own clock's now.
func (s *server) leaseValid(ctx *sim.Context) bool {
	margin := s.cl.cfg.LeaseMargin
	if s.cl.cfg.Variant == LeaseWithoutMargin {
		margin = 0
	}
	return s.cl.cfg.Leases && ctx.Now().Add(margin) < s.lease
}

func (s *server) request(ctx *sim.Context, r *Request) {
	if !s.isPrimary(ctx) {
		ctx.Send(r.From, &Reply{Seq: r.Seq, Err: ErrWrongServer})
		return
	}
	if r.Op == checker.KVGet && s.leaseValid(ctx) && !ctx.Maybe(fpEarlyLeaseExpiry) {
		s.cl.leaseReads++
		s.reply(ctx, r, s.st.kv[r.Key])
		return
	}
	if !s.ready {
		return // the client retries
	}
	if r.Op != checker.KVGet && s.st.duplicate(r.Client, r.Seq) {
		s.reply(ctx, r, "")
		return
	}
	for _, q := range s.inflight {
		if q.Client == r.Client && q.Seq == r.Seq {
			return
		}
	}
	for _, q := range s.queue {
		if q.Client == r.Client && q.Seq == r.Seq {
			return
		}
	}
	if s.cl.cfg.Variant == ReplyBeforeBackup {
		s.commit(ctx, []*Request{r}) // answered now, forwarded later
	}
	s.queue = append(s.queue, r)
	s.drain(ctx)
}

// drain sends the next batch to the backup, if none is in flight.
func (s *server) drain(ctx *sim.Context) {
	if !s.ready || s.inflight != nil || len(s.queue) == 0 {
		return
	}
	n := min(len(s.queue), maxBatch)
	s.inflight = s.queue[:n:n]
	s.queue = s.queue[n:]
	if s.view.Backup == sim.None {
		if s.cl.cfg.Variant != ReplyBeforeBackup {
			s.commit(ctx, s.inflight)
		}
		s.inflight = nil
		s.drain(ctx)
		return
	}
	s.batch++
	s.sendForward(ctx)
}

func (s *server) sendForward(ctx *sim.Context) {
	s.sentAt = ctx.Now()
	if s.skipSend(ctx, fpSlowForward) {
		return
	}
	ctx.Send(s.view.Backup, &Forward{View: s.view, Batch: s.batch, Ops: s.inflight})
}

// commit applies a batch the backup has applied, syncs, and answers the
// clients.
func (s *server) commit(ctx *sim.Context, ops []*Request) {
	for _, r := range ops {
		if r.Op != checker.KVGet {
			if _, err := s.log.Append(writeRecord(r)); err != nil {
				panic(err)
			}
		}
	}
	s.log.Sync()
	for _, r := range ops {
		v := ""
		if r.Op == checker.KVGet {
			v = s.st.kv[r.Key]
		}
		s.reply(ctx, r, v)
	}
	if s.log.Due() {
		s.log.Checkpoint()
	}
}

func (s *server) reply(ctx *sim.Context, r *Request, value string) {
	if s.acted != s.view.Num {
		s.acted = s.view.Num
		s.cl.acted(ctx, PrimaryActs{Server: ctx.Name(), View: s.view.Num})
	}
	ctx.Send(r.From, &Reply{Seq: r.Seq, Value: value})
}

// forward applies a batch as backup.
func (s *server) forward(ctx *sim.Context, from sim.NodeID, f *Forward) {
	s.learn(ctx, f.View)
	early := s.cl.cfg.Variant == BackupBeforeTransfer
	if !s.isBackup(ctx) || s.view.Num != f.View.Num || (s.installed != s.view.Num && !early) {
		ctx.Send(from, &ForwardReply{View: f.View.Num, Batch: f.Batch, Known: s.view})
		return
	}
	if f.Batch == s.applied+1 {
		for _, r := range f.Ops {
			if r.Op != checker.KVGet {
				if _, err := s.log.Append(writeRecord(r)); err != nil {
					panic(err)
				}
			}
		}
		s.log.Sync()
		if s.log.Due() {
			s.log.Checkpoint()
		}
		s.applied = f.Batch
	}
	if f.Batch <= s.applied {
		ctx.Send(from, &ForwardReply{View: f.View.Num, Batch: f.Batch, OK: true, Known: s.view})
	}
}

// transfer installs the primary's state as backup.
func (s *server) transfer(ctx *sim.Context, from sim.NodeID, t *Transfer) {
	s.learn(ctx, t.View)
	if !s.isBackup(ctx) || s.view.Num != t.View.Num {
		ctx.Send(from, &TransferReply{View: t.View.Num, Known: s.view})
		return
	}
	// BackupBeforeTransfer installs over batches it applied already.
	if s.installed != s.view.Num {
		if err := s.log.Install(t.Snapshot); err != nil {
			panic(err)
		}
		s.installed = s.view.Num
	}
	ctx.Send(from, &TransferReply{View: t.View.Num, OK: true, Known: s.view})
}
