package lb

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/dsimlab/dsim/protocols/chash"
	"github.com/dsimlab/dsim/sim"
)

// Service-time distributions a Config can draw request sizes from.
const (
	ServiceExponential = "exponential" // memoryless: M/M/1 queues under random routing
	ServiceLogNormal   = "lognormal"   // median below the mean, long right tail (shape Sigma)
	ServicePareto      = "pareto"      // power-law tail (index Alpha); the variance is infinite for Alpha <= 2
	ServiceConstant    = "constant"    // every request is Mean: M/D/c queues
	ServiceNormal      = "normal"      // normal with mean Mean and deviation StdDev, truncated to positive sizes
)

// Serving disciplines of a server.
const (
	// DisciplineFIFO serves up to Workers requests at a time in arrival
	// order, the others waiting: an M/G/c queue under random routing.
	DisciplineFIFO = "fifo"
	// DisciplinePS shares the server among every request present
	// (processor sharing): with n present, each is served at speed ×
	// min(1, Workers/n); with Unlimited workers each gets the full speed.
	DisciplinePS = "ps"
)

// Arrival processes of the open loop.
const (
	ArrivalsPoisson       = "poisson"       // exponential gaps
	ArrivalsDeterministic = "deterministic" // a request every 1/rate exactly
)

// Variants of the balancer node, for the bug zoo: each breaks the node's
// bookkeeping in one realistic way that the accounting check must catch.
const (
	VariantCorrect       = "correct"         // the node as designed
	VariantCountLate     = "count-late"      // a response arriving after its request timed out is counted as completed too
	VariantLeakOnTimeout = "leak-on-timeout" // a timeout does not release the server's outstanding count
)

// Variants lists the variant names, the correct one first.
func Variants() []string { return []string{VariantCorrect, VariantCountLate, VariantLeakOnTimeout} }

// DefaultLink is the network of a Config whose Link is unset: a uniform
// one-way delay between 50µs and 150µs, a tenth of the default 1ms service
// time, as between machines in one data centre.
var DefaultLink = sim.LinkConfig{Latency: sim.Uniform(50*time.Microsecond, 150*time.Microsecond)}

// Service is the distribution of request sizes, in time of work at speed 1.
// A server of speed s serves a request of size x in x/s.
type Service struct {
	Kind   string        // ServiceExponential (default), ServiceLogNormal, ServicePareto, ServiceConstant or ServiceNormal
	Mean   time.Duration // mean size (the normal's before truncation); default 1ms
	Sigma  float64       // log-normal shape, the standard deviation of the log; default 1
	Alpha  float64       // Pareto tail index, greater than 1 so the mean exists; default 2.5
	StdDev time.Duration // normal: standard deviation; default Mean/4
}

// ServerSpec describes one server.
type ServerSpec struct {
	// Name is the node name; default n1, n2, ... by position.
	Name string
	// Speed is the server's rate of work relative to nominal: a server of
	// speed 2 serves twice as fast. Default 1.
	Speed float64
	// Weight is the weight balancers see; default Speed.
	Weight float64
	// JoinAt, if positive, makes the server a spare that announces itself
	// to the balancers at that time (an added server); before that the
	// balancers do not know it.
	JoinAt time.Duration
}

// Slowdown slows a server down from At until Until (0: the end of the
// run): its speed is divided by Factor, or, with Service set, every
// request whose service starts in the window takes Service (at full
// share) whatever its size, as a backend that answers in 2 s does. Where
// windows of one server overlap, the later-starting one applies. A
// request's service time under FIFO is set by the speed when its service
// starts; processor sharing follows the speed as it changes.
type Slowdown struct {
	Server  string
	At      time.Duration
	Until   time.Duration
	Factor  float64
	Service time.Duration
}

// FaultKind names a fault a Config can schedule.
type FaultKind string

// The faults a Config can schedule. Scenario files schedule the same ones
// (and more) with their faults list.
const (
	FaultCrash   FaultKind = "crash"   // crash the server: its queue is lost, its requests time out
	FaultRestart FaultKind = "restart" // restart it with an empty queue; it announces itself again
)

// Fault is a crash or restart of a server at a fixed time.
type Fault struct {
	At     time.Duration
	Kind   FaultKind
	Server string
}

