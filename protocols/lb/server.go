package lb

import (
	"encoding/binary"
	"time"

	"github.com/dsimlab/dsim/sim"
)

// timerTag is a timer tag; the package-level values below are compared by
// pointer and box nothing.
type timerTag struct{ name string }

// String names the timer in traces.
func (t *timerTag) String() string { return t.name }

var (
	tagDone    = &timerTag{"service done"}
	tagSpeed   = &timerTag{"speed change"}
	tagReport  = &timerTag{"load report"}
	tagJoin    = &timerTag{"join"}
	tagArrival = &timerTag{"arrival"}
	tagThink   = &timerTag{"think"}
	tagTimeout = &timerTag{"timeouts"}
)

// job is a request waiting or in service at a server.
type job struct {
	from    sim.NodeID
	client  int32
	id      uint64
	key     uint64
	size    float64 // ns of work at speed 1
	arrived sim.Time
	service time.Duration // FIFO: set when service starts; PS: the work at full speed
	hit     bool
}

// slotTag is the timer tag of a FIFO server's service slot: one per slot
// index, shared by the run's servers (a timer belongs to its node), so a
// timer boxes nothing.
type slotTag struct{ slot int32 }

// String names the timer in traces.
func (*slotTag) String() string { return "service done" }

// server is a server node: up to Workers requests in service at a time in
// arrival order with the rest waiting (FIFO), or all of them sharing it
// (processor sharing, in ps.go). It reports its queue length on every
// response, and announces itself to the balancer nodes when it boots or
// joins.
type server struct {
	rt     *runtime
	idx    int
	spec   *ServerSpec
	epoch  uint64
	seq    uint64
	wait   []job // FIFO: waiting, from head on
	head   int
	slots  []job   // FIFO: in service, by slot
	free   []int32 // FIFO: free slots, the lowest last
	busy   int     // requests in service
	ps     *sharing
	recv   []uint64 // requests received from each client in this epoch
	cache  *clockCache
	armed  bool // a report timer is pending
	dirty  bool // the queue changed since the last periodic report
	joined bool
}

// queue returns the requests present: waiting and in service.
func (s *server) queue() int {
	if s.ps != nil {
		return s.ps.len()
	}
	return len(s.wait) - s.head + s.busy
}

// Start reads and bumps the boot epoch on disk, then announces the server,
// now or at its join time.
func (s *server) Start(ctx *sim.Context) {
	s.epoch = bumpEpoch(ctx.Storage())
	s.recv = make([]uint64, len(s.rt.clients))
	if s.rt.cfg.CacheKeys > 0 {
		s.cache = newClockCache(s.rt.cfg.CacheKeys)
	}
	if s.rt.cfg.Discipline == DisciplinePS {
		s.ps = &sharing{last: ctx.Now()}
		s.ps.watchSpeed(ctx, s)
	}
	if at := sim.Time(s.spec.JoinAt); ctx.Now() < at {
		ctx.SetTimer(at.Sub(ctx.Now()), tagJoin)
		return
	}
	s.join(ctx)
}

func (s *server) join(ctx *sim.Context) {
	s.joined = true
	for _, c := range s.rt.clients {
		ctx.Send(c, &Hello{Server: int32(s.idx), Epoch: s.epoch})
	}
}

// bumpEpoch increments the boot count kept on a node's disk and returns it:
// 1 at the first boot.
func bumpEpoch(st *sim.Storage) uint64 {
	var epoch uint64
	if b, ok := st.Get("epoch"); ok {
		epoch = binary.BigEndian.Uint64(b)
	}
	epoch++
	st.Put("epoch", binary.BigEndian.AppendUint64(nil, epoch))
	st.Sync()
	return epoch
}

// Receive queues a request and starts serving it if a worker is free.
func (s *server) Receive(ctx *sim.Context, from sim.NodeID, msg any) {
	req, ok := msg.(*Request)
	if !ok {
		return
	}
	if int(req.Client) < len(s.recv) {
		s.recv[req.Client]++
	}
	now := ctx.Now()
	j := job{from: from, client: req.Client, id: req.ID, key: req.Key, size: req.Size, arrived: now}
	if s.ps != nil {
		s.ps.arrive(ctx, s, j)
		s.rt.rec.arrival(s.idx, s.queue(), now)
		s.changed(ctx)
		return
	}
	s.wait = append(s.wait, j)
	s.rt.rec.arrival(s.idx, s.queue(), now)
	s.changed(ctx)
	if s.rt.cfg.free(s.busy) {
		s.start(ctx)
	}
}

// work returns a request's work at speed 1 with its cache lookup: the
// size, or MissFactor times it on a miss.
func (s *server) work(j *job) float64 {
	work := j.size
	if s.cache != nil {
		j.hit = s.cache.access(j.key)
		if !j.hit {
			work = float64(work * s.rt.cfg.MissFactor) // rounded: callers add to it
		}
	}
	return work
}

