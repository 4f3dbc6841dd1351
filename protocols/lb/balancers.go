package lb

import (
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/dsimlab/dsim/protocols/chash"
	"github.com/dsimlab/dsim/sim"
	"github.com/dsimlab/dsim/sim/detmath"
)

// Compile-time checks that every balancer satisfies its interfaces.
var (
	_ Balancer    = (*Random)(nil)
	_ Balancer    = (*RoundRobin)(nil)
	_ Balancer    = (*WeightedRoundRobin)(nil)
	_ LoadWatcher = (*LeastConnections)(nil)
	_ LoadWatcher = (*JSQ)(nil)
	_ Balancer    = (*PowerOfD)(nil)
	_ Observer    = (*PeakEWMA)(nil)
	_ KeyOwner    = (*ConsistentHash)(nil)
)

// Random sends each request to an eligible server drawn uniformly at random,
// ignoring weights and load. With Poisson arrivals each server then sees a
// Poisson stream of its own: n independent M/G/1 queues.
type Random struct{}

// Name returns NameRandom.
func (*Random) Name() string { return NameRandom }

// Update does nothing: Random keeps no state.
func (*Random) Update(*View) {}

// Pick draws an eligible server.
func (*Random) Pick(v *View, _ uint64) int { return v.Eligible[v.Rand.IntN(len(v.Eligible))] }

// RoundRobin sends requests to the eligible servers in turn, ignoring
// weights and load. It starts at a random position, so that several
// balancer nodes do not march in step.
type RoundRobin struct {
	next    int
	started bool
}

// Name returns NameRoundRobin.
func (*RoundRobin) Name() string { return NameRoundRobin }

// Update draws the starting position on the first call and otherwise keeps
// the position, wrapped to the new number of eligible servers.
func (r *RoundRobin) Update(v *View) {
	if n := len(v.Eligible); !r.started && n > 0 {
		r.next, r.started = v.Rand.IntN(n), true
	}
}

// Pick returns the next eligible server in turn.
func (r *RoundRobin) Pick(v *View, _ uint64) int {
	if r.next >= len(v.Eligible) {
		r.next = 0
	}
	s := v.Eligible[r.next]
	r.next++
	return s
}

// WeightedRoundRobin is nginx's smooth weighted round-robin
// (ngx_http_upstream_get_peer): on each pick every eligible server's
// current value grows by its weight, the server with the largest current
// value is chosen, and its current value drops by the total weight. Over any
// window of W picks (W the sum of weights) a server of weight w is chosen w
// times, and the choices are interleaved rather than bunched: weights 5, 1,
// 1 give a a b a c a a, not a a a a a b c.
type WeightedRoundRobin struct {
	current []float64 // by server index
}

// Name returns NameWeightedRoundRobin.
func (*WeightedRoundRobin) Name() string { return NameWeightedRoundRobin }

// Update resets the current values, as nginx does when its upstream
// configuration changes.
func (w *WeightedRoundRobin) Update(v *View) {
	w.current = slices.Grow(w.current[:0], len(v.Servers))[:len(v.Servers)]
	clear(w.current)
}

// Pick returns the eligible server with the largest current value (the
// lowest index on a tie) and charges it the total weight.
func (w *WeightedRoundRobin) Pick(v *View, _ uint64) int {
	best, total := -1, 0.0
	for _, i := range v.Eligible {
		wt := v.Servers[i].Weight
		w.current[i] += wt
		total += wt
		if best < 0 || w.current[i] > w.current[best] {
			best = i
		}
	}
	w.current[best] -= total
	return best
}

// LeastConnections sends each request to the eligible server with the
// fewest of this node's requests outstanding per unit of weight, scoring
// (outstanding+1)/weight as Envoy's least-request does, and breaks ties
// uniformly at random. It knows only its own requests: with several
// balancer nodes, each ignores the others' load. With equal weights it
// keeps the servers indexed by load (a LoadWatcher), so a pick does not
// scan them; with unequal weights it scans.
type LeastConnections struct{ index loadIndex }