// Config is a complete request-serving experiment: servers, balancer nodes,
// workload, network and faults. Build adds it to a World. Zero fields take
// the defaults documented on each.
type Config struct {
	// Balancer names the algorithm every balancer node runs (see Names), or
	// a spec with an argument (see ParseSpec). Default power-of-d.
	Balancer string
	// Options configures the balancer.
	Options Options
	// Servers lists the servers, spares included. Default: 10 nominal servers.
	Servers []ServerSpec
	// Clients is the number of balancer nodes, c1, c2, ...; each generates
	// its share of the requests and routes them. Default 1.
	Clients int
	// Service is the distribution of request sizes.
	Service Service
	// Workers is how many requests a server serves at once (c of M/M/c),
	// default 1; Unlimited serves every request present at once (an
	// infinite-server queue under FIFO, full speed for each under
	// processor sharing), as a backend that only waits does.
	Workers int
	// Discipline is DisciplineFIFO (default) or DisciplinePS.
	Discipline string
	// Arrivals is the open loop's arrival process, ArrivalsPoisson
	// (default) or ArrivalsDeterministic.
	Arrivals string
	// Load, if positive, sets the open-loop arrival rate so that the initial
	// servers are this busy on average: λ = Load × Σ speed × workers /
	// Service.Mean in all (workers counted as 1 when unlimited), shared
	// evenly by the clients. Rate is then ignored.
	Load float64
	// Rate is the open-loop Poisson arrival rate per client, in requests per
	// second, when Load is 0. With both 0 the clients run a closed loop.
	Rate float64
	// Concurrency is the closed loop's requests in flight per client: each
	// completion or timeout is followed, after Think, by a new request.
	// Default 1.
	Concurrency int
	// Think is the closed loop's pause between a response and the next
	// request.
	Think time.Duration
	// Requests is the number of requests in all, shared by the clients
	// (the first Requests%Clients issue one more). 0: until the run ends
	// (Duration must then be set).
	Requests int
	// Keys is the number of distinct request keys, for consistent hashing
	// and caches; keys are drawn uniformly, or by Zipf's law when Zipf > 1.
	// Default 1.
	Keys int
	// Zipf is the Zipf exponent of key popularity, greater than 1, or 0 for
	// uniform keys.
	Zipf float64
	// Timeout is how long a balancer waits for a response before counting
	// the request as failed. Default 1s.
	Timeout time.Duration
	// Warmup excludes requests sent before it from latency statistics and
	// the first Warmup of the run from utilisation, so that the empty
	// start does not bias them.
	Warmup time.Duration
	// Duration is the run length; 0 runs until every request is answered
	// or has timed out.
	Duration time.Duration
	// Link is the network between every pair of nodes, for a program that
	// builds the World (Build leaves the World's network as it is); the
	// zero value means DefaultLink.
	Link sim.LinkConfig
	// ReportInterval, if positive, makes each server send its queue length
	// to every balancer node at most this often while it changes, besides
	// the report carried by every response.
	ReportInterval time.Duration
	// EjectAfter, if positive, makes a balancer node eject a server after
	// that many consecutive timeouts (passive health checking, as Envoy's
	// outlier detection does) for EjectFor; default EjectFor 1s. Ejection
	// never empties the pool: with every member ejected, all are eligible.
	EjectAfter int
	EjectFor   time.Duration
	// CacheKeys, if positive, gives each server a cache of that many keys
	// (CLOCK replacement): a request whose key misses takes MissFactor
	// times longer (default 4). Lost in a crash.
	CacheKeys  int
	MissFactor float64
	// Slowdowns slow servers down mid-run.
	Slowdowns []Slowdown
	// Faults crashes and restarts servers mid-run (scenario files have
	// their own faults list).
	Faults []Fault
	// History records every request as an operation in the run's history
	// (input Call, output Reply), for timelines. It costs several times
	// the run time.
	History bool
	// Variant selects a bug-zoo variant of the balancer node; default
	// VariantCorrect.
	Variant string
}

