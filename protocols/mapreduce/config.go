package mapreduce

import (
	"errors"
	"fmt"
	"time"
)

// Variant selects a deliberately wrong version of the protocol, for the bug
// zoo: each breaks one rule the correct protocol follows, and a check must
// catch it. Correct is the protocol as designed.
type Variant string

// The variants. Each names the rule it breaks.
const (
	// Correct is the protocol as designed.
	Correct Variant = "correct"
	// NoReexec: when a worker fails, the coordinator reschedules its
	// in-progress tasks but not its completed map tasks, whose output died
	// with it; reducers wait for that output forever.
	NoReexec Variant = "no-reexec"
	// InPlace: reduce workers write their output straight into the final
	// file, truncating it and then appending it in chunks, instead of
	// writing a temporary file and renaming it; two attempts of one reduce
	// task (a backup, or a re-execution) interleave or truncate each other.
	InPlace Variant = "in-place"
	// ReduceEarly: the coordinator starts reduce tasks when all but one map
	// task are done, and reducers reduce what the map outputs they were
	// told about hold.
	ReduceEarly Variant = "reduce-early"
	// AcceptLate: the coordinator accepts the completion of a map attempt it
	// had already declared failed (its worker had timed out), so reducers
	// read the output of an attempt the coordinator gave up on.
	AcceptLate Variant = "accept-late"
	// NoLease: workers serve map output whether or not the coordinator
	// answered a recent heartbeat, so a worker that was paused or cut off
	// long enough to be declared failed goes on serving output the
	// coordinator has given up on.
	NoLease Variant = "no-lease"
)

// Variants lists every variant, Correct first.
var Variants = []Variant{Correct, NoReexec, InPlace, ReduceEarly, AcceptLate, NoLease}

// ParseVariant returns the variant called name.
func ParseVariant(name string) (Variant, error) {
	for _, v := range Variants {
		if string(v) == name {
			return v, nil
		}
	}
	return "", fmt.Errorf("mapreduce: unknown variant %q", name)
}

// ErrConfig is wrapped by every error Config.Validate returns.
var ErrConfig = errors.New("mapreduce: bad configuration")

// Config is everything a MapReduce cluster needs: the job and its input,
// the cluster's shape, the simulated costs and the fault-tolerance knobs.
// Rates are simulated bytes per second of virtual time; the real map and
// reduce work costs no virtual time.
type Config struct {
	Job     Job    // the computation
	Corpus  Corpus // the input, generated from the run's "workload/corpus" stream
	Workers int    // worker nodes w1..wN
	Reduces int    // R, reduce tasks; the map tasks are the corpus's splits
	Slots   int    // tasks a worker runs at once

	MapRate     float64 // input bytes a map task processes per second on a worker of speed 1
	ReduceRate  float64 // intermediate bytes a reduce task processes per second at speed 1
	Bandwidth   float64 // bytes per second a worker's network interface sends
	FSBandwidth float64 // bytes per second the file service's interface sends
	// SpeedSigma spreads worker speeds: each worker's speed is
	// exp(N(0, SpeedSigma)), drawn from the "mapreduce/speeds" stream.
	SpeedSigma float64
	// Jitter spreads task durations: each attempt takes its nominal time
	// times exp(N(0, Jitter)), drawn from the worker's stream.
	Jitter float64
	// Stragglers workers, picked from the "mapreduce/speeds" stream, are
	// StragglerFactor times slower, in computation and in sending.
	Stragglers      int
	StragglerFactor float64

	Heartbeat     time.Duration // a worker's heartbeat period; the coordinator ticks at this period too
	WorkerTimeout time.Duration // the coordinator declares a silent worker failed after this
	RPCTimeout    time.Duration // a worker resends an unanswered request after this
	// Backups enables backup tasks: when every task of the current phase
	// has started and at most BackupFraction of them are unfinished, idle
	// slots run a second copy of the unfinished tasks that have only one.
	Backups        bool
	BackupFraction float64
	// Checkpoint makes the coordinator save each task's state to its disk,
	// so a restarted coordinator resumes the job instead of starting over.
	Checkpoint bool
	// Linger is how long the run goes on after the job completes (stray
	// attempts may still be writing) before the coordinator stops it.
	Linger  time.Duration
	Variant Variant
}

