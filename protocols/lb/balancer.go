package lb

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/dsimlab/dsim/protocols/chash"
	"github.com/dsimlab/dsim/sim"
)

// Balancer names accepted by New.
const (
	NameRandom             = "random"               // Random: uniform over the eligible servers.
	NameRoundRobin         = "round-robin"          // RoundRobin: each eligible server in turn.
	NameWeightedRoundRobin = "weighted-round-robin" // WeightedRoundRobin: nginx's smooth weighted round-robin.
	NameLeastConnections   = "least-connections"    // LeastConnections: fewest own requests outstanding per unit of weight.
	NamePowerOfD           = "power-of-d"           // PowerOfD: shortest estimated queue among D random servers.
	NameJSQ                = "join-shortest-queue"  // JSQ: shortest estimated queue among all servers.
	NamePeakEWMA           = "peak-ewma"            // PeakEWMA: Finagle's latency-aware two choices.
	NameConsistentHash     = "consistent-hash"      // ConsistentHash: the key's owner under a chash algorithm.
)

// Defaults used when an Options field is zero.
const (
	// DefaultD is the number of random choices of power-of-d.
	DefaultD = 2
	// DefaultDecay is peak-ewma's time constant τ, Finagle's and Linkerd's
	// default: 10s.
	DefaultDecay = 10 * time.Second
	// DefaultHash is the chash algorithm behind consistent-hash.
	DefaultHash = chash.NameRing
)

// Errors returned by this package, always wrapped with context; test for
// them with errors.Is.
var (
	// ErrUnknownBalancer means New was given a name not listed by Names.
	ErrUnknownBalancer = errors.New("unknown balancer")
	// ErrInvalidConfig means an Options or Config field is out of range.
	ErrInvalidConfig = errors.New("invalid configuration")
)

// View is what a balancer node knows when it routes a request: its clock,
// its random stream, and its picture of every server it has heard of. The
// picture is built only from messages, so it is stale by at least the
// network delay. The node owns the View; a Balancer reads it and must not
// modify it.
type View struct {
	// Now is the balancer node's clock.
	Now sim.Time
	// Rand is the balancer node's random stream; balancers draw only from it.
	Rand *rand.Rand
	// Servers holds every server the node knows, indexed by server number
	// (n1 is 0). Servers that have not joined yet are absent from Eligible.
	Servers []ServerView
	// Eligible lists, in ascending order, the servers a request may go to:
	// members that are not ejected. Pick is never called with it empty.
	Eligible []int
}

// ServerView is a balancer node's picture of one server.
type ServerView struct {
	Name   string
	Weight float64 // relative capacity, positive; 1 for a nominal server
	// Outstanding is the number of this node's requests sent to the server
	// and neither answered nor timed out: the node's own connections.
	Outstanding int
	// Reported is the server's queue length (waiting plus in service, all
	// balancers' requests) in its latest report to this node.
	Reported int
	// Sent counts this node's requests to the server in the server's
	// current boot epoch; Acked is how many of them the server had received
	// when it made its latest report.
	Sent, Acked uint64
}

// Queue returns the node's estimate of the server's queue length: the
// latest reported length plus this node's requests that the report had not
// yet counted (still on the network when it was made). Completions since the
// report are unknown, so the estimate errs high by about the network delay's
// worth of service.
func (s *ServerView) Queue() int {
	q := s.Reported
	if s.Sent > s.Acked {
		q += int(s.Sent - s.Acked)
	}
	return q
}

// Balancer chooses a server for each request. Implementations are plain
// state machines owned by one balancer node: deterministic given the View,
// drawing randomness only from View.Rand.
type Balancer interface {
	// Name returns the balancer's name, as accepted by New.
	Name() string
	// Update is called before the first Pick and whenever the eligible set
	// or a weight changes, so the balancer can resize or rebuild its state.
	Update(v *View)
	// Pick returns the index in v.Servers of the server for a request with
	// the given key (a 64-bit hash; see chash.Mix64). It must return one of
	// v.Eligible, which is never empty.
	Pick(v *View, key uint64) int
}

// Observer is a Balancer that learns from each request's outcome: the node
// calls Observe with the server and the request's round-trip time, or the
// timeout for a request that timed out.
type Observer interface {
	Balancer
	Observe(v *View, server int, rtt time.Duration)
}

// KeyOwner is a Balancer whose choice depends only on the key and the
// membership: Owner returns the server a key maps to, or -1. The node uses
// it to measure how many keys move when membership changes.
type KeyOwner interface {
	Balancer
	Owner(key uint64) int
}

// Options holds the few parameters of the balancers; its zero value selects
// the defaults, and each balancer ignores the fields it does not use.
type Options struct {
	// D is the number of servers power-of-d samples per request, at least 1.
	// Zero means DefaultD.
	D int
	// Replace makes power-of-d draw its D servers with replacement (the
	// supermarket model's assumption); by default they are distinct.
	Replace bool
	// Decay is peak-ewma's time constant τ: an observation's weight falls by
	// e after τ. Zero means DefaultDecay.
	Decay time.Duration
	// Hash names the chash algorithm behind consistent-hash (see
	// chash.Names). Empty means DefaultHash.
	Hash string
	// HashOptions configures the chash algorithm.
	HashOptions chash.Options
}

var constructors = map[string]func(Options) (Balancer, error){
	NameRandom:             func(Options) (Balancer, error) { return &Random{}, nil },
	NameRoundRobin:         func(Options) (Balancer, error) { return &RoundRobin{}, nil },
	NameWeightedRoundRobin: func(Options) (Balancer, error) { return &WeightedRoundRobin{}, nil },
	NameLeastConnections:   func(Options) (Balancer, error) { return &LeastConnections{}, nil },
	NameJSQ:                func(Options) (Balancer, error) { return &JSQ{}, nil },
	NamePowerOfD:           func(o Options) (Balancer, error) { return newPowerOfD(o.D, o.Replace) },
	NamePeakEWMA:           func(o Options) (Balancer, error) { return NewPeakEWMA(o.Decay) },
	NameConsistentHash:     func(o Options) (Balancer, error) { return NewConsistentHash(o.Hash, o.HashOptions) },
}

// Names returns the balancer names accepted by New, in ascending order, in a
// new slice.
func Names() []string {
	names := make([]string, 0, len(constructors))
	for n := range constructors {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// New returns a fresh balancer of the named kind configured by opts. An
// unknown name fails with ErrUnknownBalancer, an out-of-range option with
// ErrInvalidConfig.
func New(name string, opts Options) (Balancer, error) {
	c, ok := constructors[name]
	if !ok {
		return nil, fmt.Errorf("%w %q (want one of %v)", ErrUnknownBalancer, name, Names())
	}
	b, err := c(opts)
	if err != nil {
		return nil, fmt.Errorf("balancer %s: %w", name, err)
	}
	return b, nil
}
