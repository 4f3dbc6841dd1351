package mapreduce

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/dsimlab/dsim/sim"
	"github.com/dsimlab/dsim/sim/detmath"
)

// shared is the read-only set-up every node of a cluster sees.
type shared struct {
	cfg     Config
	coord   sim.NodeID
	fs      sim.NodeID
	workers []sim.NodeID // w1..wN
	index   []int        // NodeID -> worker index, -1 for other nodes
	speeds  []float64    // per worker: 1 is nominal, 0.1 ten times slower
}

func (sh *shared) workerIndex(id sim.NodeID) int {
	if id < 0 || int(id) >= len(sh.index) {
		return -1
	}
	return sh.index[id]
}

// Worker timer tags.
type (
	hbTick      struct{}
	leaseExpire struct{ seq uint64 }
	attemptTick struct{ id AttemptID }
	computeDone struct{ id AttemptID }
)

// phase is where a worker's attempt is.
type phase uint8

const (
	phReading   phase = iota + 1 // map: waiting for its input split
	phFetching                   // reduce: fetching map outputs
	phComputing                  // running the job's function (a timer)
	phWriting                    // reduce: writing output to the file service
)

// wtask is one attempt running on a worker.
type wtask struct {
	id    AttemptID
	kind  TaskKind
	task  int
	phase phase
	step  int // the fs request in flight is Tag{id, step}

	// map
	parts [][]KeyValue
	sizes []int

	// reduce
	locs    []location
	need    []bool
	have    []bool
	stale   []bool // fetch failed or unanswered: ask the coordinator
	tries   []int
	got     [][]KeyValue
	nneed   int
	nhave   int
	inBytes int
	output  []byte
	chunks  [][]byte // the in-place variant's appends
}

// mapOutput is a completed map attempt's output, kept in the worker's
// memory (its "local disk"): a crash loses it.
type mapOutput struct {
	parts [][]KeyValue
	sizes []int
}

// worker executes map and reduce attempts for the coordinator, serves its
// map outputs to reducers while it holds a lease, and heartbeats.
type worker struct {
	sh    *shared
	cfg   *Config
	self  int
	speed float64

	inc          uint64 // incarnation, from disk, +1 at every start
	epoch        uint32 // highest coordinator epoch heard of
	hbSeq        uint64
	leaseAcked   uint64   // highest answered heartbeat whose lease timer has not fired
	leaseExpired uint64   // highest heartbeat whose lease timer fired
	leaseUntil   sim.Time // local clock: latest answered heartbeat's send time + lease

	running []*wtask
	held    map[AttemptID]*mapOutput
	reports []report
	seen    map[AttemptID]bool
	nic     nic
}

func newWorker(sh *shared, i int) sim.Factory {
	return func() sim.Node {
		return &worker{sh: sh, cfg: &sh.cfg, self: i, speed: sh.speeds[i]}
	}
}

// Start implements sim.Node: a fresh incarnation with nothing in memory.
func (w *worker) Start(ctx *sim.Context) {
	st := ctx.Storage()
	w.inc = readUint(st, "inc") + 1
	st.Put("inc", []byte(strconv.FormatUint(w.inc, 10)))
	st.Sync()
	w.held = map[AttemptID]*mapOutput{}
	w.seen = map[AttemptID]bool{}
	w.nic = newNIC(w.cfg.Bandwidth * w.speed)
	w.heartbeat(ctx)
	ctx.SetTimer(w.cfg.Heartbeat, hbTick{})
}

func readUint(st *sim.Storage, key string) uint64 {
	b, ok := st.Get(key)
	if !ok {
		return 0
	}
	n, _ := strconv.ParseUint(string(b), 10, 64)
	return n
}

func (w *worker) find(id AttemptID) *wtask {
	for _, t := range w.running {
		if t.id == id {
			return t
		}
	}
	return nil
}

func (w *worker) remove(id AttemptID) {
	w.running = slices.DeleteFunc(w.running, func(t *wtask) bool { return t.id == id })
}

func (w *worker) leaseValid(ctx *sim.Context) bool {
	if w.cfg.Variant == NoLease {
		return true
	}
	return w.leaseAcked > w.leaseExpired && ctx.Now() < w.leaseUntil
}

