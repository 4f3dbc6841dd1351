package transport

import "time"

// RTOEstimator computes a retransmission timeout from measured round trips,
// after Jacobson and Karels (RFC 6298): a smoothed round-trip time SRTT and
// its mean deviation RTTVAR, updated with gains 1/8 and 1/4, give
//
//	RTO = SRTT + 4·RTTVAR
//
// clamped to [Min, Max]. Before the first measurement, and always when Fixed
// is set, the timeout is Initial. Each Backoff doubles the timeout (up to
// Max) until the next measurement. Callers apply Karn's rule: they never
// Observe the round trip of a retransmitted message, whose acknowledgement
// cannot be matched to one transmission, so a backed-off timeout stays
// backed off until a message sent once is acknowledged.
//
// The zero value is not usable; set Initial, Min and Max.
type RTOEstimator struct {
	Initial  time.Duration // timeout before the first measurement, or always when Fixed
	Min, Max time.Duration // floor and ceiling, backoff included
	Fixed    bool          // ignore measurements: the timeout is Initial (backed off)

	srtt, rttvar time.Duration
	measured     bool
	backoff      int
}

// Observe feeds one round-trip measurement and resets the backoff.
func (r *RTOEstimator) Observe(rtt time.Duration) {
	if rtt < 0 {
		rtt = 0
	}
	if !r.measured {
		r.srtt, r.rttvar, r.measured = rtt, rtt/2, true
	} else {
		dev := r.srtt - rtt
		if dev < 0 {
			dev = -dev
		}
		r.rttvar = (3*r.rttvar + dev) / 4
		r.srtt = (7*r.srtt + rtt) / 8
	}
	r.backoff = 0
}

// Backoff doubles the timeout, after a retransmission timeout fired.
func (r *RTOEstimator) Backoff() {
	if r.backoff < 62 {
		r.backoff++
	}
}

// Backoffs returns how many times the timeout has been doubled since the
// last measurement.
func (r *RTOEstimator) Backoffs() int { return r.backoff }

// SRTT returns the smoothed round-trip time, or 0 before any measurement.
func (r *RTOEstimator) SRTT() time.Duration { return r.srtt }

// RTTVar returns the round-trip time's smoothed mean deviation.
func (r *RTOEstimator) RTTVar() time.Duration { return r.rttvar }

// Timeout returns the current retransmission timeout, backoff included.
func (r *RTOEstimator) Timeout() time.Duration {
	t := r.Initial
	if r.measured && !r.Fixed {
		t = r.srtt + 4*r.rttvar
	}
	t = max(t, r.Min)
	for i := 0; i < r.backoff && t < r.Max; i++ {
		t *= 2
	}
	return min(t, r.Max)
}
