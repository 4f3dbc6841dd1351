package lb

import (
	"time"

	"github.com/dsimlab/dsim/sim"
	"github.com/dsimlab/dsim/stats"
)

// recorder is the run's measurement sink; its memory does not grow with
// the number of requests (latencies go into sketches). Nodes write what they observe
// into it, the way clients write operations into the kernel's history;
// nothing reads it during the run, so it never influences behaviour, and it
// survives crashes, as measurements taken from outside the nodes would.
type recorder struct {
	warmup   sim.Time
	latency  stats.Sketch // ms, end-to-end, requests sent at or after warmup and answered
	sojourn  stats.Sketch // ms, at the server, same requests
	timedOut int          // requests sent at or after warmup that timed out
	servers  []serverRec
	clients  []clientRec
	moves    []Move
	last     sim.Time // the latest arrival or departure at any server
}

// serverRec counts one server's work. Arrivals, served, busy and area count
// only requests that reached the server at or after warmup; total counts
// every request served.
type serverRec struct {
	arrivals, served, total int
	busy, area              float64 // ns: Σ service times, Σ sojourn times
	maxQueue                int
	hits, misses            int
}

// clientRec counts one balancer node's requests.
type clientRec struct {
	issued, completed, failed, late, noServer int
}

// Move records a membership change seen by one balancer node running a
// KeyOwner balancer, and the fraction of the workload's keys whose server
// changed with it.
type Move struct {
	At       time.Duration `json:"at_ns"`
	Balancer string        `json:"balancer"` // the node, e.g. c1
	Change   string        `json:"change"`   // e.g. "+n11 joined", "-n3 ejected"
	Members  int           `json:"members"`  // eligible servers after the change
	Moved    float64       `json:"moved"`    // fraction of keys, 0 to 1
	// Ideal is the least fraction any consistent hashing must move: the
	// joining or leaving servers' share of the weight.
	Ideal float64 `json:"ideal"`
}

func (r *recorder) arrival(server, queue int, now sim.Time) {
	s := &r.servers[server]
	r.last = max(r.last, now)
	if now >= r.warmup {
		s.arrivals++
	}
	if queue > s.maxQueue {
		s.maxQueue = queue
	}
}

func (r *recorder) served(server int, arrived sim.Time, sojourn, service time.Duration, hit, cached bool) {
	s := &r.servers[server]
	s.total++
	r.last = max(r.last, arrived.Add(sojourn))
	if arrived < r.warmup {
		return
	}
	s.served++
	s.busy += float64(service)
	s.area += float64(sojourn)
	if cached {
		if hit {
			s.hits++
		} else {
			s.misses++
		}
	}
}

func (r *recorder) answered(sent sim.Time, rtt, sojourn time.Duration) {
	if sent < r.warmup {
		return
	}
	r.latency.Add(float64(rtt) / 1e6)
	r.sojourn.Add(float64(sojourn) / 1e6)
}

func (r *recorder) expired(sent sim.Time) {
	if sent >= r.warmup {
		r.timedOut++
	}
}
