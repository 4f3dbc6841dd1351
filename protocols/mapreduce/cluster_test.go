package mapreduce

import (
	"math"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/sim"
)

func TestCalmJobsMatchTheSequentialRun(t *testing.T) {
	for _, job := range []Job{WordCount(), InvertedIndex(), Grep(regexp.MustCompile(`\bka`))} {
		t.Run(job.Name, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.Job = job
			cl := run(t, 1, cfg, nil)
			requireAllHold(t, cl)
			r := cl.Result()
			assert.True(t, r.Done)
			assert.GreaterOrEqual(t, r.MapAttempts, cfg.Corpus.Splits)
			assert.GreaterOrEqual(t, r.ReduceAttempts, cfg.Reduces)
			assert.Zero(t, r.FailedAttempts)
			assert.Equal(t, cl.Expected(), cl.Outputs())
			assert.Equal(t, r.JobTime+cfg.Linger, time.Duration(cl.World.Now()), "the run stops linger after the job")
		})
	}
}

func TestSameSeedSameRun(t *testing.T) {
	faults := func(w *sim.World, cl *Cluster) {
		w.At(at(300*time.Millisecond), func(w *sim.World) { w.Crash(cl.Workers[0]) })
		w.At(at(600*time.Millisecond), func(w *sim.World) { w.Restart(cl.Workers[0]) })
	}
	a := run(t, 7, DefaultConfig(), faults)
	b := run(t, 7, DefaultConfig(), faults)
	c := run(t, 8, DefaultConfig(), faults)
	assert.Equal(t, a.World.Fingerprint(), b.World.Fingerprint())
	assert.Equal(t, a.Result(), b.Result())
	assert.Equal(t, a.Progress(), b.Progress())
	assert.NotEqual(t, a.World.Fingerprint(), c.World.Fingerprint())
	assert.NotEqual(t, a.Input, c.Input, "the corpus comes from the seed")
}

func TestWorkerCrashReexecutesItsMapTasks(t *testing.T) {
	cfg := DefaultConfig()
	cl := run(t, 3, cfg, func(w *sim.World, cl *Cluster) {
		// By 450ms every worker has completed map tasks of the first wave.
		w.At(at(450*time.Millisecond), func(w *sim.World) { w.Crash(cl.Workers[2]) })
	})
	requireAllHold(t, cl)
	r := cl.Result()
	assert.Equal(t, 1, r.WorkerFailures)
	assert.Positive(t, r.Reruns, "completed map tasks of the dead worker ran again")
	assert.Greater(t, r.MapAttempts, cfg.Corpus.Splits)
}

func TestRestartedWorkerIsNoticedByItsIncarnation(t *testing.T) {
	cl := run(t, 3, DefaultConfig(), func(w *sim.World, cl *Cluster) {
		// Back within one heartbeat: no timeout, only the new incarnation
		// tells the coordinator.
		w.At(at(450*time.Millisecond), func(w *sim.World) { w.Restart(cl.Workers[2]) })
	})
	requireAllHold(t, cl)
	assert.Equal(t, 1, cl.Result().WorkerFailures)
	assert.Positive(t, cl.Result().Reruns)
}

func TestCoordinatorRestart(t *testing.T) {
	crash := func(w *sim.World, cl *Cluster) {
		w.At(at(700*time.Millisecond), func(w *sim.World) { w.Crash(cl.Coord) })
		w.At(at(900*time.Millisecond), func(w *sim.World) { w.Restart(cl.Coord) })
	}
	for _, tc := range []struct {
		checkpoint bool
		rerunAll   bool
	}{{true, false}, {false, true}} {
		cfg := DefaultConfig()
		cfg.Checkpoint = tc.checkpoint
		cl := run(t, 4, cfg, crash)
		requireAllHold(t, cl)
		r := cl.Result()
		assert.Equal(t, 2, r.CoordinatorEpochs)
		if tc.rerunAll {
			assert.GreaterOrEqual(t, r.MapAttempts, 2*cfg.Corpus.Splits, "without a checkpoint the job starts over")
		} else {
			assert.Less(t, r.MapAttempts, 2*cfg.Corpus.Splits-8, "the checkpoint keeps completed maps")
		}
	}
}