// DefaultConfig returns a small word-count job: 32 map tasks of 20 records
// of 12 words, 8 reduce tasks, 8 workers with 2 slots, map tasks of about
// 0.3s and heartbeats every 50ms.
func DefaultConfig() Config {
	return Config{
		Job:             WordCount(),
		Corpus:          Corpus{Splits: 32, Records: 20, Words: 12, Vocab: 2000, ZipfS: 1.2},
		Workers:         8,
		Reduces:         8,
		Slots:           2,
		MapRate:         4000,
		ReduceRate:      4000,
		Bandwidth:       200_000,
		FSBandwidth:     2_000_000,
		SpeedSigma:      0.2,
		Jitter:          0.1,
		Stragglers:      0,
		StragglerFactor: 10,
		Heartbeat:       50 * time.Millisecond,
		WorkerTimeout:   500 * time.Millisecond,
		RPCTimeout:      200 * time.Millisecond,
		Backups:         true,
		BackupFraction:  0.1,
		Checkpoint:      false,
		Linger:          200 * time.Millisecond,
		Variant:         Correct,
	}
}

// Validate reports why c cannot run, wrapping ErrConfig.
func (c Config) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrConfig, fmt.Sprintf(format, args...))
	}
	switch {
	case c.Job.Map == nil || c.Job.Reduce == nil:
		return bad("the job needs a map and a reduce function")
	case c.Corpus.Splits < 1 || c.Corpus.Records < 1 || c.Corpus.Words < 1 || c.Corpus.Vocab < 1:
		return bad("the corpus needs at least one split, record, word and vocabulary word")
	case c.Corpus.ZipfS <= 1:
		return bad("zipf_s must be above 1, not %g", c.Corpus.ZipfS)
	case c.Workers < 1 || c.Reduces < 1 || c.Slots < 1:
		return bad("need at least one worker, reduce task and slot")
	case c.MapRate <= 0 || c.ReduceRate <= 0 || c.Bandwidth <= 0 || c.FSBandwidth <= 0:
		return bad("rates and bandwidths must be positive")
	case c.SpeedSigma < 0 || c.Jitter < 0 || c.StragglerFactor < 1 || c.Stragglers < 0 || c.Stragglers > c.Workers:
		return bad("speed spread and jitter must be non-negative, straggler_factor at least 1, stragglers at most the workers")
	case c.Heartbeat <= 0 || c.RPCTimeout <= 0 || c.Linger < 0:
		return bad("heartbeat and rpc_timeout must be positive, linger non-negative")
	case c.WorkerTimeout < 4*c.Heartbeat:
		// A worker's lease lasts WorkerTimeout/2 from a heartbeat's sending;
		// the coordinator's tick-counted timeout may fire up to one
		// heartbeat early, so leases are only safe with this margin.
		return bad("worker_timeout (%v) must be at least 4 heartbeats (%v)", c.WorkerTimeout, 4*c.Heartbeat)
	case c.BackupFraction < 0 || c.BackupFraction > 1:
		return bad("backup_fraction must be in [0, 1]")
	}
	if _, err := ParseVariant(string(c.Variant)); err != nil {
		return fmt.Errorf("%w: %w", ErrConfig, err)
	}
	return nil
}

// lease is how long a worker may serve map output after a heartbeat the
// coordinator answered: half the worker timeout, so a worker stops serving
// before the coordinator can declare it failed.
func (c *Config) lease() time.Duration { return c.WorkerTimeout / 2 }

// timeoutTicks is the worker timeout in coordinator ticks, rounded up.
func (c *Config) timeoutTicks() int {
	return int((c.WorkerTimeout + c.Heartbeat - 1) / c.Heartbeat)
}