func (w *worker) heartbeat(ctx *sim.Context) {
	w.hbSeq++
	hb := heartbeat{Inc: w.inc, Seq: w.hbSeq, SentAt: ctx.Now(), Reports: slices.Clone(w.reports)}
	for _, t := range w.running {
		hb.Running = append(hb.Running, t.id)
		if t.kind == ReduceTask && t.phase == phFetching {
			var ms []int
			for m, s := range t.stale {
				if s && t.need[m] && !t.have[m] {
					ms = append(ms, m)
				}
			}
			if len(ms) > 0 {
				hb.Waiting = append(hb.Waiting, waitReq{ID: t.id, Maps: ms})
			}
		}
	}
	hb.Held = slices.Sorted(maps.Keys(w.held))
	ctx.Send(w.sh.coord, hb)
	ctx.SetTimer(w.cfg.lease(), leaseExpire{seq: w.hbSeq})
}

// Timer implements sim.Node.
func (w *worker) Timer(ctx *sim.Context, tag any) {
	switch tag := tag.(type) {
	case hbTick:
		w.heartbeat(ctx)
		ctx.SetTimer(w.cfg.Heartbeat, hbTick{})
	case leaseExpire:
		w.leaseExpired = max(w.leaseExpired, tag.seq)
	case nicTick:
		it := w.nic.done(ctx)
		if r, ok := it.msg.(fetchReply); ok && r.Status == fetchOK {
			// Re-check at the moment the data leaves: the lease may have
			// lapsed, or the output been dropped, while it queued.
			if w.held[r.MapAttempt] == nil || !w.leaseValid(ctx) {
				return
			}
		}
		if r, ok := it.msg.(fsRequest); ok {
			if t := w.find(r.Tag.Attempt); t == nil || t.step != r.Tag.Step {
				return // aborted, or superseded by a later step
			}
		}
		ctx.Send(it.to, it.msg)
	case attemptTick:
		t := w.find(tag.id)
		if t == nil {
			return
		}
		w.resend(ctx, t)
		ctx.SetTimer(w.cfg.RPCTimeout, tag)
	case computeDone:
		if t := w.find(tag.id); t != nil && t.phase == phComputing {
			w.computed(ctx, t)
		}
	}
}

// Receive implements sim.Node.
func (w *worker) Receive(ctx *sim.Context, from sim.NodeID, msg any) {
	switch m := msg.(type) {
	case heartbeatReply:
		if from != w.sh.coord || m.Inc != w.inc || !w.adoptEpoch(m.coordHeader) {
			return
		}
		for _, id := range m.Kill {
			w.kill(id)
		}
		w.reports = slices.DeleteFunc(w.reports, func(r report) bool { return slices.Contains(m.Ack, r.ID) })
		w.applyLocs(ctx, m.Locs)
		// Renew the lease only now, after dropping what the coordinator
		// has given up on.
		if m.Seq > w.leaseExpired {
			w.leaseAcked = max(w.leaseAcked, m.Seq)
		}
		w.leaseUntil = max(w.leaseUntil, m.SentAt.Add(w.cfg.lease()))
	case assign:
		if from != w.sh.coord || !w.adoptEpoch(m.coordHeader) || w.seen[m.ID] {
			return
		}
		w.seen[m.ID] = true
		w.begin(ctx, m)
	case locPush:
		if from == w.sh.coord && w.adoptEpoch(m.coordHeader) {
			w.applyLocs(ctx, m.Locs)
		}
	case fetch:
		w.serve(ctx, from, m)
	case fetchReply:
		w.fetched(ctx, m)
	case fsReply:
		w.fsDone(ctx, m)
	}
}

// adoptEpoch handles a message from coordinator epoch h.Epoch: older
// epochs are ignored; a newer epoch that started over makes the worker drop
// every attempt, output and report of older epochs.
func (w *worker) adoptEpoch(h coordHeader) bool {
	if h.Epoch < w.epoch {
		return false
	}
	if h.Epoch > w.epoch {
		w.epoch = h.Epoch
		if !h.Resumed {
			old := func(id AttemptID) bool { return id.Epoch() < h.Epoch }
			w.running = slices.DeleteFunc(w.running, func(t *wtask) bool { return old(t.id) })
			maps.DeleteFunc(w.held, func(id AttemptID, _ *mapOutput) bool { return old(id) })
			w.reports = slices.DeleteFunc(w.reports, func(r report) bool { return old(r.ID) })
		}
	}
	return true
}

func (w *worker) kill(id AttemptID) {
	w.remove(id)
	delete(w.held, id)
	w.reports = slices.DeleteFunc(w.reports, func(r report) bool { return r.ID == id })
}

