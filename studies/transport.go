package studies

import (
	"context"
	"fmt"
	"strconv"

	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/scenarios"
	"github.com/dsimlab/dsim/sim"
)

// TransportOptions says what TransportTable runs. Zero fields take the
// defaults given.
type TransportOptions struct {
	// Scenario is the transfer, a scenario of BulkProtocol; default the
	// embedded transport-bulk scenario: 1000 messages over log-normal latency (median 5ms, sigma
	// 0.5, so it reorders) and no duplication, so every duplicate the
	// reader sees comes from a retransmission.
	Scenario *scenarios.Scenario
	// Windows are the windows compared; default 1 (stop-and-wait), 8, 64.
	Windows []int
	// Losses are the links' drop probabilities; default 0, 0.1, 0.3.
	Losses []float64
	// RTOs are the timeout policies (see ParseRTO); default adaptive,
	// fixed:20ms (about twice the typical round trip, aggressive) and
	// fixed:200ms (conservative).
	RTOs []string
	// Messages, if positive, replaces the scenario's number of messages.
	Messages int
	// Seeds are the seeds every configuration runs; default 1 to 10.
	Seeds []uint64
	// Jobs is how many runs go side by side; 0 means one per CPU.
	Jobs int
}

func (o TransportOptions) withDefaults() (TransportOptions, error) {
	if o.Scenario == nil {
		s, err := Catalog().Load("transport-bulk")
		if err != nil {
			return o, err
		}
		o.Scenario = s
	}
	if o.Scenario.Protocol == nil || o.Scenario.Protocol.Name != "bulk" {
		return o, fmt.Errorf("%w: %s is not a bulk transfer scenario", ErrBadStudy, o.Scenario.Name)
	}
	if len(o.Windows) == 0 {
		o.Windows = []int{1, 8, 64}
	}
	if len(o.Losses) == 0 {
		o.Losses = []float64{0, 0.1, 0.3}
	}
	if len(o.RTOs) == 0 {
		o.RTOs = []string{"adaptive", "fixed:20ms", "fixed:200ms"}
	}
	if len(o.Seeds) == 0 {
		o.Seeds = SeedRange(1, 10)
	}
	for _, l := range o.Losses {
		if !(l >= 0 && l < 1) {
			return o, fmt.Errorf("%w: loss %v is outside [0, 1)", ErrBadStudy, l)
		}
	}
	for _, r := range o.RTOs {
		if _, err := ParseRTO(r); err != nil {
			return o, err
		}
	}
	return o, nil
}

// TransportTable runs a bulk transfer for every loss, window and timeout
// policy (the cases, in that order of nesting) with every seed, and
// tabulates goodput (messages per second from the dial to the last
// delivery), the writer's retransmissions and timeouts and the reader's
// spurious retransmissions (copies it already had, as D-SACK would report
// them), each per 100 messages, and the share of runs that delivered
// everything ("passed"). Connections survive 30 timeouts in a row, so that
// even 30% loss rarely breaks one.
func TransportTable(ctx context.Context, opts TransportOptions) (*Table, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	base := o.Scenario
	if o.Messages > 0 {
		base = Workload(func(wl *protocols.Workload) { wl.Ops = o.Messages })(base)
	}
	st := &Study{Name: "transport: bulk transfer of " + strconv.Itoa(base.Workload.Ops) + " messages",
		Axis: "loss, window, RTO", Base: base, Seeds: o.Seeds, Jobs: o.Jobs,
		Columns: []Column{{Metric: "goodput"}, {Metric: "retransmits"}, {Metric: "spurious"}, {Metric: "timeouts"},
			{Metric: "passed", Label: "complete"}}}
	for _, loss := range o.Losses {
		for _, window := range o.Windows {
			for _, rto := range o.RTOs {
				st.Cases = append(st.Cases, Case{Name: fmt.Sprintf("%g%%, %d, %s", 100*loss, window, rto),
					Changes: []Change{Link(func(l *sim.LinkConfig) { l.Drop = loss }),
						Param("window", window), Param("rto", rto)}})
			}
		}
	}
	return st.Run(ctx)
}
