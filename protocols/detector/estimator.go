package detector

import (
	"math"
	"time"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/dsimlab/dsim/sim"
	"github.com/dsimlab/dsim/sim/detmath"
)

// Estimator judges one monitored peer from the arrival times of its
// heartbeats: after each heartbeat it says when, if no other heartbeat
// comes, the peer should be suspected. Times are on the monitor's clock.
type Estimator interface {
	// Heartbeat records a heartbeat that arrived at time at.
	Heartbeat(at sim.Time)
	// SuspectAt returns when to suspect the peer if no heartbeat arrives
	// first.
	SuspectAt() sim.Time
	// Reset forgets what was learned, as at a start at time at: the peer
	// restarted, so the gap before its new heartbeats says nothing about
	// their rhythm.
	Reset(at sim.Time)
}

// FixedTimeout suspects a peer when Timeout has passed since its latest
// heartbeat (or since Start, before the first).
type FixedTimeout struct {
	Timeout time.Duration
	last    sim.Time
}

// NewFixedTimeout returns a fixed-timeout estimator started at time start.
func NewFixedTimeout(timeout time.Duration, start sim.Time) *FixedTimeout {
	return &FixedTimeout{Timeout: timeout, last: start}
}

// Heartbeat records a heartbeat.
func (f *FixedTimeout) Heartbeat(at sim.Time) { f.last = max(f.last, at) }

// Reset restarts the timeout at time at.
func (f *FixedTimeout) Reset(at sim.Time) { f.last = at }

// SuspectAt returns the latest heartbeat's time plus Timeout.
func (f *FixedTimeout) SuspectAt() sim.Time { return f.last.Add(f.Timeout) }

// PhiConfig configures a phi-accrual estimator.
type PhiConfig struct {
	// Threshold is the suspicion level φ at which the peer is suspected:
	// φ = 8 means a heartbeat as late as this would come with probability
	// 10⁻⁸ under the learned inter-arrival distribution.
	Threshold float64
	// Window is how many recent inter-arrival times are learned from.
	Window int
	// MinStdDev floors the learned standard deviation, so a perfectly
	// regular history does not make every jitter a suspicion.
	MinStdDev time.Duration
	// AcceptablePause is added to the learned mean: a pause this long is
	// never suspicious by itself (Akka's acceptable-heartbeat-pause).
	AcceptablePause time.Duration
	// FirstEstimate is the inter-arrival time assumed before any was
	// measured (normally the heartbeat interval): the history starts with
	// two samples, a quarter of it below and above, as in Akka.
	FirstEstimate time.Duration
}

// PhiAccrual is the φ-accrual failure detector of Hayashibara, Défago,
// Yared and Katayama (2004), as Akka and Cassandra use it: it learns the
// distribution of heartbeat inter-arrival times, approximated by a normal
// distribution with the window's mean μ and standard deviation σ, and
// expresses how late the next heartbeat is as
//
//	φ(Δ) = −log₁₀(1 − F(Δ)),  Δ = now − latest heartbeat
//
// where F is the normal CDF with mean μ + AcceptablePause. The peer is
// suspected when φ reaches Threshold, that is when
//
//	Δ = μ + AcceptablePause − σ · Φ⁻¹(10^−Threshold)
//
// (Φ⁻¹ the standard normal quantile), which SuspectAt returns exactly, so
// the monitor needs no polling.
//
// Every float on the way to SuspectAt's time is computed the same on every
// architecture: Φ⁻¹(10^−Threshold) through sim/detmath (gonum's
// UnitNormal.Quantile and math.Pow on amd64, bit for bit), and every
// product rounded by an explicit conversion before it is added, so that no
// compiler fuses μ + σ·z or Σx²/n − μ² into one multiply-add.
type PhiAccrual struct {
	cfg       PhiConfig
	z         float64 // -Φ⁻¹(10^-threshold) > 0
	intervals []float64
	next      int
	n         int
	sum, sq   float64
	last      sim.Time
	seen      bool
}

// NewPhiAccrual returns a φ-accrual estimator started at time start.
func NewPhiAccrual(cfg PhiConfig, start sim.Time) *PhiAccrual {
	if cfg.Window < 2 {
		cfg.Window = 2
	}
	z := -detmath.NormalQuantile(detmath.Pow(10, -cfg.Threshold))
	p := &PhiAccrual{cfg: cfg, z: z, intervals: make([]float64, cfg.Window)}
	p.Reset(start)
	return p
}

// Reset forgets the learned intervals and starts again at time at.
func (p *PhiAccrual) Reset(at sim.Time) {
	clear(p.intervals)
	p.next, p.n, p.sum, p.sq = 0, 0, 0, 0
	p.last, p.seen = at, false
	est := float64(p.cfg.FirstEstimate)
	p.learn(est - est/4)
	p.learn(est + est/4)
}

func (p *PhiAccrual) learn(x float64) {
	if p.n == len(p.intervals) {
		old := p.intervals[p.next]
		p.sum -= old
		p.sq -= float64(old * old)
	} else {
		p.n++
	}
	p.intervals[p.next] = x
	p.next = (p.next + 1) % len(p.intervals)
	p.sum += x
	p.sq += float64(x * x)
}

// Heartbeat records a heartbeat and learns the interval since the previous
// one.
func (p *PhiAccrual) Heartbeat(at sim.Time) {
	if at <= p.last && p.seen {
		return
	}
	if p.seen {
		p.learn(float64(at - p.last))
	}
	p.last, p.seen = at, true
}

// params returns the learned mean and standard deviation, in nanoseconds.
func (p *PhiAccrual) params() (mu, sigma float64) {
	mu = p.sum / float64(p.n)
	sigma = math.Sqrt(max(0, p.sq/float64(p.n)-float64(mu*mu)))
	return mu + float64(p.cfg.AcceptablePause), max(sigma, float64(p.cfg.MinStdDev))
}

// SuspectAt returns when φ reaches the threshold if no heartbeat comes.
func (p *PhiAccrual) SuspectAt() sim.Time {
	mu, sigma := p.params()
	return p.last + sim.Time(mu+float64(sigma*p.z))
}

// Phi returns the suspicion level at time now: +Inf when the heartbeat is
// so late that its probability underflows. It is for tests and
// explanations: the monitor decides by SuspectAt and never calls it, so it
// may use gonum's normal distribution and math.Log10, whose last bits
// differ between architectures.
func (p *PhiAccrual) Phi(now sim.Time) float64 {
	mu, sigma := p.params()
	s := distuv.Normal{Mu: mu, Sigma: sigma}.Survival(float64(now - p.last))
	return -math.Log10(s)
}
