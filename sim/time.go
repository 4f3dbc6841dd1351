package sim

import "time"

// Time is a point in virtual time: nanoseconds since the start of the run.
// It never comes from the wall clock. Spans between two Times are
// time.Durations.
type Time int64

// Add returns t moved forward by d.
func (t Time) Add(d time.Duration) Time { return t + Time(d) }

// Sub returns the span from u to t.
func (t Time) Sub(u Time) time.Duration { return time.Duration(t - u) }

// String formats t as the span since the start of the run, e.g. "1.5s".
func (t Time) String() string { return time.Duration(t).String() }

// Never is a Time later than any event a run can hold. It is used as "no
// deadline".
const Never Time = 1<<63 - 1
