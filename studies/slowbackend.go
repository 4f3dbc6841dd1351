package studies

import (
	"context"
	"fmt"
	"io"

	"github.com/dsimlab/dsim/protocols/lb"
)

// SlowBackendScenario is the library scenario of the slow-backend
// experiment in Linkerd's "Beyond Round Robin: Load Balancing for Latency"
// (Jenson and Oanta, 2016).
const SlowBackendScenario = "lb-beyond-round-robin"

// Published is one balancer's success rate as the post reports it.
type Published struct {
	Spec    string  // the dsim balancer spec standing for it
	Name    string  // the post's name for it
	Success float64 // per cent of requests answered within the timeout
}

// SlowBackendPublished lists the post's balancers, its figures and the
// dsim balancers standing for them: Finagle's least-loaded is least
// outstanding requests (dsim's least-connections, and power-of-d for its
// power-of-two-choices form); peak-EWMA is Finagle's, with its 10 s decay.
var SlowBackendPublished = []Published{
	{lb.NameRoundRobin, "round-robin", 95.5},
	{lb.NameLeastConnections, "least-loaded", 99},
	{lb.NamePowerOfD, "least-loaded (two choices)", 99},
	{lb.NamePeakEWMA, "peak-EWMA", 99.9},
}

// SlowBackend runs the slow-backend experiment under each balancer of
// SlowBackendPublished with the given seeds.
func SlowBackend(ctx context.Context, seeds []uint64, jobs int) (*Balancers, error) {
	s, err := Catalog().Load(SlowBackendScenario)
	if err != nil {
		return nil, fmt.Errorf("slow backend: %w", err)
	}
	specs := make([]string, len(SlowBackendPublished))
	for i, p := range SlowBackendPublished {
		specs[i] = p.Spec
	}
	return CompareBalancers(ctx, s, specs, seeds, jobs)
}

// WriteSlowBackend writes the experiment's table in Markdown: each
// balancer's success rate with its interval beside the published one, and
// its p99 and p99.9 latency (timed-out requests at the 1 s timeout).
func WriteSlowBackend(w io.Writer, b *Balancers) error {
	t := b.Table
	fmt.Fprintf(w, "| balancer (%d seeds) | dsim | success (%%) | published | p99 (ms) | p99.9 (ms) |\n", len(t.Seeds))
	fmt.Fprintln(w, "|---|---|---|---|---|---|")
	for _, p := range SlowBackendPublished {
		failed, _ := t.Cell(p.Spec, "failed")
		p99, _ := t.Cell(p.Spec, "latency p99")
		p999, _ := t.Cell(p.Spec, "latency p99.9")
		success := failed.Mean
		success.Mean, success.Lo, success.Hi = 100-failed.Mean.Mean, 100-failed.Mean.Hi, 100-failed.Mean.Lo
		if _, err := fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s |\n", p.Name, p.Spec, interval(success),
			num(p.Success, 3), interval(p99.Mean), interval(p999.Mean)); err != nil {
			return fmt.Errorf("write slow backend: %w", err)
		}
	}
	return nil
}
