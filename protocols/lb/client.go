package lb

import (
	"math"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/protocols/chash"
	"github.com/dsimlab/dsim/sim"
)

// workload is a client's request stream: arrival gaps, keys and sizes, all
// drawn from the client's "workload/NAME" stream in a fixed order (gap, key,
// size), so that every balancer sees the same requests under the same seed
// (common random numbers). It lives outside the node and survives restarts,
// as the node's own random stream does.
type workload struct {
	gen   *protocols.Generator
	size  sizer
	left  int           // requests still to issue; -1: no limit
	fixed time.Duration // deterministic arrivals: the gap (0: Poisson)
	first time.Duration // deterministic arrivals: the first gap, staggered by client
}

// gap returns the wait before the next arrival.
func (wl *workload) gap() time.Duration {
	if wl.fixed > 0 {
		return wl.fixed
	}
	return wl.gen.Gap()
}

// Request states in a client's pending window.
const (
	waiting  uint8 = iota // sent, no answer yet
	answered              // the response arrived in time
	expired               // timed out
)

// pending is a request a client sent, kept until it is answered or expires.
type pending struct {
	sent   sim.Time
	server int32
	state  uint8
	op     sim.OpID
}

// member is a client's private record of one server, beside the View.
type member struct {
	joined  bool
	epoch   uint64   // the server's boot epoch, as last heard
	hello   uint64   // the latest epoch whose announcement was handled
	seq     uint64   // of the latest report applied
	fails   int      // consecutive timeouts
	ejected sim.Time // ejected until then (0: not ejected)
}

// client is a balancer node: it generates its share of the workload and
// routes each request with its Balancer, learning server load only from
// responses and reports.
type client struct {
	rt    *runtime
	idx   int
	wl    *workload
	view  View
	mem   []member
	bal   Balancer
	obs   Observer
	owner KeyOwner
	watch LoadWatcher

	pend  []pending // pend[k] is request base+k
	base  uint64    // request ids start at epoch<<40, so a restarted node never reuses one
	head  int       // first request that may still be waiting
	armed bool

	readmit sim.Time // earliest end of an ejection, or Never

	// The node's bookkeeping, checked by the accounting check.
	issued, completed, failed, late, mismatched int

	moveBuf []int32 // owners of the workload's keys before a membership change
}

// idBits is the number of low bits of a request id that count requests
// within one boot of a balancer node; the high bits hold the boot epoch.
const idBits = 40

// Start builds the view of the initial servers and starts the workload.
func (c *client) Start(ctx *sim.Context) {
	cfg := &c.rt.cfg
	epoch := bumpEpoch(ctx.Storage())
	name, opts, _ := ParseSpec(cfg.Balancer, cfg.Options) // validated by normalized
	c.bal, _ = New(name, opts)
	c.obs, _ = c.bal.(Observer)
	c.owner, _ = c.bal.(KeyOwner)
	c.watch, _ = c.bal.(LoadWatcher)
	c.view = View{Now: ctx.Now(), Rand: ctx.Rand(), Servers: make([]ServerView, len(cfg.Servers))}
	c.mem = make([]member, len(cfg.Servers))
	for i, s := range cfg.Servers {
		c.view.Servers[i] = ServerView{Name: s.Name, Weight: s.Weight}
		if s.JoinAt == 0 {
			c.mem[i] = member{joined: true, epoch: 1}
		}
	}
	c.base, c.readmit = epoch<<idBits|1, sim.Never
	c.rebuild(ctx, "")
	if c.rt.rate > 0 {
		first := c.wl.gap()
		if c.wl.fixed > 0 {
			first = c.wl.first
		}
		ctx.SetTimer(first, tagArrival)
		return
	}
	for u := 0; u < cfg.Concurrency; u++ {
		c.issue(ctx)
	}
}

// Timer handles arrivals, the closed loop's think times and timeouts.
func (c *client) Timer(ctx *sim.Context, tag any) {
	switch tag {
	case tagArrival:
		if c.wl.left != 0 {
			c.issue(ctx)
			if c.wl.left != 0 {
				ctx.SetTimer(c.wl.gap(), tagArrival)
			}
		}
	case tagThink:
		c.issue(ctx)
	case tagTimeout:
		c.expire(ctx) // armed stays true, so that expiring does not re-arm early
		c.armed = false
		c.arm(ctx)
	}
}