// Name returns NameLeastConnections.
func (*LeastConnections) Name() string { return NameLeastConnections }

// Update indexes the eligible servers by their outstanding requests.
func (l *LeastConnections) Update(v *View) { l.index.rebuild(v, outstanding) }

// Changed re-files a server whose outstanding count changed.
func (l *LeastConnections) Changed(v *View, i int) { l.index.move(i, v.Servers[i].Outstanding) }

func outstanding(s *ServerView) int { return s.Outstanding }

// Pick returns the least-loaded eligible server.
func (l *LeastConnections) Pick(v *View, _ uint64) int {
	if l.index.on {
		return l.index.pick(v)
	}
	return argmin(v, v.Eligible, func(s *ServerView) float64 { return float64(s.Outstanding+1) / s.Weight })
}

// JSQ is join-shortest-queue, the full-information baseline: each request
// goes to the eligible server with the shortest estimated queue
// (ServerView.Queue, which counts every balancer's requests as last reported
// by the server plus this node's requests since), per unit of weight, ties
// broken uniformly at random. With equal weights this is classic JSQ, and
// the servers are indexed by queue (a LoadWatcher), so a pick does not
// scan them; with unequal ones it is shortest expected delay,
// (queue+1)/weight, found by a scan.
type JSQ struct{ index loadIndex }

// Name returns NameJSQ.
func (*JSQ) Name() string { return NameJSQ }

// Update indexes the eligible servers by their estimated queues.
func (j *JSQ) Update(v *View) { j.index.rebuild(v, queueLen) }

// Changed re-files a server whose queue estimate changed.
func (j *JSQ) Changed(v *View, i int) { j.index.move(i, v.Servers[i].Queue()) }

func queueLen(s *ServerView) int { return s.Queue() }

// Pick returns the eligible server with the shortest estimated queue.
func (j *JSQ) Pick(v *View, _ uint64) int {
	if j.index.on {
		return j.index.pick(v)
	}
	return argmin(v, v.Eligible, queueScore)
}

func queueScore(s *ServerView) float64 { return float64(s.Queue()+1) / s.Weight }

// argmin returns the candidate with the smallest score, ties broken
// uniformly at random (reservoir sampling: the k-th tie replaces the choice
// with probability 1/k).
func argmin(v *View, cands []int, score func(*ServerView) float64) int {
	best, bestScore, ties := -1, 0.0, 0
	for _, i := range cands {
		s := score(&v.Servers[i])
		switch {
		case best < 0 || s < bestScore:
			best, bestScore, ties = i, s, 1
		case s == bestScore:
			ties++
			if v.Rand.IntN(ties) == 0 {
				best = i
			}
		}
	}
	return best
}

// PowerOfD is the power of d choices (Mitzenmacher; Vvedenskaya,
// Dobrushin and Karpelevich): each request samples D eligible servers
// uniformly at random and joins the one with the shortest estimated queue
// per unit of weight (as JSQ scores them). Two choices already cut the tail
// of the queue-length distribution from geometric to doubly exponential.
//
// By default the D servers are distinct (sampled without replacement), as
// Finagle and nginx sample, and with D at least the number of servers it is
// JSQ. With replacement, as the supermarket model of the theory assumes,
// the same server may be drawn twice, which wastes a choice with
// probability about D(D−1)/(2n): at n = 100, load 0.9 and D = 2 the mean
// time in system is about 0.5% longer. Each is tested against its own
// mean-field prediction with its 1/n correction.
type PowerOfD struct {
	d       int
	replace bool
	sample  []int
}

// NewPowerOfD returns a power-of-d balancer sampling d distinct servers;
// d 0 means DefaultD.
func NewPowerOfD(d int) (*PowerOfD, error) { return newPowerOfD(d, false) }

// NewPowerOfDWithReplacement returns a power-of-d balancer whose d draws
// are independent, so a server may be drawn twice; d 0 means DefaultD.
func NewPowerOfDWithReplacement(d int) (*PowerOfD, error) { return newPowerOfD(d, true) }