func (w *worker) begin(ctx *sim.Context, a assign) {
	t := &wtask{id: a.ID, kind: a.Kind, task: a.Task}
	w.running = append(w.running, t)
	if a.Kind == MapTask {
		t.phase = phReading
		w.sendFS(ctx, t)
	} else {
		m := len(a.Locs)
		t.phase = phFetching
		t.locs = slices.Clone(a.Locs)
		t.need, t.have, t.stale = make([]bool, m), make([]bool, m), make([]bool, m)
		t.tries, t.got = make([]int, m), make([][]KeyValue, m)
		for i, l := range t.locs {
			if w.sh.workerIndex(l.Worker) < 0 {
				t.locs[i], l = location{}, location{}
			}
			// The reduce-early variant reduces whatever it was told about.
			t.need[i] = w.cfg.Variant != ReduceEarly || l.Attempt != 0
			if t.need[i] {
				t.nneed++
			}
			if l.Attempt == 0 {
				t.stale[i] = true
			} else if t.need[i] {
				ctx.Send(l.Worker, fetch{Reduce: t.id, Map: i, MapAttempt: l.Attempt, Part: t.task})
			}
		}
		if t.nhave == t.nneed {
			w.compute(ctx, t)
		}
	}
	ctx.SetTimer(w.cfg.RPCTimeout, attemptTick{id: t.id})
}

// resend repeats whatever request of t has gone unanswered.
func (w *worker) resend(ctx *sim.Context, t *wtask) {
	switch t.phase {
	case phReading, phWriting:
		w.sendFS(ctx, t)
	case phFetching:
		for m, l := range t.locs {
			if !t.need[m] || t.have[m] || l.Attempt == 0 {
				continue
			}
			t.tries[m]++
			if t.tries[m] >= 2 {
				t.stale[m] = true
			}
			ctx.Send(l.Worker, fetch{Reduce: t.id, Map: m, MapAttempt: l.Attempt, Part: t.task})
		}
	}
}

func (w *worker) applyLocs(ctx *sim.Context, locs []locUpdate) {
	for _, u := range locs {
		t := w.find(u.Reduce)
		if t == nil || t.phase != phFetching || u.Map < 0 || u.Map >= len(t.locs) || w.sh.workerIndex(u.Loc.Worker) < 0 {
			continue
		}
		if !t.need[u.Map] || t.have[u.Map] || t.locs[u.Map] == u.Loc {
			continue
		}
		t.locs[u.Map], t.stale[u.Map], t.tries[u.Map] = u.Loc, false, 0
		ctx.Send(u.Loc.Worker, fetch{Reduce: t.id, Map: u.Map, MapAttempt: u.Loc.Attempt, Part: t.task})
	}
}

// serve answers a reducer's fetch. Only a worker whose lease is valid
// sends map output: the coordinator cannot have declared it failed yet.
func (w *worker) serve(ctx *sim.Context, from sim.NodeID, f fetch) {
	reply := fetchReply{Reduce: f.Reduce, Map: f.Map, MapAttempt: f.MapAttempt}
	out := w.held[f.MapAttempt]
	switch {
	case out == nil || f.Part < 0 || f.Part >= len(out.parts):
		reply.Status = fetchMissing
	case !w.leaseValid(ctx):
		reply.Status = fetchUnavailable
	default:
		reply.Status, reply.KVs, reply.Bytes = fetchOK, out.parts[f.Part], out.sizes[f.Part]
		w.nic.enqueue(ctx, from, reply, reply.Bytes, nicKey{to: from, attempt: f.Reduce, n: f.Map})
		return
	}
	ctx.Send(from, reply)
}

func (w *worker) fetched(ctx *sim.Context, r fetchReply) {
	t := w.find(r.Reduce)
	if t == nil || t.phase != phFetching || r.Map < 0 || r.Map >= len(t.locs) || t.have[r.Map] || !t.need[r.Map] {
		return
	}
	if r.Status != fetchOK || r.MapAttempt != t.locs[r.Map].Attempt {
		if r.MapAttempt == t.locs[r.Map].Attempt {
			t.stale[r.Map] = true
		}
		return
	}
	t.have[r.Map], t.got[r.Map] = true, r.KVs
	t.nhave++
	t.inBytes += r.Bytes
	if t.nhave == t.nneed {
		w.compute(ctx, t)
	}
}

// jitter draws an attempt's duration factor from the worker's stream,
// log-normal through sim/detmath so that it is the same on every
// architecture.
func (w *worker) jitter(ctx *sim.Context) float64 {
	if w.cfg.Jitter == 0 {
		return 1
	}
	return detmath.Exp(detmath.NormFloat64(ctx.Rand()) * w.cfg.Jitter)
}