// serviceTime returns how long work takes if its service starts now.
func (s *server) serviceTime(now sim.Time, work float64) time.Duration {
	speed := s.spec.Speed
	if sl := s.rt.slowdown(s.idx, now); sl != nil {
		if sl.Service > 0 {
			return sl.Service
		}
		speed /= sl.Factor
	}
	return time.Duration(work / speed)
}

// start moves the first waiting request into a free slot and serves it.
func (s *server) start(ctx *sim.Context) {
	j := s.wait[s.head]
	s.head++
	if s.head == len(s.wait) {
		s.wait, s.head = s.wait[:0], 0
	} else if s.head >= 64 && 2*s.head >= len(s.wait) {
		n := copy(s.wait, s.wait[s.head:])
		s.wait, s.head = s.wait[:n], 0
	}
	j.service = s.serviceTime(ctx.Now(), s.work(&j))
	slot := s.slot()
	s.slots[slot] = j
	s.busy++
	ctx.SetTimer(j.service, s.rt.tag(slot))
}

// slot returns a free service slot, the lowest first.
func (s *server) slot() int32 {
	if n := len(s.free); n > 0 {
		slot := s.free[n-1]
		s.free = s.free[:n-1]
		return slot
	}
	s.slots = append(s.slots, job{})
	return int32(len(s.slots) - 1)
}

// Timer finishes a service, sends a periodic report, or joins.
func (s *server) Timer(ctx *sim.Context, tag any) {
	switch t := tag.(type) {
	case *slotTag:
		s.finish(ctx, t.slot)
		return
	}
	switch tag {
	case tagDone:
		s.ps.depart(ctx, s)
	case tagSpeed:
		s.ps.watchSpeed(ctx, s)
	case tagReport:
		s.armed = false
		if s.dirty {
			s.dirty = false
			s.seq++
			rep := Report{Epoch: s.epoch, Seq: s.seq, Queue: int32(s.queue())}
			for c, id := range s.rt.clients {
				ctx.Send(id, &LoadReport{Server: int32(s.idx), Report: rep, Received: s.recv[c]})
			}
		}
	case tagJoin:
		s.join(ctx)
	}
}

// finish completes the request in a slot and starts the next waiting one
// on the freed worker.
func (s *server) finish(ctx *sim.Context, slot int32) {
	j := s.slots[slot]
	s.free = append(s.free, slot)
	s.busy--
	s.respond(ctx, &j)
	if len(s.wait) > s.head {
		s.start(ctx)
	}
}

// respond answers a finished request with the server's load report.
func (s *server) respond(ctx *sim.Context, j *job) {
	now := ctx.Now()
	sojourn := now.Sub(j.arrived)
	s.seq++
	var recv uint64
	if int(j.client) < len(s.recv) {
		recv = s.recv[j.client]
	}
	resp := s.rt.responses.next()
	*resp = Response{ID: j.id, Server: int32(s.idx), Sojourn: sojourn,
		Report: Report{Epoch: s.epoch, Seq: s.seq, Queue: int32(s.queue())}, Received: recv}
	ctx.Send(j.from, resp)
	s.rt.rec.served(s.idx, j.arrived, sojourn, j.service, j.hit, s.cache != nil)
	s.changed(ctx)
}

// changed notes a change of queue length for the periodic report.
func (s *server) changed(ctx *sim.Context) {
	if s.rt.cfg.ReportInterval <= 0 {
		return
	}
	s.dirty = true
	if !s.armed {
		s.armed = true
		ctx.SetTimer(s.rt.cfg.ReportInterval, tagReport)
	}
}

// clockCache is a cache of keys with CLOCK replacement (second chance): a
// hit sets the key's reference bit; a miss evicts the first key the hand
// finds with its bit clear, clearing bits as it passes.
type clockCache struct {
	keys  []uint64
	ref   []bool
	used  int
	hand  int
	index map[uint64]int32
}

func newClockCache(n int) *clockCache {
	return &clockCache{keys: make([]uint64, n), ref: make([]bool, n), index: make(map[uint64]int32, n)}
}

// access looks key up, inserting it on a miss, and reports whether it hit.
func (c *clockCache) access(key uint64) bool {
	if i, ok := c.index[key]; ok {
		c.ref[i] = true
		return true
	}
	var i int
	if c.used < len(c.keys) {
		i = c.used
		c.used++
	} else {
		for c.ref[c.hand] {
			c.ref[c.hand] = false
			c.hand = (c.hand + 1) % len(c.keys)
		}
		i = c.hand
		c.hand = (c.hand + 1) % len(c.keys)
		delete(c.index, c.keys[i])
	}
	c.keys[i], c.ref[i] = key, false
	c.index[key] = int32(i)
	return false
}