func newPowerOfD(d int, replace bool) (*PowerOfD, error) {
	if d == 0 {
		d = DefaultD
	}
	if d < 1 {
		return nil, fmt.Errorf("%w: d = %d (want at least 1)", ErrInvalidConfig, d)
	}
	return &PowerOfD{d: d, replace: replace}, nil
}

// Replacement reports whether the draws are with replacement.
func (p *PowerOfD) Replacement() bool { return p.replace }

// Name returns NamePowerOfD.
func (*PowerOfD) Name() string { return NamePowerOfD }

// D returns the number of choices.
func (p *PowerOfD) D() int { return p.d }

// Update does nothing: the node keeps the queue estimates.
func (*PowerOfD) Update(*View) {}

// Pick samples D eligible servers and returns the least loaded.
func (p *PowerOfD) Pick(v *View, _ uint64) int {
	n := len(v.Eligible)
	if p.replace {
		return p.pickReplacing(v)
	}
	if p.d >= n {
		return argmin(v, v.Eligible, queueScore)
	}
	if p.d == 2 {
		a, b := two(v)
		if queueScore(&v.Servers[b]) < queueScore(&v.Servers[a]) {
			return b
		}
		return a // a is the first of two uniform draws: a fair coin on ties
	}
	p.sample = floyd(v, p.d, p.sample[:0])
	return argmin(v, p.sample, queueScore)
}

// pickReplacing draws D eligible servers independently and returns the
// least loaded, the earliest drawn on a tie.
func (p *PowerOfD) pickReplacing(v *View) int {
	n := len(v.Eligible)
	best := v.Eligible[v.Rand.IntN(n)]
	score := queueScore(&v.Servers[best])
	for k := 1; k < p.d; k++ {
		i := v.Eligible[v.Rand.IntN(n)]
		if s := queueScore(&v.Servers[i]); s < score {
			best, score = i, s
		}
	}
	return best
}

// two draws two distinct eligible servers uniformly; there are at least two.
func two(v *View) (a, b int) {
	n := len(v.Eligible)
	i := v.Rand.IntN(n)
	j := v.Rand.IntN(n - 1)
	if j >= i {
		j++
	}
	return v.Eligible[i], v.Eligible[j]
}

// floyd appends to dst d distinct eligible servers chosen uniformly by
// Floyd's algorithm (d < len(v.Eligible)).
func floyd(v *View, d int, dst []int) []int {
	n := len(v.Eligible)
	for j := n - d; j < n; j++ {
		t := v.Rand.IntN(j + 1)
		pick := v.Eligible[t]
		if slices.Contains(dst, pick) {
			pick = v.Eligible[j]
		}
		dst = append(dst, pick)
	}
	return dst
}

// PeakEWMA is the balancer of Finagle and Linkerd: two random choices
// compared by a latency-aware cost. For each server it keeps cost, a moving
// average of round-trip times that jumps straight up to any larger
// observation ("peak") and otherwise decays with time constant τ, weighted
// by the time since the previous observation:
//
//	w = exp(−Δt/τ);  cost = rtt if rtt > cost, else cost·w + rtt·(1−w)
//
// Reading a server's load first observes a round-trip time of 0, so an idle
// slow server is slowly forgiven, and then returns cost·(outstanding+1); a
// server with no history but requests outstanding costs a large penalty
// plus its outstanding count, so it is probed once and then measured. It
// ignores weights. This is Finagle's PeakEwma.Metric (get observes 0.0
// before it reads, end observes the round trip; a failed request observes
// the time it took, here the timeout) and tower's PeakEwma behind Linkerd
// (load decays the estimate the same way), with their default τ of 10s.
type PeakEWMA struct {
	tau   float64 // nanoseconds
	cost  []float64
	stamp []sim.Time
}

// peakPenalty is Finagle's penalty for a server with no latency history:
// Long.MaxValue >> 16.
const peakPenalty = float64(math.MaxInt64 >> 16)