func TestBackupTasksBeatAStraggler(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Stragglers, cfg.StragglerFactor = 1, 20
	with := run(t, 5, cfg, nil)
	cfg.Backups = false
	without := run(t, 5, cfg, nil)
	requireAllHold(t, with)
	requireAllHold(t, without)
	assert.Positive(t, with.Result().Backups)
	assert.Zero(t, without.Result().Backups)
	assert.Less(t, with.Result().JobTime, without.Result().JobTime)
}

func TestLossyNetwork(t *testing.T) {
	w, err := sim.New(sim.Config{Seed: 9, Link: sim.LinkConfig{Latency: sim.LogNormal(3*time.Millisecond, 0.8), Drop: 0.2, Duplicate: 0.2}})
	require.NoError(t, err)
	cl, err := Build(w, DefaultConfig())
	require.NoError(t, err)
	w.RunUntil(sim.Time(time.Minute))
	requireAllHold(t, cl)
}

func TestConfigValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*Config)
	}{
		{"no map function", func(c *Config) { c.Job.Map = nil }},
		{"no splits", func(c *Config) { c.Corpus.Splits = 0 }},
		{"zipf 1", func(c *Config) { c.Corpus.ZipfS = 1 }},
		{"no workers", func(c *Config) { c.Workers = 0 }},
		{"zero rate", func(c *Config) { c.MapRate = 0 }},
		{"too many stragglers", func(c *Config) { c.Stragglers = c.Workers + 1 }},
		{"straggler faster", func(c *Config) { c.StragglerFactor = 0.5 }},
		{"short timeout", func(c *Config) { c.WorkerTimeout = 3 * c.Heartbeat }},
		{"fraction above 1", func(c *Config) { c.BackupFraction = 1.5 }},
		{"unknown variant", func(c *Config) { c.Variant = "sloppy" }},
	} {
		c := DefaultConfig()
		tc.edit(&c)
		assert.ErrorIs(t, c.Validate(), ErrConfig, tc.name)
	}
	assert.NoError(t, DefaultConfig().Validate())
	w, _ := sim.New(sim.Config{})
	_, err := Build(w, Config{})
	assert.ErrorIs(t, err, ErrConfig)
}

func TestParseVariant(t *testing.T) {
	for _, v := range Variants {
		got, err := ParseVariant(string(v))
		require.NoError(t, err)
		assert.Equal(t, v, got)
	}
	_, err := ParseVariant("nope")
	assert.Error(t, err)
}

func TestAttemptID(t *testing.T) {
	id := newAttemptID(3, 17)
	assert.Equal(t, uint32(3), id.Epoch())
	assert.Equal(t, "3.17", id.String())
	assert.Equal(t, "4294967295.4294967295", newAttemptID(math.MaxUint32, math.MaxUint32).String())
}

// TestCoordinatorRestartAfterTheJob: a coordinator without a checkpoint
// that restarts after declaring the job done runs it again from scratch;
// the job was complete when declared, and the rerun writes the same
// output.
func TestCoordinatorRestartAfterTheJob(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Linger = 3 * time.Second
	cl := run(t, 1, cfg, func(w *sim.World, cl *Cluster) {
		w.At(at(2*time.Second), func(w *sim.World) { w.Crash(cl.Coord) })
		w.At(at(2100*time.Millisecond), func(w *sim.World) { w.Restart(cl.Coord) })
	})
	requireAllHold(t, cl)
	r := cl.Result()
	require.Less(t, r.JobTime, 2*time.Second)
	assert.Equal(t, 2, r.CoordinatorEpochs)
	assert.GreaterOrEqual(t, r.MapAttempts, 2*cfg.Corpus.Splits)
}