// issue draws and routes one request.
func (c *client) issue(ctx *sim.Context) {
	if c.wl.left == 0 {
		return
	}
	if c.wl.left > 0 {
		c.wl.left--
	}
	key := chash.Mix64(uint64(c.wl.gen.KeyIndex()))
	size := c.wl.size.draw()
	now := ctx.Now()
	c.view.Now = now
	if now >= c.readmit {
		c.rebuild(ctx, "readmitted")
	}
	rec := &c.rt.rec.clients[c.idx]
	c.issued++
	rec.issued++
	if len(c.view.Eligible) == 0 { // unreachable: initial servers are members for good
		c.failed++
		rec.noServer++
		if c.rt.rate == 0 { // the closed-loop user tries again later
			ctx.SetTimer(c.rt.cfg.Timeout, tagThink)
		}
		return
	}
	srv := c.bal.Pick(&c.view, key)
	p := pending{sent: now, server: int32(srv)}
	if c.rt.cfg.History {
		p.op = ctx.Invoke(Call{Key: key})
	}
	id := c.base + uint64(len(c.pend))
	c.pend = append(c.pend, p)
	sv := &c.view.Servers[srv]
	sv.Outstanding++
	sv.Sent++
	c.changed(srv)
	req := c.rt.requests.next()
	*req = Request{ID: id, Client: int32(c.idx), Key: key, Size: size}
	ctx.Send(c.rt.servers[srv], req)
	c.arm(ctx)
}

// userDone ends one closed-loop cycle: the user thinks, then issues again.
func (c *client) userDone(ctx *sim.Context) {
	if c.rt.rate > 0 || c.wl.left == 0 {
		return
	}
	if think := c.rt.cfg.Think; think > 0 {
		ctx.SetTimer(think, tagThink)
		return
	}
	c.issue(ctx)
}

// arm sets the timeout timer for the oldest waiting request, if none is set.
func (c *client) arm(ctx *sim.Context) {
	if c.armed || c.head >= len(c.pend) {
		return
	}
	c.armed = true
	deadline := c.pend[c.head].sent.Add(c.rt.cfg.Timeout)
	ctx.SetTimer(deadline.Sub(ctx.Now()), tagTimeout)
}

// advance moves head past the requests that are no longer waiting, and
// drops them from the window once they are the older half of it.
func (c *client) advance() {
	for c.head < len(c.pend) && c.pend[c.head].state != waiting {
		c.head++
	}
	if c.head >= 1024 && 2*c.head >= len(c.pend) {
		n := copy(c.pend, c.pend[c.head:])
		c.pend = c.pend[:n]
		c.base += uint64(c.head)
		c.head = 0
	}
}

// expire times out every waiting request older than the timeout.
func (c *client) expire(ctx *sim.Context) {
	now := ctx.Now()
	c.view.Now = now
	timeout := c.rt.cfg.Timeout
	for c.head < len(c.pend) {
		p := &c.pend[c.head]
		if p.state == waiting {
			if now.Sub(p.sent) < timeout {
				break
			}
			p.state = expired
			c.failed++
			c.rt.rec.clients[c.idx].failed++
			c.rt.rec.expired(p.sent)
			if c.rt.cfg.Variant != VariantLeakOnTimeout {
				c.view.Servers[p.server].Outstanding--
				c.changed(int(p.server))
			}
			if c.obs != nil { // as Finagle does: a failure took the whole timeout
				c.obs.Observe(&c.view, int(p.server), timeout)
			}
			c.failure(ctx, int(p.server))
			c.userDone(ctx)
		}
		c.head++
	}
	c.advance()
}

// failure counts a timeout against a server and ejects it after
// EjectAfter in a row.
func (c *client) failure(ctx *sim.Context, srv int) {
	m := &c.mem[srv]
	m.fails++
	n := c.rt.cfg.EjectAfter
	if n <= 0 || m.fails < n || m.ejected > ctx.Now() {
		return
	}
	m.fails = 0
	m.ejected = ctx.Now().Add(c.rt.cfg.EjectFor)
	c.rebuild(ctx, "-"+c.view.Servers[srv].Name+" ejected")
}

