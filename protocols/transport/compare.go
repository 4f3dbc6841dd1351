package transport

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/dsimlab/dsim/sim"
	"github.com/dsimlab/dsim/stats"
)

// ErrBadComparison reports unusable CompareOptions.
var ErrBadComparison = errors.New("bad transport comparison")

// CompareOptions says what Compare runs. Zero fields take the defaults
// given.
type CompareOptions struct {
	// Windows are the windows compared; default 1 (stop-and-wait), 8, 64.
	Windows []int
	// Losses are the links' drop probabilities; default 0, 0.1, 0.3.
	Losses []float64
	// RTOs are the timeout policies: "adaptive" (Jacobson/Karels, starting
	// at 100ms) or "fixed:DURATION" (always that, doubled by backoff);
	// default adaptive, fixed:20ms (about twice the typical round trip,
	// aggressive) and fixed:200ms (conservative).
	RTOs []string
	// Seeds are the seeds each configuration runs with; default 1 to 10.
	Seeds []uint64
	// Messages is how many messages each run delivers over one
	// connection, written all at once; default 1000.
	Messages int
	// Latency is the one-way latency of both directions; default
	// log-normal with median 5ms and sigma 0.5 (it reorders).
	Latency sim.Latency
	// Level is the confidence level of the intervals; default 0.95.
	Level float64
}

func (o CompareOptions) withDefaults() (CompareOptions, error) {
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
		for s := uint64(1); s <= 10; s++ {
			o.Seeds = append(o.Seeds, s)
		}
	}
	if o.Messages == 0 {
		o.Messages = 1000
	}
	if o.Latency.Kind == "" {
		o.Latency = sim.LogNormal(5*time.Millisecond, 0.5)
	}
	if o.Level == 0 {
		o.Level = 0.95
	}
	if o.Messages < 1 || !(o.Level > 0 && o.Level < 1) {
		return o, fmt.Errorf("%w: messages %d and level %v", ErrBadComparison, o.Messages, o.Level)
	}
	for _, l := range o.Losses {
		if !(l >= 0 && l < 1) {
			return o, fmt.Errorf("%w: loss %v is outside [0, 1)", ErrBadComparison, l)
		}
	}
	for _, r := range o.RTOs {
		if _, err := parseRTO(r); err != nil {
			return o, err
		}
	}
	return o, nil
}

// parseRTO turns "adaptive" or "fixed:DURATION" into a Config's timeout
// fields.
func parseRTO(spec string) (Config, error) {
	if spec == "adaptive" {
		return Config{InitialRTO: 100 * time.Millisecond}, nil
	}
	if d, ok := strings.CutPrefix(spec, "fixed:"); ok {
		if v, err := time.ParseDuration(d); err == nil && v > 0 {
			return Config{InitialRTO: v, MinRTO: min(v, DefaultConfig.MinRTO), FixedRTO: true}, nil
		}
	}
	return Config{}, fmt.Errorf("%w: RTO policy %q (want adaptive or fixed:DURATION, e.g. fixed:50ms)", ErrBadComparison, spec)
}

// CompareRow is one configuration's figures: means over the seeds with their
// confidence intervals.
type CompareRow struct {
	Window int
	Loss   float64
	RTO    string
	// Goodput is messages delivered per second of simulated time, from the
	// dial to the last delivery.
	Goodput stats.Interval
	// Retransmits is the writer's retransmissions per 100 messages.
	Retransmits stats.Interval
	// Spurious is the retransmissions per 100 messages that reached the
	// reader when it already had the message (as D-SACK would report).
	Spurious stats.Interval
	// Timeouts is the writer's retransmission timeouts per 100 messages.
	Timeouts stats.Interval
	// Incomplete counts the runs that did not deliver everything (the
	// connection broke).
	Incomplete int
}

// CompareTable is the result of Compare.
type CompareTable struct {
	Options CompareOptions
	Rows    []CompareRow
}

// CompareRun is one run of the comparison: a bulk transfer of messages over
// one connection between two nodes, with the network's loss on both
// directions and no duplication (so every duplicate the reader sees comes
// from a retransmission).
func CompareRun(cfg Config, latency sim.Latency, loss float64, messages int, seed uint64) (goodput float64, writer, reader Stats, complete bool, err error) {
	w, err := sim.New(sim.Config{Seed: seed, Link: sim.LinkConfig{Latency: latency, Drop: loss}})
	if err != nil {
		return 0, Stats{}, Stats{}, false, fmt.Errorf("compare: %w", err)
	}
	if err := cfg.Validate(); err != nil {
		return 0, Stats{}, Stats{}, false, fmt.Errorf("compare: %w", err)
	}
	wn := &bulkWriter{cfg: cfg, total: messages}
	rn := &bulkReader{cfg: cfg, total: messages}
	w.MustAddNode("writer", func() sim.Node { return wn })
	w.MustAddNode("reader", func() sim.Node { return rn })
	w.RunUntil(sim.Time(time.Hour))
	if rn.got == 0 {
		return 0, wn.ep.Stats(), rn.ep.Stats(), false, nil
	}
	return float64(rn.got) / time.Duration(rn.last).Seconds(), wn.ep.Stats(), rn.ep.Stats(), rn.got == messages, nil
}