// NewPeakEWMA returns a peak-EWMA balancer with time constant decay; 0
// means DefaultDecay.
func NewPeakEWMA(decay time.Duration) (*PeakEWMA, error) {
	if decay == 0 {
		decay = DefaultDecay
	}
	if decay < 0 {
		return nil, fmt.Errorf("%w: decay %v is negative", ErrInvalidConfig, decay)
	}
	return &PeakEWMA{tau: float64(decay)}, nil
}

// Name returns NamePeakEWMA.
func (*PeakEWMA) Name() string { return NamePeakEWMA }

// Update makes room for servers the node has just heard of; their history
// starts empty. Servers it knew keep their history.
func (p *PeakEWMA) Update(v *View) {
	for len(p.cost) < len(v.Servers) {
		p.cost = append(p.cost, 0)
		p.stamp = append(p.stamp, v.Now)
	}
}

func (p *PeakEWMA) observe(i int, now sim.Time, rtt float64) {
	td := float64(now - p.stamp[i])
	if td < 0 {
		td = 0
	}
	w := detmath.Exp(-td / p.tau) // math.Exp's bits on amd64, on every architecture
	if rtt > p.cost[i] {
		p.cost[i] = rtt
	} else {
		p.cost[i] = float64(p.cost[i]*w) + float64(rtt*(1-w)) // rounded, never fused
	}
	p.stamp[i] = now
}

// Load returns server i's current cost, decaying it to now first, as
// Finagle's Metric.get does.
func (p *PeakEWMA) Load(v *View, i int) float64 {
	p.observe(i, v.Now, 0)
	out := float64(v.Servers[i].Outstanding)
	if p.cost[i] == 0 && out != 0 {
		return peakPenalty + out
	}
	return p.cost[i] * (out + 1)
}

// Pick compares two random eligible servers and returns the cheaper.
func (p *PeakEWMA) Pick(v *View, _ uint64) int {
	if len(v.Eligible) == 1 {
		return v.Eligible[0]
	}
	a, b := two(v)
	if p.Load(v, b) < p.Load(v, a) {
		return b
	}
	return a
}

// Observe folds a round-trip time into the server's cost.
func (p *PeakEWMA) Observe(v *View, server int, rtt time.Duration) {
	p.observe(server, v.Now, float64(rtt))
}

// ConsistentHash sends each request to the owner of its key under a chash
// algorithm whose members are the eligible servers, weighted by their
// weights (jump ignores weights). Requests for one key keep going to one
// server, which keeps that server's cache warm; when membership changes,
// only the keys the algorithm moves change servers.
//
// With bounded-load it bounds the requests in flight rather than keys, as
// HAProxy's hash-balance-factor (written at Vimeo) applies Mirrokni, Thorup and
// Zadimoghaddam's algorithm: a request goes to the first server
// clockwise from its key whose outstanding requests (this node's) are below
// ceil(c × (m+1) × w / W), m the node's requests outstanding in all, so no
// server holds more than about c times its share of them while each key
// keeps to its server when it can.
type ConsistentHash struct {
	h       chash.Hasher
	algo    string
	opts    chash.Options
	index   map[string]int     // member name -> server index
	weights map[string]float64 // member name -> weight it was added with
	bounded *chash.BoundedLoad // the ring walked, with bounded-load
	view    *View              // the latest view, for Owner under bounded-load
}

// NewConsistentHash returns a consistent-hash balancer over the named chash
// algorithm ("" means DefaultHash).
func NewConsistentHash(algo string, opts chash.Options) (*ConsistentHash, error) {
	if algo == "" {
		algo = DefaultHash
	}
	h, err := chash.New(algo, opts)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidConfig, err)
	}
	c := &ConsistentHash{h: h, algo: algo, opts: opts, index: map[string]int{}, weights: map[string]float64{}}
	c.bounded, _ = h.(*chash.BoundedLoad)
	return c, nil
}

// Name returns NameConsistentHash.
func (*ConsistentHash) Name() string { return NameConsistentHash }

// Hasher returns the underlying chash hasher, for inspection.
func (c *ConsistentHash) Hasher() chash.Hasher { return c.h }