// Receive handles responses, load reports and server announcements.
func (c *client) Receive(ctx *sim.Context, _ sim.NodeID, msg any) {
	now := ctx.Now()
	c.view.Now = now
	switch m := msg.(type) {
	case *Response:
		c.report(int(m.Server), m.Report, m.Received)
		c.answer(ctx, m)
	case *LoadReport:
		c.report(int(m.Server), m.Report, m.Received)
	case *Hello:
		c.hello(ctx, m)
	}
}

// report applies a server's load report unless a newer one was applied.
func (c *client) report(srv int, r Report, received uint64) {
	if srv < 0 || srv >= len(c.mem) {
		return
	}
	m, sv := &c.mem[srv], &c.view.Servers[srv]
	switch {
	case r.Epoch > m.epoch: // the server restarted: its counts start again
		m.epoch, m.seq = r.Epoch, 0
		sv.Sent, sv.Acked = received, received
	case r.Epoch < m.epoch || r.Seq <= m.seq:
		return
	}
	m.seq = r.Seq
	sv.Reported = int(r.Queue)
	sv.Acked = received
	if sv.Sent < received {
		sv.Sent = received
	}
	c.changed(srv)
}

// changed tells a LoadWatcher balancer that server srv's load changed.
func (c *client) changed(srv int) {
	if c.watch != nil {
		c.watch.Changed(&c.view, srv)
	}
}

// answer completes the request a response answers.
func (c *client) answer(ctx *sim.Context, r *Response) {
	rec := &c.rt.rec.clients[c.idx]
	k := int64(r.ID) - int64(c.base)
	if k < 0 || k >= int64(len(c.pend)) || c.pend[k].state != waiting {
		// Nobody waits for it: its request timed out, or the network
		// duplicated the response.
		c.late++
		rec.late++
		if c.rt.cfg.Variant == VariantCountLate && (k < 0 || k >= int64(len(c.pend)) || c.pend[k].state == expired) {
			c.completed++
		}
		return
	}
	p := &c.pend[k]
	if int(p.server) != int(r.Server) {
		c.mismatched++
		return
	}
	p.state = answered
	now := ctx.Now()
	srv := int(r.Server)
	c.view.Servers[srv].Outstanding--
	c.changed(srv)
	c.mem[srv].fails = 0
	rtt := now.Sub(p.sent)
	c.completed++
	rec.completed++
	c.rt.rec.answered(p.sent, rtt, r.Sojourn)
	if c.obs != nil {
		c.obs.Observe(&c.view, srv, rtt)
	}
	if p.op != 0 {
		ctx.Return(p.op, Reply{Server: c.view.Servers[srv].Name})
	}
	if k == int64(c.head) {
		c.advance()
	}
	c.userDone(ctx)
}

// hello admits a server that joined or restarted.
func (c *client) hello(ctx *sim.Context, h *Hello) {
	srv := int(h.Server)
	if srv < 0 || srv >= len(c.mem) {
		return
	}
	m, sv := &c.mem[srv], &c.view.Servers[srv]
	if h.Epoch <= m.hello || h.Epoch < m.epoch {
		return // a duplicate, or old news
	}
	m.hello = h.Epoch
	if h.Epoch > m.epoch { // responses from the new epoch have not beaten it here
		m.epoch, m.seq = h.Epoch, 0
		sv.Sent, sv.Acked, sv.Reported = 0, 0, 0
		c.changed(srv)
	}
	change := "+" + sv.Name + " joined"
	if m.joined {
		change = "+" + sv.Name + " restarted"
	}
	wasEligible := m.joined && m.ejected <= ctx.Now()
	m.joined, m.fails, m.ejected = true, 0, 0
	if !wasEligible { // the boot announcement of a server known from the start changes nothing
		c.rebuild(ctx, change)
	}
}

// MembershipChanged is the fact a balancer node records (sim.Context.Record)
// when its view of the servers changes: Change says what happened (e.g.
// "+n11 joined", "-n3 ejected") and Eligible how many servers it may pick
// from now.
type MembershipChanged struct {
	Change   string
	Eligible int
}

