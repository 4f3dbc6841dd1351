package mapreduce

import (
	"fmt"
	"time"

	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/sim"
)

// Protocol describes MapReduce to the scenario loader, as "mapreduce": a
// coordinator "coord", a file service "fs" and the scenario's nodes as
// workers "w1".."wN", running one job over a generated corpus. There are
// no clients and no workload operations: the job is the workload, shaped
// by the parameters. The fault nemesis may target every node.
func Protocol() protocols.Protocol {
	return protocols.Protocol{
		Name:    "mapreduce",
		Summary: "MapReduce: coordinator, workers and a file service; re-execution, backup tasks, atomic output commit",
		Params:  params(),
		Checks: []protocols.CheckInfo{
			{Name: OutputCheck, Summary: "the job's output equals the sequential run's, byte for byte, when done and at the end", Default: true},
			{Name: CompletionCheck, Summary: "liveness: every map and reduce task completed and the job was declared done", Default: true},
			{Name: FailedReadsCheck, Summary: "no reducer was served a map output from an attempt the coordinator had declared failed", Default: true},
		},
		Setup: setup,
	}
}

func params() []protocols.Param {
	d := DefaultConfig()
	dur := func(x time.Duration) float64 { return float64(x) }
	return []protocols.Param{
		{Name: "job", Kind: protocols.String, Default: "wordcount", Doc: "the computation", Choices: Jobs},
		{Name: "pattern", Kind: protocols.String, Default: `\bka`, Doc: "grep's regular expression (RE2 syntax)"},
		{Name: "maps", Kind: protocols.Int, Default: d.Corpus.Splits, Doc: "map tasks M: input splits of the corpus", Min: 1, Max: 1e6},
		{Name: "reduces", Kind: protocols.Int, Default: d.Reduces, Doc: "reduce tasks R: output files", Min: 1, Max: 1e5},
		{Name: "records", Kind: protocols.Int, Default: d.Corpus.Records, Doc: "records (lines) per split", Min: 1, Max: 1e6},
		{Name: "words", Kind: protocols.Int, Default: d.Corpus.Words, Doc: "words per record", Min: 1, Max: 1e4},
		{Name: "vocab", Kind: protocols.Int, Default: d.Corpus.Vocab, Doc: "distinct words the corpus draws from", Min: 1, Max: 1e7},
		{Name: "zipf_s", Kind: protocols.Float, Default: d.Corpus.ZipfS, Doc: "Zipf exponent of word frequencies (> 1)", Min: 1.0001, Max: 10},
		{Name: "slots", Kind: protocols.Int, Default: d.Slots, Doc: "tasks a worker runs at once", Min: 1, Max: 64},
		{Name: "map_rate", Kind: protocols.Float, Default: d.MapRate, Doc: "input bytes per second a map task processes at speed 1", Min: 1, Max: 1e12},
		{Name: "reduce_rate", Kind: protocols.Float, Default: d.ReduceRate, Doc: "intermediate bytes per second a reduce task processes at speed 1", Min: 1, Max: 1e12},
		{Name: "bandwidth", Kind: protocols.Float, Default: d.Bandwidth, Doc: "bytes per second a worker sends", Min: 1, Max: 1e12},
		{Name: "fs_bandwidth", Kind: protocols.Float, Default: d.FSBandwidth, Doc: "bytes per second the file service sends", Min: 1, Max: 1e12},
		{Name: "speed_sigma", Kind: protocols.Float, Default: d.SpeedSigma, Doc: "spread of worker speeds: each is exp(N(0, speed_sigma))", Min: 0, Max: 5},
		{Name: "jitter", Kind: protocols.Float, Default: d.Jitter, Doc: "spread of task durations: each is nominal times exp(N(0, jitter))", Min: 0, Max: 5},
		{Name: "stragglers", Kind: protocols.Int, Default: d.Stragglers, Doc: "workers that are straggler_factor times slower", Min: 0, Max: 1e5},
		{Name: "straggler_factor", Kind: protocols.Float, Default: d.StragglerFactor, Doc: "how many times slower a straggler is", Min: 1, Max: 1e6},
		{Name: "heartbeat", Kind: protocols.Duration, Default: d.Heartbeat, Doc: "worker heartbeat period (and the coordinator's tick)",
			Min: dur(time.Microsecond), Max: dur(time.Hour)},
		{Name: "worker_timeout", Kind: protocols.Duration, Default: d.WorkerTimeout, Doc: "a worker silent this long is declared failed (at least 4 heartbeats)",
			Min: dur(time.Microsecond), Max: dur(time.Hour)},
		{Name: "rpc_timeout", Kind: protocols.Duration, Default: d.RPCTimeout, Doc: "a worker resends an unanswered request after this",
			Min: dur(time.Microsecond), Max: dur(time.Hour)},
		{Name: "backups", Kind: protocols.Bool, Default: d.Backups, Doc: "launch backup copies of the last in-progress tasks of each phase"},
		{Name: "backup_fraction", Kind: protocols.Float, Default: d.BackupFraction, Doc: "backups start when at most this fraction of the phase is unfinished", Min: 0, Max: 1},
		{Name: "checkpoint", Kind: protocols.Bool, Default: d.Checkpoint, Doc: "the coordinator checkpoints task states so a restart resumes the job"},
		{Name: "linger", Kind: protocols.Duration, Default: d.Linger, Doc: "the run goes on this long after the job is done, then stops",
			Min: 0, Max: dur(time.Hour)},
		protocols.VariantParam(Variants),
	}
}

