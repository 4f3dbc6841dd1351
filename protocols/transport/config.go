package transport

import (
	"errors"
	"fmt"
	"time"
)

// Variant selects the correct transport or one of its bug-zoo variants,
// which break one rule each so that tests can show the checks catch them.
type Variant string

// The variants. Each names the rule it breaks.
const (
	// Correct is the transport as documented.
	Correct Variant = "correct"
	// NoDedup drops duplicate suppression: a segment below the receive
	// point (a retransmission or a network duplicate of a message already
	// delivered) is delivered again.
	NoDedup Variant = "no-dedup"
	// EarlyAck acknowledges an out-of-order segment before it is buffered
	// in order: the receiver delivers it at once and moves its cumulative
	// acknowledgement past the gap, so the sender never resends the
	// missing messages.
	EarlyAck Variant = "early-ack"
	// WindowOverrun lets the sender's window slide one past its buffer of
	// unacknowledged messages (an off-by-one: <= instead of <), so a new
	// message overwrites the oldest unacknowledged one, and a later
	// retransmission sends the wrong message under the old sequence number.
	WindowOverrun Variant = "window-overrun"
)

// Variants lists every variant, Correct first.
var Variants = []Variant{Correct, NoDedup, EarlyAck, WindowOverrun}

// ErrBadConfig reports an unusable Config.
var ErrBadConfig = errors.New("bad transport configuration")

// ParseVariant returns the variant called name.
func ParseVariant(name string) (Variant, error) {
	for _, v := range Variants {
		if string(v) == name {
			return v, nil
		}
	}
	return "", fmt.Errorf("%w: unknown variant %q", ErrBadConfig, name)
}

// Config sets up an Endpoint. The zero value of every field means its
// default (see DefaultConfig).
type Config struct {
	// Window is how many messages may be in flight unacknowledged, and how
	// many out-of-order messages the receiver buffers. 1 is stop-and-wait.
	// A connection uses the smaller of its two ends' windows.
	Window int
	// InitialRTO is the retransmission timeout before any round trip was
	// measured, and the timeout itself when FixedRTO is set.
	InitialRTO time.Duration
	// MinRTO and MaxRTO are the floor and ceiling of the retransmission
	// timeout, backoff included.
	MinRTO, MaxRTO time.Duration
	// FixedRTO disables the estimate from measured round trips: the timeout
	// is InitialRTO, doubled by backoff.
	FixedRTO bool
	// MaxRetries is how many retransmission timeouts in a row, without the
	// peer acknowledging anything, a connection survives; one more and it
	// reports itself broken.
	MaxRetries int
	// TimeWait is how long a connection lingers after an orderly close to
	// acknowledge its peer's retransmitted FIN.
	TimeWait time.Duration
	// KeepAlive, if positive, sends a probe on a connection with nothing in
	// flight that has heard nothing for this long; unanswered probes count
	// as retransmission timeouts, so a dead or restarted peer is noticed.
	KeepAlive time.Duration
	// DelayedAck, if positive, lets the receiver acknowledge every second
	// in-order message, or after this delay, instead of every message.
	// Out-of-order and duplicate messages are acknowledged at once.
	DelayedAck time.Duration
	// Record records the endpoint's incarnations (EndpointStarted) and its
	// connections' life-cycle events (ConnEvent: open, closed, reset,
	// broken) as facts in the trace.
	Record bool
	// Variant selects a bug-zoo variant; "" means Correct.
	Variant Variant
}

// DefaultConfig is the configuration a zero Config stands for. Its times
// suit the simulator's default millisecond latencies.
var DefaultConfig = Config{
	Window:     8,
	InitialRTO: 100 * time.Millisecond,
	MinRTO:     5 * time.Millisecond,
	MaxRTO:     2 * time.Second,
	MaxRetries: 8,
	TimeWait:   5 * time.Second,
	Variant:    Correct,
}

// MaxWindow is the largest Window.
const MaxWindow = 1 << 15

// withDefaults fills the zero fields of c from DefaultConfig and validates it.
func (c Config) withDefaults() (Config, error) {
	d := DefaultConfig
	if c.Window == 0 {
		c.Window = d.Window
	}
	if c.InitialRTO == 0 {
		c.InitialRTO = d.InitialRTO
	}
	if c.MinRTO == 0 {
		c.MinRTO = d.MinRTO
	}
	if c.MaxRTO == 0 {
		c.MaxRTO = d.MaxRTO
	}
	if c.MaxRetries == 0 {
		c.MaxRetries = d.MaxRetries
	}
	if c.TimeWait == 0 {
		c.TimeWait = d.TimeWait
	}
	if c.Variant == "" {
		c.Variant = Correct
	}
	switch {
	case c.Window < 1 || c.Window > MaxWindow:
		return c, fmt.Errorf("%w: window %d is outside [1, %d]", ErrBadConfig, c.Window, MaxWindow)
	case c.MinRTO < 0 || c.MaxRTO < c.MinRTO:
		return c, fmt.Errorf("%w: want 0 <= min RTO <= max RTO, got %v and %v", ErrBadConfig, c.MinRTO, c.MaxRTO)
	case c.InitialRTO < 0:
		return c, fmt.Errorf("%w: initial RTO %v is negative", ErrBadConfig, c.InitialRTO)
	case c.MaxRetries < 0:
		return c, fmt.Errorf("%w: max retries %d is negative", ErrBadConfig, c.MaxRetries)
	case c.KeepAlive < 0 || c.DelayedAck < 0 || c.TimeWait < 0:
		return c, fmt.Errorf("%w: negative keepalive, delayed ack or time-wait", ErrBadConfig)
	}
	if _, err := ParseVariant(string(c.Variant)); err != nil {
		return c, err
	}
	return c, nil
}
