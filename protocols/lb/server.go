package lb

import (
	"encoding/binary"
	"time"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/dsimlab/dsim/sim"
	"github.com/dsimlab/dsim/sim/detmath"
)

// timerTag is a timer tag; the package-level values below are compared by
// pointer and box nothing.
type timerTag struct{ name string }

// String names the timer in traces.
func (t *timerTag) String() string { return t.name }

var (
	tagDone    = &timerTag{"service done"}
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
	service time.Duration // set when service starts
	hit     bool
}

// server is a FIFO server node: one request in service at a time, the rest
// waiting in arrival order. It reports its queue length on every response,
// and announces itself to the balancer nodes when it boots or joins.
type server struct {
	rt     *runtime
	idx    int
	spec   *ServerSpec
	epoch  uint64
	seq    uint64
	q      []job
	head   int
	busy   bool
	recv   []uint64 // requests received from each client in this epoch
	cache  *clockCache
	armed  bool // a report timer is pending
	dirty  bool // the queue changed since the last periodic report
	joined bool
}

func (s *server) queue() int { return len(s.q) - s.head }

// Start reads and bumps the boot epoch on disk, then announces the server,
// now or at its join time.
func (s *server) Start(ctx *sim.Context) {
	s.epoch = bumpEpoch(ctx.Storage())
	s.recv = make([]uint64, len(s.rt.clients))
	if s.rt.cfg.CacheKeys > 0 {
		s.cache = newClockCache(s.rt.cfg.CacheKeys)
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

// Receive queues a request and starts serving it if the server is idle.
func (s *server) Receive(ctx *sim.Context, from sim.NodeID, msg any) {
	req, ok := msg.(*Request)
	if !ok {
		return
	}
	if int(req.Client) < len(s.recv) {
		s.recv[req.Client]++
	}
	now := ctx.Now()
	s.q = append(s.q, job{from: from, client: req.Client, id: req.ID, key: req.Key, size: req.Size, arrived: now})
	s.rt.rec.arrival(s.idx, s.queue(), now)
	s.changed(ctx)
	if !s.busy {
		s.start(ctx)
	}
}

// speed returns the server's speed now, after any slowdown.
func (s *server) speed(now sim.Time) float64 {
	v := s.spec.Speed
	factor := 1.0
	for _, sl := range s.rt.slow[s.idx] {
		if now >= sim.Time(sl.At) {
			factor = sl.Factor
		}
	}
	return v / factor
}

func (s *server) start(ctx *sim.Context) {
	j := &s.q[s.head]
	work := j.size
	if s.cache != nil {
		j.hit = s.cache.access(j.key)
		if !j.hit {
			work *= s.rt.cfg.MissFactor
		}
	}
	j.service = time.Duration(work / s.speed(ctx.Now()))
	s.busy = true
	ctx.SetTimer(j.service, tagDone)
}

// Timer finishes a service, sends a periodic report, or joins.
func (s *server) Timer(ctx *sim.Context, tag any) {
	switch tag {
	case tagDone:
		s.finish(ctx)
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

func (s *server) finish(ctx *sim.Context) {
	j := &s.q[s.head]
	from, client, id, arrived, service, hit := j.from, j.client, j.id, j.arrived, j.service, j.hit
	s.head++
	if s.head == len(s.q) {
		s.q, s.head = s.q[:0], 0
	} else if s.head >= 64 && 2*s.head >= len(s.q) {
		n := copy(s.q, s.q[s.head:])
		s.q, s.head = s.q[:n], 0
	}
	s.busy = false
	now := ctx.Now()
	sojourn := now.Sub(arrived)
	s.seq++
	var recv uint64
	if int(client) < len(s.recv) {
		recv = s.recv[client]
	}
	ctx.Send(from, &Response{ID: id, Server: int32(s.idx), Sojourn: sojourn,
		Report: Report{Epoch: s.epoch, Seq: s.seq, Queue: int32(s.queue())}, Received: recv})
	s.rt.rec.served(s.idx, arrived, sojourn, service, hit, s.cache != nil)
	s.changed(ctx)
	if s.queue() > 0 {
		s.start(ctx)
	}
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

// sizer draws request sizes, in nanoseconds of work at speed 1, from a
// client's workload stream: gonum's distributions' draws, computed through
// sim/detmath so that they are the same on every architecture (gonum's
// Rand is compiled with fused multiply-adds on arm64 and calls math.Exp).
type sizer struct {
	kind string
	exp  distuv.Exponential
	logn distuv.LogNormal
	par  distuv.Pareto
}

func newSizer(svc Service, src interface{ Uint64() uint64 }) sizer {
	mean := float64(svc.Mean)
	z := sizer{kind: svc.Kind}
	switch svc.Kind {
	case ServiceExponential:
		z.exp = distuv.Exponential{Rate: 1 / mean, Src: src}
	case ServiceLogNormal:
		// mean = exp(mu + sigma²/2)
		z.logn = distuv.LogNormal{Mu: detmath.Log(mean) - svc.Sigma*svc.Sigma/2, Sigma: svc.Sigma, Src: src}
	case ServicePareto:
		// mean = alpha·xm/(alpha−1)
		z.par = distuv.Pareto{Xm: mean * (svc.Alpha - 1) / svc.Alpha, Alpha: svc.Alpha, Src: src}
	}
	return z
}

func (z *sizer) draw() float64 {
	switch z.kind {
	case ServiceLogNormal: // z.logn.Rand()
		return detmath.Exp(float64(detmath.NormFloat64(z.logn.Src)*z.logn.Sigma) + z.logn.Mu)
	case ServicePareto: // z.par.Rand()
		return z.par.Xm * detmath.Exp(detmath.ExpFloat64(z.par.Src)/z.par.Alpha)
	}
	return detmath.ExpFloat64(z.exp.Src) / z.exp.Rate // z.exp.Rand()
}