// ConfigFromParams builds a Config from scenario parameters, with workers
// the scenario's node count.
func ConfigFromParams(p protocols.Params, workers int) (Config, error) {
	job, err := JobByName(p.String("job"), p.String("pattern"))
	if err != nil {
		return Config{}, err
	}
	cfg := Config{
		Job: job,
		Corpus: Corpus{Splits: p.Int("maps"), Records: p.Int("records"), Words: p.Int("words"),
			Vocab: p.Int("vocab"), ZipfS: p.Float("zipf_s")},
		Workers:         workers,
		Reduces:         p.Int("reduces"),
		Slots:           p.Int("slots"),
		MapRate:         p.Float("map_rate"),
		ReduceRate:      p.Float("reduce_rate"),
		Bandwidth:       p.Float("bandwidth"),
		FSBandwidth:     p.Float("fs_bandwidth"),
		SpeedSigma:      p.Float("speed_sigma"),
		Jitter:          p.Float("jitter"),
		Stragglers:      p.Int("stragglers"),
		StragglerFactor: p.Float("straggler_factor"),
		Heartbeat:       p.Duration("heartbeat"),
		WorkerTimeout:   p.Duration("worker_timeout"),
		RPCTimeout:      p.Duration("rpc_timeout"),
		Backups:         p.Bool("backups"),
		BackupFraction:  p.Float("backup_fraction"),
		Checkpoint:      p.Bool("checkpoint"),
		Linger:          p.Duration("linger"),
		Variant:         Variant(p.String("variant")),
	}
	return cfg, cfg.Validate()
}

type instance struct{ cl *Cluster }

func setup(env *protocols.Env) (protocols.Instance, error) {
	if env.Clients != 0 {
		return nil, fmt.Errorf("mapreduce has no clients (clients: 0), not %d", env.Clients)
	}
	cfg, err := ConfigFromParams(env.Params, env.Nodes)
	if err != nil {
		return nil, err
	}
	cl, err := Build(env.World, cfg)
	if err != nil {
		return nil, err
	}
	return instance{cl: cl}, nil
}

// Servers returns every node: the coordinator, the file service and the
// workers.
func (in instance) Servers() []sim.NodeID {
	return append([]sim.NodeID{in.cl.Coord, in.cl.FS}, in.cl.Workers...)
}

// Cluster returns the cluster the scenario built, for measurements beyond
// Stats: a study reads a run's Progress through it.
func (in instance) Cluster() *Cluster { return in.cl }

func (in instance) Check(req protocols.CheckRequest) protocols.Report {
	r := in.cl.Result()
	return protocols.Report{
		Checks: in.cl.Check(req.Checks),
		Stats:  r.Stats(),
	}
}

// Stats returns the result as scenario statistics.
func (r Result) Stats() []protocols.Stat {
	done := 0.0
	if r.Done {
		done = 1
	}
	return []protocols.Stat{
		{Name: "job done", Value: done},
		{Name: "job time", Value: r.JobTime.Seconds(), Unit: "s"},
		{Name: "map attempts", Value: float64(r.MapAttempts)},
		{Name: "reduce attempts", Value: float64(r.ReduceAttempts)},
		{Name: "re-executions", Value: float64(r.Reruns)},
		{Name: "backup attempts", Value: float64(r.Backups)},
		{Name: "failed attempts", Value: float64(r.FailedAttempts)},
		{Name: "worker failures", Value: float64(r.WorkerFailures)},
		{Name: "coordinator epochs", Value: float64(r.CoordinatorEpochs)},
		{Name: "input", Value: float64(r.InputBytes), Unit: "B"},
		{Name: "shuffle", Value: float64(r.ShuffleBytes), Unit: "B"},
		{Name: "output", Value: float64(r.OutputBytes), Unit: "B"},
	}
}

var _ protocols.Instance = instance{}