// Update makes the hasher's members the eligible servers: it removes the
// servers that left, in ascending name order, then adds those that joined,
// in server order, so that only the keys the algorithm must move do move.
// A member whose weight changed is removed and added again. If the
// algorithm cannot remove a member (jump hash can only drop its last
// bucket), the hasher is rebuilt from scratch.
func (c *ConsistentHash) Update(v *View) {
	c.view = v
	want := make(map[string]float64, len(v.Eligible))
	for _, i := range v.Eligible {
		want[v.Servers[i].Name] = c.weight(v.Servers[i].Weight)
	}
	for _, m := range c.h.Members() { // ascending
		if w, ok := want[m]; !ok || w != c.weights[m] {
			if err := c.h.Remove(m); err != nil {
				c.rebuild(v, want)
				return
			}
			delete(c.weights, m)
		}
	}
	var joining []chash.Member
	for _, i := range v.Eligible {
		name := v.Servers[i].Name
		c.index[name] = i
		if _, ok := c.weights[name]; !ok {
			joining = append(joining, chash.Member{Name: name, Weight: want[name]})
			c.weights[name] = want[name]
		}
	}
	if err := addAll(c.h, joining); err != nil {
		panic(fmt.Sprintf("lb: consistent-hash add: %v", err)) // names are unique and weights valid
	}
}

// addAll adds members to h in one step where the algorithm can (a Maglev
// table is populated once, not once per member).
func addAll(h chash.Hasher, members []chash.Member) error {
	if b, ok := h.(chash.BulkAdder); ok && len(members) > 1 {
		return b.AddAll(members)
	}
	for _, m := range members {
		if err := h.Add(m.Name, m.Weight); err != nil {
			return err
		}
	}
	return nil
}

func (c *ConsistentHash) weight(w float64) float64 {
	if c.algo == chash.NameJump {
		return 1
	}
	return w
}

func (c *ConsistentHash) rebuild(v *View, want map[string]float64) {
	h, err := chash.New(c.algo, c.opts)
	if err != nil {
		panic(fmt.Sprintf("lb: rebuild %s hasher: %v", c.algo, err)) // it was built once already
	}
	c.h, c.weights = h, map[string]float64{}
	c.bounded, _ = h.(*chash.BoundedLoad)
	var members []chash.Member
	for _, i := range v.Eligible {
		name := v.Servers[i].Name
		members = append(members, chash.Member{Name: name, Weight: want[name]})
		c.weights[name] = want[name]
		c.index[name] = i
	}
	if err := addAll(c.h, members); err != nil {
		panic(fmt.Sprintf("lb: consistent-hash add: %v", err))
	}
}

// Pick returns the owner of key: its first server clockwise below the
// bound, with bounded-load.
func (c *ConsistentHash) Pick(v *View, key uint64) int {
	c.view = v
	if o := c.Owner(key); o >= 0 {
		return o
	}
	return v.Eligible[0] // unreachable: Update ran with a non-empty Eligible
}

// Owner returns the server a request for key goes to now (with
// bounded-load, under the loads of the latest view), or -1 when there are
// no members.
func (c *ConsistentHash) Owner(key uint64) int {
	if c.bounded != nil && c.view != nil {
		return c.boundedOwner(c.view, key)
	}
	m := c.h.Lookup(key)
	if m == "" {
		return -1
	}
	return c.index[m]
}

// boundedOwner walks the ring from key to the first server with fewer
// outstanding requests than ceil(c × (m+1) × w / W). One exists: the
// capacities sum to at least m+1.
func (c *ConsistentHash) boundedOwner(v *View, key uint64) int {
	m, total := 0, 0.0
	for _, i := range v.Eligible {
		m += v.Servers[i].Outstanding
		total += c.weights[v.Servers[i].Name]
	}
	lf := c.bounded.LoadFactor()
	for name := range c.bounded.Successors(key) {
		i := c.index[name]
		if capacity := math.Ceil(lf * float64(m+1) * c.weights[name] / total); float64(v.Servers[i].Outstanding) < capacity {
			return i
		}
	}
	return -1
}