// compute runs a reduce attempt's real work now and makes it take its
// simulated time.
func (w *worker) compute(ctx *sim.Context, t *wtask) {
	t.output = runReduce(w.cfg.Job, t.got)
	t.got = nil
	t.phase = phComputing
	d := float64(t.inBytes) / (w.cfg.ReduceRate * w.speed) * w.jitter(ctx)
	ctx.SetTimer(time.Duration(d*float64(time.Second)), computeDone{id: t.id})
}

// computed ends an attempt's simulated computation.
func (w *worker) computed(ctx *sim.Context, t *wtask) {
	if t.kind == MapTask {
		w.remove(t.id)
		w.held[t.id] = &mapOutput{parts: t.parts, sizes: t.sizes}
		w.finish(ctx, t)
		return
	}
	t.phase, t.step = phWriting, 1
	if w.cfg.Variant == InPlace {
		t.chunks = chunk(t.output, inPlaceChunks)
	}
	w.sendFS(ctx, t)
}

// inPlaceChunks is how many appends the in-place variant writes its output in.
const inPlaceChunks = 4

// chunk splits out into at most n pieces at line boundaries.
func chunk(out []byte, n int) [][]byte {
	var cs [][]byte
	size := (len(out) + n - 1) / n
	for len(out) > 0 {
		end := min(size, len(out))
		for end < len(out) && out[end-1] != '\n' {
			end++
		}
		cs = append(cs, out[:end])
		out = out[end:]
	}
	return cs
}

func (w *worker) finish(ctx *sim.Context, t *wtask) {
	w.remove(t.id)
	r := report{ID: t.id, Kind: t.kind, Task: t.task}
	w.reports = append(w.reports, r)
	ctx.Send(w.sh.coord, done{Inc: w.inc, R: r})
}

func tmpName(r int, id AttemptID) string { return fmt.Sprintf("tmp/mr-out-%d.%s", r, id) }

// sendFS sends (or resends) t's current file-service request: the map's
// read, or the reduce's write, rename, create or append. Writes go out
// through the network interface, taking time proportional to their size.
func (w *worker) sendFS(ctx *sim.Context, t *wtask) {
	tag := fsTag{Attempt: t.id, Step: t.step}
	fs := w.sh.fs
	if t.kind == MapTask {
		ctx.Send(fs, fsRequest{Op: fsRead, Tag: tag, Path: InputName(t.task)})
		return
	}
	out := OutputName(t.task)
	var req fsRequest
	switch {
	case w.cfg.Variant == InPlace && t.step == 1:
		req = fsRequest{Op: fsCreate, Tag: tag, Path: out}
	case w.cfg.Variant == InPlace:
		req = fsRequest{Op: fsAppend, Tag: tag, Path: out, Data: t.chunks[t.step-2]}
	case t.step == 1:
		req = fsRequest{Op: fsPut, Tag: tag, Path: tmpName(t.task, t.id), Data: t.output}
	default:
		req = fsRequest{Op: fsRename, Tag: tag, Path: tmpName(t.task, t.id), To: out}
	}
	if len(req.Data) == 0 {
		ctx.Send(fs, req)
		return
	}
	w.nic.enqueue(ctx, fs, req, len(req.Data), nicKey{to: fs, attempt: t.id, n: t.step})
}

func (w *worker) fsDone(ctx *sim.Context, r fsReply) {
	t := w.find(r.Tag.Attempt)
	if t == nil || r.Tag.Step != t.step {
		return
	}
	switch {
	case t.phase == phReading:
		if !r.OK {
			return // no such split: a bug in set-up; retried to no avail
		}
		t.parts, t.sizes = runMap(w.cfg.Job, r.Data, w.cfg.Reduces)
		t.phase = phComputing
		d := float64(len(r.Data)) / (w.cfg.MapRate * w.speed) * w.jitter(ctx)
		ctx.SetTimer(time.Duration(d*float64(time.Second)), computeDone{id: t.id})
	case t.phase == phWriting && w.cfg.Variant == InPlace:
		if t.step-1 == len(t.chunks) {
			w.finish(ctx, t)
			return
		}
		t.step++
		w.sendFS(ctx, t)
	case t.phase == phWriting && t.step == 1:
		t.step = 2
		w.sendFS(ctx, t)
	case t.phase == phWriting:
		if !r.OK {
			t.step = 1 // the temporary file is gone: write it again
			w.sendFS(ctx, t)
			return
		}
		w.finish(ctx, t)
	}
}