// ParseSpec splits a balancer spec, "name" or "name:arg", into a name and
// options over base. The argument is D for power-of-d ("power-of-d:3"; with
// ":replace" the draws are with replacement, "power-of-d:2:replace"),
// the chash algorithm for consistent-hash ("consistent-hash:maglev") and
// the decay for peak-ewma ("peak-ewma:1s").
func ParseSpec(spec string, base Options) (string, Options, error) {
	name, arg, has := strings.Cut(spec, ":")
	opts := base
	if _, ok := constructors[name]; !ok {
		return "", opts, fmt.Errorf("%w %q (want one of %v)", ErrUnknownBalancer, name, Names())
	}
	if !has {
		return name, opts, nil
	}
	bad := func(want string) error {
		return fmt.Errorf("%w: balancer spec %q: want %s after the colon", ErrInvalidConfig, spec, want)
	}
	switch name {
	case NamePowerOfD:
		num, how, replace := strings.Cut(arg, ":")
		d, err := strconv.Atoi(num)
		if err != nil || d < 1 || (replace && how != "replace") {
			return "", opts, bad("a number of choices, e.g. power-of-d:3, or power-of-d:2:replace for draws with replacement")
		}
		opts.D, opts.Replace = d, replace
	case NameConsistentHash:
		if !slices.Contains(chash.Names(), arg) {
			return "", opts, bad(fmt.Sprintf("a chash algorithm (%s)", strings.Join(chash.Names(), ", ")))
		}
		opts.Hash = arg
	case NamePeakEWMA:
		d, err := time.ParseDuration(arg)
		if err != nil || d <= 0 {
			return "", opts, bad("a decay time, e.g. peak-ewma:1s")
		}
		opts.Decay = d
	default:
		return "", opts, fmt.Errorf("%w: balancer %s takes no argument (spec %q)", ErrInvalidConfig, name, spec)
	}
	return name, opts, nil
}

// normalized returns c with defaults filled in, or an error wrapping
// ErrInvalidConfig that names the field.
func (c Config) normalized() (Config, error) {
	bad := func(format string, args ...any) (Config, error) {
		return c, fmt.Errorf("%w: %s", ErrInvalidConfig, fmt.Sprintf(format, args...))
	}
	if c.Balancer == "" {
		c.Balancer = NamePowerOfD
	}
	name, opts, err := ParseSpec(c.Balancer, c.Options)
	if err != nil {
		return c, err
	}
	if _, err := New(name, opts); err != nil {
		return c, err
	}
	if len(c.Servers) == 0 {
		c.Servers = make([]ServerSpec, 10)
	}
	c.Servers = slices.Clone(c.Servers)
	names := map[string]bool{}
	initial := 0
	for i := range c.Servers {
		s := &c.Servers[i]
		if s.Name == "" {
			s.Name = fmt.Sprintf("n%d", i+1)
		}
		if names[s.Name] {
			return bad("server name %q is used twice", s.Name)
		}
		names[s.Name] = true
		if s.Speed == 0 {
			s.Speed = 1
		}
		if s.Weight == 0 {
			s.Weight = s.Speed
		}
		if !(s.Speed > 0) || math.IsInf(s.Speed, 0) || !(s.Weight > 0) || math.IsInf(s.Weight, 0) {
			return bad("server %s: speed %v and weight %v must be positive and finite", s.Name, s.Speed, s.Weight)
		}
		if s.JoinAt < 0 {
			return bad("server %s: join time %v is negative", s.Name, s.JoinAt)
		}
		if s.JoinAt == 0 {
			initial++
		}
	}
	if initial == 0 {
		return bad("every server is a spare: at least one must be there from the start")
	}
	if c.Clients == 0 {
		c.Clients = 1
	}
	if c.Clients < 0 {
		return bad("clients = %d (want at least 1)", c.Clients)
	}
	if c.Service.Kind == "" {
		c.Service.Kind = ServiceExponential
	}
	if c.Service.Mean == 0 {
		c.Service.Mean = time.Millisecond
	}
	if c.Service.Sigma == 0 {
		c.Service.Sigma = 1
	}
	if c.Service.Alpha == 0 {
		c.Service.Alpha = 2.5
	}
	if c.Service.StdDev == 0 {
		c.Service.StdDev = c.Service.Mean / 4
	}
	if !slices.Contains(ServiceKinds(), c.Service.Kind) {
		return bad("service %q (want one of %v)", c.Service.Kind, ServiceKinds())
	}
	if c.Service.Mean < 0 || c.Service.Sigma < 0 || c.Service.StdDev < 0 || (c.Service.Kind == ServicePareto && !(c.Service.Alpha > 1)) {
		return bad("service: mean %v and stddev %v must be positive, sigma %v positive, alpha %v above 1",
			c.Service.Mean, c.Service.StdDev, c.Service.Sigma, c.Service.Alpha)
	}
	if err := c.serverModel(); err != nil {
		return c, err
	}
	if c.Load < 0 || c.Rate < 0 || math.IsNaN(c.Load) || math.IsNaN(c.Rate) {
		return bad("load %v and rate %v must not be negative", c.Load, c.Rate)
	}
	if c.Concurrency == 0 {
		c.Concurrency = 1
	}
	if c.Concurrency < 0 || c.Think < 0 || c.Requests < 0 || c.Warmup < 0 || c.Duration < 0 ||
		c.ReportInterval < 0 || c.EjectAfter < 0 || c.EjectFor < 0 || c.CacheKeys < 0 {
		return bad("concurrency, think, requests, warmup, duration, report interval, eject and cache settings must not be negative")
	}
	if c.Keys == 0 {
		c.Keys = 1
	}
	if c.Keys < 0 || (c.Zipf != 0 && !(c.Zipf > 1)) {
		return bad("keys = %d must be positive and zipf %v greater than 1 (or 0 for uniform)", c.Keys, c.Zipf)
	}
	if c.Timeout == 0 {
		c.Timeout = time.Second
	}
	if c.Timeout < 0 {
		return bad("timeout %v is negative", c.Timeout)
	}
	if c.Requests == 0 && c.Duration == 0 {
		return bad("set requests or duration: the run would never end")
	}
	if c.Link.Latency.Kind == "" {
		c.Link = DefaultLink
	}
	if err := c.Link.Validate(); err != nil {
		return bad("link: %v", err)
	}
	if c.EjectFor == 0 {
		c.EjectFor = time.Second
	}
	if c.MissFactor == 0 {
		c.MissFactor = 4
	}
	if !(c.MissFactor >= 1) {
		return bad("miss factor %v is below 1", c.MissFactor)
	}
	for _, s := range c.Slowdowns {
		if !names[s.Server] {
			return bad("slowdown of unknown server %q", s.Server)
		}
		if s.Factor < 0 || s.Service < 0 || s.At < 0 || (s.Until != 0 && s.Until <= s.At) || (s.Factor == 0) == (s.Service == 0) {
			return bad("slowdown of %s: want a positive factor or a service time (not both), and a window %v to %v that is not empty",
				s.Server, s.At, s.Until)
		}
	}
	for _, f := range c.Faults {
		if !names[f.Server] {
			return bad("%s of unknown server %q", f.Kind, f.Server)
		}
		if f.Kind != FaultCrash && f.Kind != FaultRestart {
			return bad("fault kind %q (want crash or restart)", f.Kind)
		}
	}
	if c.Variant == "" {
		c.Variant = VariantCorrect
	}
	if !slices.Contains(Variants(), c.Variant) {
		return bad("variant %q (want one of %v)", c.Variant, Variants())
	}
	return c, nil
}