// String describes the change, e.g. "+n11 joined: 11 eligible".
func (f MembershipChanged) String() string {
	return f.Change + ": " + strconv.Itoa(f.Eligible) + " eligible"
}

// SlowedDown is the fact a server records when a slowdown of the scenario
// starts: from then on it serves Factor times slower, or takes Service for
// every request.
type SlowedDown struct {
	Server  string
	Factor  float64
	Service time.Duration
}

// String describes the slowdown, e.g. "n3 slows down by 4" or "n3 takes
// 2s a request".
func (f SlowedDown) String() string {
	if f.Service > 0 {
		return f.Server + " takes " + f.Service.String() + " a request"
	}
	return f.Server + " slows down by " + strconv.FormatFloat(f.Factor, 'g', -1, 64)
}

// SpedUp is the fact a server records when a slowdown window ends.
type SpedUp struct{ Server string }

// String describes the end of the slowdown, e.g. "n3 is back to speed".
func (f SpedUp) String() string { return f.Server + " is back to speed" }

// rebuild recomputes the eligible servers and tells the balancer. For a
// KeyOwner balancer it measures the fraction of keys that changed server.
func (c *client) rebuild(ctx *sim.Context, change string) {
	now := ctx.Now()
	c.view.Now = now
	measure := c.owner != nil && change != "" && len(c.rt.keys) > 0
	if measure {
		c.moveBuf = c.moveBuf[:0]
		for _, k := range c.rt.keys {
			c.moveBuf = append(c.moveBuf, int32(c.owner.Owner(k)))
		}
	}
	before := c.weightOf(c.view.Eligible)
	c.view.Eligible = c.view.Eligible[:0]
	c.readmit = sim.Never
	for i := range c.mem {
		m := &c.mem[i]
		switch {
		case !m.joined:
		case m.ejected > now:
			c.readmit = min(c.readmit, m.ejected)
		default:
			c.view.Eligible = append(c.view.Eligible, i)
		}
	}
	if len(c.view.Eligible) == 0 { // never empty the pool
		for i := range c.mem {
			if c.mem[i].joined {
				c.view.Eligible = append(c.view.Eligible, i)
			}
		}
	}
	c.bal.Update(&c.view)
	if change != "" {
		ctx.Record(MembershipChanged{Change: change, Eligible: len(c.view.Eligible)})
	}
	if !measure {
		return
	}
	moved := 0
	for j, k := range c.rt.keys {
		if int32(c.owner.Owner(k)) != c.moveBuf[j] {
			moved++
		}
	}
	after := c.weightOf(c.view.Eligible)
	ideal := 0.0
	if mx := max(before, after); mx > 0 {
		ideal = (max(before, after) - min(before, after)) / mx
	}
	c.rt.rec.moves = append(c.rt.rec.moves, Move{At: time.Duration(now), Balancer: ctx.Name(), Change: change,
		Members: len(c.view.Eligible), Moved: float64(moved) / float64(len(c.rt.keys)), Ideal: ideal})
}

func (c *client) weightOf(servers []int) float64 {
	w := 0.0
	for _, i := range servers {
		w += c.view.Servers[i].Weight
	}
	return w
}

// newWorkload returns client i's request stream.
func newWorkload(cfg *Config, rate float64, r *rand.Rand, index, share int) *workload {
	wl := protocols.Workload{Keys: cfg.Keys, Distribution: "uniform", Rate: rate, Think: cfg.Think}
	if cfg.Zipf > 1 {
		wl.Distribution, wl.ZipfS = "zipf", cfg.Zipf
	}
	left := share
	if cfg.Requests == 0 {
		left = -1
	}
	out := &workload{gen: protocols.NewGenerator(wl, r), size: newSizer(cfg.Service, r), left: left}
	if cfg.Arrivals == ArrivalsDeterministic && rate > 0 {
		// Clients take turns: together they send a request every
		// 1/(rate·clients), client i first after (i+1) of those.
		out.fixed = time.Duration(math.Round(1e9 / rate))
		out.first = time.Duration(math.Round(1e9 / rate * float64(index+1) / float64(cfg.Clients)))
	}
	return out
}