// bulkWriter dials node 1 and writes total messages at once.
type bulkWriter struct {
	cfg   Config
	ep    *Endpoint
	total int
}

func (b *bulkWriter) Start(ctx *sim.Context) {
	b.ep = mustEndpoint(b.cfg, b)
	b.ep.Start(ctx)
	c := b.ep.Dial(ctx, 1)
	for i := 0; i < b.total; i++ {
		_ = c.Write(ctx, i)
	}
}
func (b *bulkWriter) Receive(ctx *sim.Context, from sim.NodeID, msg any) {
	b.ep.Receive(ctx, from, msg)
}
func (b *bulkWriter) Timer(ctx *sim.Context, tag any)   { b.ep.Timer(ctx, tag) }
func (b *bulkWriter) Open(*sim.Context, *Conn)          {}
func (b *bulkWriter) Deliver(*sim.Context, *Conn, any)  {}
func (b *bulkWriter) Closed(*sim.Context, *Conn, error) {}

// bulkReader counts deliveries and stops the run at the last.
type bulkReader struct {
	cfg   Config
	ep    *Endpoint
	total int
	got   int
	last  sim.Time
}

func (b *bulkReader) Start(ctx *sim.Context) {
	b.ep = mustEndpoint(b.cfg, b)
	b.ep.Start(ctx)
}
func (b *bulkReader) Receive(ctx *sim.Context, from sim.NodeID, msg any) {
	b.ep.Receive(ctx, from, msg)
}
func (b *bulkReader) Timer(ctx *sim.Context, tag any)   { b.ep.Timer(ctx, tag) }
func (b *bulkReader) Open(*sim.Context, *Conn)          {}
func (b *bulkReader) Closed(*sim.Context, *Conn, error) {}
func (b *bulkReader) Deliver(ctx *sim.Context, _ *Conn, _ any) {
	b.got++
	b.last = ctx.Now()
	if b.got == b.total {
		ctx.StopRun("delivered everything")
	}
}

// Compare runs a bulk transfer for every window, loss and RTO policy with
// every seed, and tabulates goodput, retransmissions and spurious
// retransmissions with Student-t confidence intervals across the seeds.
// Connections retry up to 30 timeouts in a row, so that even 30% loss
// rarely breaks one. Runs are sequential and deterministic.
func Compare(opts CompareOptions) (*CompareTable, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	t := &CompareTable{Options: opts}
	for _, loss := range opts.Losses {
		for _, window := range opts.Windows {
			for _, rto := range opts.RTOs {
				cfg, _ := parseRTO(rto)
				cfg.Window, cfg.MaxRetries = window, 30
				row := CompareRow{Window: window, Loss: loss, RTO: rto}
				var good, retx, spur, tos []float64
				for _, seed := range opts.Seeds {
					g, ws, rs, complete, err := CompareRun(cfg, opts.Latency, loss, opts.Messages, seed)
					if err != nil {
						return nil, err
					}
					if !complete {
						row.Incomplete++
					}
					per100 := 100 / float64(opts.Messages)
					good = append(good, g)
					retx = append(retx, float64(ws.Retransmits)*per100)
					spur = append(spur, float64(rs.SpuriousRetransmits)*per100)
					tos = append(tos, float64(ws.Timeouts)*per100)
				}
				row.Goodput = stats.MeanCI(good, opts.Level)
				row.Retransmits = stats.MeanCI(retx, opts.Level)
				row.Spurious = stats.MeanCI(spur, opts.Level)
				row.Timeouts = stats.MeanCI(tos, opts.Level)
				t.Rows = append(t.Rows, row)
			}
		}
	}
	return t, nil
}

// WriteText writes the table as aligned text: one row per loss, window and
// RTO policy, each figure as "mean ± half-width".
func (t *CompareTable) WriteText(w io.Writer) error {
	o := t.Options
	if _, err := fmt.Fprintf(w, "transport comparison: bulk transfer of %d messages, latency %s (mean %v), no duplication; "+
		"%d seeds, %.0f%% Student-t intervals\n", o.Messages, o.Latency.Kind, o.Latency.MeanDuration(), len(o.Seeds), 100*o.Level); err != nil {
		return fmt.Errorf("write comparison: %w", err)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "loss\twindow\tRTO\tgoodput (msgs/s)\tretransmits /100 msgs\tspurious /100 msgs\ttimeouts /100 msgs\tincomplete")
	for _, r := range t.Rows {
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\t%s\t%d\n", strconv.FormatFloat(100*r.Loss, 'g', -1, 64)+"%", r.Window, r.RTO,
			r.Goodput, r.Retransmits, r.Spurious, r.Timeouts, r.Incomplete)
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write comparison: %w", err)
	}
	return nil
}