// ServiceKinds lists the service-time distributions.
func ServiceKinds() []string {
	return []string{ServiceExponential, ServiceLogNormal, ServicePareto, ServiceConstant, ServiceNormal}
}

// serverModel fills in and checks the discipline, workers and arrivals.
func (c *Config) serverModel() error {
	if c.Discipline == "" {
		c.Discipline = DisciplineFIFO
	}
	if c.Arrivals == "" {
		c.Arrivals = ArrivalsPoisson
	}
	if c.Workers == 0 {
		c.Workers = 1
	}
	switch {
	case c.Discipline != DisciplineFIFO && c.Discipline != DisciplinePS:
		return fmt.Errorf("%w: discipline %q (want %s or %s)", ErrInvalidConfig, c.Discipline, DisciplineFIFO, DisciplinePS)
	case c.Workers < Unlimited || c.Workers > maxWorkers:
		return fmt.Errorf("%w: workers = %d (want 1 to %d, or Unlimited)", ErrInvalidConfig, c.Workers, maxWorkers)
	case c.Arrivals != ArrivalsPoisson && c.Arrivals != ArrivalsDeterministic:
		return fmt.Errorf("%w: arrivals %q (want %s or %s)", ErrInvalidConfig, c.Arrivals, ArrivalsPoisson, ArrivalsDeterministic)
	}
	return nil
}

// Unlimited is the Workers of a server that serves every request present
// at once.
const Unlimited = -1

// free reports whether a server with busy requests in service can start
// another.
func (c *Config) free(busy int) bool { return c.Workers == Unlimited || busy < c.Workers }

// maxWorkers bounds Workers, so that a typo cannot ask for a billion
// service slots.
const maxWorkers = 1 << 20

// capacity returns the work per second of the initial servers.
func (c *Config) capacity() float64 {
	total := 0.0
	for _, s := range c.Servers {
		if s.JoinAt == 0 {
			total += s.Speed
		}
	}
	return total * float64(max(c.Workers, 1)) / c.Service.Mean.Seconds()
}

// clientRate returns the open-loop arrival rate per client (0: closed loop).
func (c *Config) clientRate() float64 {
	if c.Load > 0 {
		return c.Load * c.capacity() / float64(c.Clients)
	}
	return c.Rate
}
