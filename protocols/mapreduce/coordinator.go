package mapreduce

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/dsimlab/dsim/sim"
)

type taskState uint8

const (
	idle taskState = iota
	inProgress
	completed
)

type attemptState uint8

const (
	running    attemptState = iota + 1
	finished                // completed its task: a map attempt's output is the task's output
	failed                  // its worker failed or lost its output
	superseded              // another attempt completed the task first
)

// ctask is the coordinator's record of a task.
type ctask struct {
	kind    TaskKind
	idx     int
	state   taskState
	running []AttemptID
	doneBy  AttemptID
	loc     location // map tasks: where the output lives
	everRan bool     // a completed run of this task was lost before (re-execution)
}

// cattempt is the coordinator's record of an attempt.
type cattempt struct {
	id        AttemptID
	kind      TaskKind
	task      int
	worker    int
	inc       uint64
	state     attemptState
	startTick int // coordinator tick it started at
	sentTick  int // tick its assignment was last sent at
}

// cworker is the coordinator's view of a worker.
type cworker struct {
	alive     bool
	inc       uint64
	lastHeard int // tick of the last heartbeat
	running   []AttemptID
}

// Coordinator timer tags.
type (
	coordTick struct{}
	stopTick  struct{}
)

// coordinator assigns tasks to workers, detects failed workers by missed
// heartbeats (counted in ticks of its own timer, never by comparing clock
// readings), re-executes what they lost, launches backup tasks near the
// end of each phase, and stops the run when the job is done.
type coordinator struct {
	sh  *shared
	cfg *Config

	epoch   uint32
	resumed bool
	tick    int
	seq     uint32
	tasks   [2][]*ctask // [0] maps, [1] reduces
	atts    map[AttemptID]*cattempt
	workers []cworker
	nDone   [2]int
	done    bool
	dirty   bool
	st      *sim.Storage
}

func newCoordinator(sh *shared) sim.Factory {
	return func() sim.Node { return &coordinator{sh: sh, cfg: &sh.cfg} }
}

func (c *coordinator) header() coordHeader { return coordHeader{Epoch: c.epoch, Resumed: c.resumed} }

func kindIndex(k TaskKind) int { return int(k) - 1 }

func (c *coordinator) task(a *cattempt) *ctask { return c.tasks[kindIndex(a.kind)][a.task] }

// Start implements sim.Node: a new epoch, and the job's state from the
// checkpoint if there is one, or from scratch.
func (c *coordinator) Start(ctx *sim.Context) {
	st := ctx.Storage()
	c.st = st
	c.epoch = uint32(readUint(st, "epoch") + 1)
	st.Put("epoch", []byte(strconv.FormatUint(uint64(c.epoch), 10)))
	st.Sync()
	c.atts = map[AttemptID]*cattempt{}
	c.workers = make([]cworker, len(c.sh.workers))
	counts := [2]int{c.cfg.Corpus.Splits, c.cfg.Reduces}
	for k := range c.tasks {
		c.tasks[k] = make([]*ctask, counts[k])
		for i := range c.tasks[k] {
			c.tasks[k][i] = &ctask{kind: TaskKind(k + 1), idx: i}
		}
	}
	if c.cfg.Checkpoint {
		c.restore(st)
	}
	ctx.Record(EpochStarted{Epoch: c.epoch, Resumed: c.resumed,
		MapsDone: c.nDone[0], Maps: counts[0], ReducesDone: c.nDone[1], Reduces: counts[1]})
	ctx.SetTimer(c.cfg.Heartbeat, coordTick{})
	if c.done {
		c.finishJob(ctx)
	}
	c.dirty = true
}

// Timer implements sim.Node.
func (c *coordinator) Timer(ctx *sim.Context, tag any) {
	switch tag.(type) {
	case coordTick:
		c.tick++
		k := c.cfg.timeoutTicks()
		for i := range c.workers {
			if ws := &c.workers[i]; ws.alive && c.tick-ws.lastHeard >= k {
				ws.alive = false
				c.workerFailed(ctx, i, math.MaxUint64, "timed out")
			}
		}
		c.schedule(ctx)
		ctx.SetTimer(c.cfg.Heartbeat, coordTick{})
	case stopTick:
		ctx.StopRun("mapreduce job done")
	}
}

// Receive implements sim.Node.
func (c *coordinator) Receive(ctx *sim.Context, from sim.NodeID, msg any) {
	i := c.sh.workerIndex(from)
	if i < 0 {
		return
	}
	switch m := msg.(type) {
	case heartbeat:
		c.heartbeat(ctx, i, m)
	case done:
		if m.Inc == c.workers[i].inc {
			c.report(ctx, i, m.R)
		}
	}
	c.schedule(ctx)
}

func (c *coordinator) heartbeat(ctx *sim.Context, i int, hb heartbeat) {
	ws := &c.workers[i]
	if hb.Inc < ws.inc {
		return // from an earlier incarnation, delayed
	}
	if hb.Inc > ws.inc {
		// The worker restarted: whatever its earlier incarnations ran or
		// held is gone.
		c.workerFailed(ctx, i, hb.Inc, "restarted")
		ws.inc = hb.Inc
	}
	if !ws.alive {
		ws.alive = true
		c.dirty = true
		ctx.Record(WorkerUp{Worker: ctx.NodeName(c.sh.workers[i])})
	}
	ws.lastHeard = c.tick
	reply := heartbeatReply{coordHeader: c.header(), Seq: hb.Seq, SentAt: hb.SentAt, Inc: hb.Inc}
	for _, r := range hb.Reports {
		c.report(ctx, i, r)
		reply.Ack = append(reply.Ack, r.ID)
	}
	// Kill the attempts the coordinator has given up on (failed, or beaten
	// by another copy). A finished attempt may still show as running in a
	// heartbeat sent before it finished and overtaken by its report.
	for _, ids := range [][]AttemptID{hb.Running, hb.Held} {
		for _, id := range ids {
			if a := c.atts[id]; a == nil || a.worker != i || a.state == failed || a.state == superseded {
				reply.Kill = append(reply.Kill, id)
			}
		}
	}
	// Resend assignments the worker seems not to have received.
	for _, id := range ws.running {
		a := c.atts[id]
		if c.tick-a.sentTick >= 2 && !slices.Contains(hb.Running, id) {
			a.sentTick = c.tick
			c.sendAssign(ctx, a)
		}
	}
	for _, wr := range hb.Waiting {
		a := c.atts[wr.ID]
		if a == nil || a.state != running || a.kind != ReduceTask {
			continue
		}
		for _, m := range wr.Maps {
			if m >= 0 && m < len(c.tasks[0]) && c.tasks[0][m].state == completed {
				reply.Locs = append(reply.Locs, locUpdate{Reduce: wr.ID, Map: m, Loc: c.tasks[0][m].loc})
			}
		}
	}
	ctx.Send(c.sh.workers[i], reply)
}

// report handles a worker's news that attempt r.ID finished.
func (c *coordinator) report(ctx *sim.Context, i int, r report) {
	a := c.atts[r.ID]
	if a == nil || a.worker != i {
		return
	}
	late := c.cfg.Variant == AcceptLate && a.state == failed && a.kind == MapTask
	if a.state != running && !late {
		return
	}
	t := c.task(a)
	if a.state == running {
		c.unlink(a, t)
	}
	if t.state == completed {
		a.state = superseded
		return
	}
	a.state = finished
	c.complete(ctx, t, a)
}

// unlink removes a running attempt from its task's and worker's lists.
func (c *coordinator) unlink(a *cattempt, t *ctask) {
	t.running = slices.DeleteFunc(t.running, func(id AttemptID) bool { return id == a.id })
	ws := &c.workers[a.worker]
	ws.running = slices.DeleteFunc(ws.running, func(id AttemptID) bool { return id == a.id })
}

func (c *coordinator) complete(ctx *sim.Context, t *ctask, a *cattempt) {
	t.state, t.doneBy = completed, a.id
	c.nDone[kindIndex(t.kind)]++
	ctx.Record(TaskDone{Attempt{Kind: t.kind, Task: t.idx, ID: a.id, Worker: ctx.NodeName(c.sh.workers[a.worker])}})
	for _, id := range t.running {
		b := c.atts[id]
		b.state = superseded
		ws := &c.workers[b.worker]
		ws.running = slices.DeleteFunc(ws.running, func(x AttemptID) bool { return x == id })
	}
	t.running = nil
	c.dirty = true
	if t.kind == MapTask {
		t.loc = location{Worker: c.sh.workers[a.worker], Attempt: a.id}
		c.pushLocation(ctx, t)
	}
	c.save(t)
	if t.kind == ReduceTask && c.nDone[1] == len(c.tasks[1]) {
		c.done = true
		c.saveDone()
		c.finishJob(ctx)
	}
}

// pushLocation tells every running reduce attempt where map task t's
// output now lives.
func (c *coordinator) pushLocation(ctx *sim.Context, t *ctask) {
	per := make([][]locUpdate, len(c.workers))
	some := false
	for _, r := range c.tasks[1] {
		for _, id := range r.running {
			a := c.atts[id]
			per[a.worker] = append(per[a.worker], locUpdate{Reduce: id, Map: t.idx, Loc: t.loc})
			some = true
		}
	}
	if !some {
		return
	}
	for i, ls := range per {
		if len(ls) > 0 {
			ctx.Send(c.sh.workers[i], locPush{coordHeader: c.header(), Locs: ls})
		}
	}
}

func (c *coordinator) finishJob(ctx *sim.Context) {
	ctx.Record(JobDone{})
	if c.cfg.Linger == 0 {
		ctx.StopRun("mapreduce job done")
		return
	}
	ctx.SetTimer(c.cfg.Linger, stopTick{})
}

// workerFailed fails every attempt of worker i from an incarnation below
// inc: the running ones, and the completed map attempts whose output lived
// on it (unless every reduce task is done and nobody needs them).
func (c *coordinator) workerFailed(ctx *sim.Context, i int, inc uint64, why string) {
	ws := &c.workers[i]
	name := ctx.NodeName(c.sh.workers[i])
	if inc == math.MaxUint64 || ws.inc > 0 {
		ctx.Record(WorkerFailed{Worker: name, Why: why})
	}
	for _, id := range slices.Clone(ws.running) {
		if a := c.atts[id]; a.inc < inc {
			c.fail(ctx, a, name, why)
		}
	}
	if c.cfg.Variant == NoReexec || c.nDone[1] == len(c.tasks[1]) {
		return
	}
	for _, t := range c.tasks[0] {
		if t.state != completed {
			continue
		}
		if a := c.atts[t.doneBy]; a.worker == i && a.inc < inc {
			c.fail(ctx, a, name, why)
		}
	}
}

// fail marks attempt a failed; its task goes back to idle if nothing else
// runs it or if a was its completed map attempt.
func (c *coordinator) fail(ctx *sim.Context, a *cattempt, name, why string) {
	t := c.task(a)
	ctx.Record(AttemptFailed{Attempt: Attempt{Kind: a.kind, Task: a.task, ID: a.id, Worker: name}, Why: why,
		OutputLost: a.state == finished})
	switch a.state {
	case running:
		c.unlink(a, t)
		if t.state == inProgress && len(t.running) == 0 {
			t.state = idle
		}
	case finished:
		t.state, t.doneBy, t.loc, t.everRan = idle, 0, location{}, true
		c.nDone[kindIndex(t.kind)]--
		if len(t.running) > 0 {
			t.state = inProgress
		}
	}
	a.state = failed
	c.dirty = true
	c.save(t)
}

// mapsReady says whether reduce tasks may start: when every map task is
// done (the reduce-early variant: all but one).
func (c *coordinator) mapsReady() bool {
	need := len(c.tasks[0])
	if c.cfg.Variant == ReduceEarly {
		need--
	}
	return c.nDone[0] >= need
}

// schedule gives free slots work: idle map tasks first, then (once the
// maps are done) idle reduce tasks, then backup copies.
func (c *coordinator) schedule(ctx *sim.Context) {
	if c.done || !c.dirty {
		return
	}
	c.dirty = false
	var free []int
	for i, ws := range c.workers {
		if ws.alive && len(ws.running) < c.cfg.Slots {
			free = append(free, i)
		}
	}
	if len(free) == 0 {
		return
	}
	var queue []*ctask
	for _, t := range c.tasks[0] {
		if t.state == idle {
			queue = append(queue, t)
		}
	}
	if c.mapsReady() {
		for _, t := range c.tasks[1] {
			if t.state == idle {
				queue = append(queue, t)
			}
		}
	}
	var backups []*ctask
	backupsDrawn := false
	// Hand out one task per free worker per round, so work spreads over
	// the workers before any gets a second slot filled.
	for len(free) > 0 {
		next := free[:0]
		for _, i := range free {
			switch {
			case len(queue) > 0:
				c.start(ctx, queue[0], i, false)
				queue = queue[1:]
			case !c.cfg.Backups:
				continue
			default:
				if !backupsDrawn {
					backups, backupsDrawn = c.backupCandidates(), true
				}
				k := slices.IndexFunc(backups, func(t *ctask) bool { return c.atts[t.running[0]].worker != i })
				if k < 0 {
					continue
				}
				c.start(ctx, backups[k], i, true)
				backups = slices.Delete(backups, k, k+1)
			}
			if len(c.workers[i].running) < c.cfg.Slots {
				next = append(next, i)
			}
		}
		free = next
	}
}

// backupCandidates returns the tasks of the current phase that should get
// a backup copy, oldest first: when none of the phase is idle and at most
// BackupFraction of it is unfinished, every task running only once.
func (c *coordinator) backupCandidates() []*ctask {
	ph := c.tasks[0]
	if c.nDone[0] == len(c.tasks[0]) {
		ph = c.tasks[1]
	}
	left := 0
	for _, t := range ph {
		if t.state == idle {
			return nil
		}
		if t.state != completed {
			left++
		}
	}
	if float64(left) > max(1, math.Ceil(c.cfg.BackupFraction*float64(len(ph)))) {
		return nil
	}
	var out []*ctask
	for _, t := range ph {
		if t.state == inProgress && len(t.running) == 1 {
			out = append(out, t)
		}
	}
	slices.SortStableFunc(out, func(a, b *ctask) int {
		return c.atts[a.running[0]].startTick - c.atts[b.running[0]].startTick
	})
	return out
}

func (c *coordinator) start(ctx *sim.Context, t *ctask, i int, backup bool) {
	c.seq++
	a := &cattempt{id: newAttemptID(c.epoch, c.seq), kind: t.kind, task: t.idx, worker: i, inc: c.workers[i].inc,
		state: running, startTick: c.tick, sentTick: c.tick}
	c.atts[a.id] = a
	t.state = inProgress
	t.running = append(t.running, a.id)
	c.workers[i].running = append(c.workers[i].running, a.id)
	ctx.Record(AttemptStarted{Attempt: Attempt{Kind: t.kind, Task: t.idx, ID: a.id, Worker: ctx.NodeName(c.sh.workers[i])},
		Rerun: !backup && t.everRan, Backup: backup})
	c.sendAssign(ctx, a)
	c.save(t)
}

func (c *coordinator) sendAssign(ctx *sim.Context, a *cattempt) {
	m := assign{coordHeader: c.header(), ID: a.id, Kind: a.kind, Task: a.task}
	if a.kind == ReduceTask {
		m.Locs = make([]location, len(c.tasks[0]))
		for j, t := range c.tasks[0] {
			if t.state == completed {
				m.Locs[j] = t.loc
			}
		}
	}
	ctx.Send(c.sh.workers[a.worker], m)
}

// The checkpoint: with Config.Checkpoint, each task's record is written
// and synced to the coordinator's disk whenever it changes, as
// "ckpt/<kind>/<index>" = "<state> <everRan> [<attempt>:<worker>:<inc>:<state>]...",
// listing the task's running attempts and its completed one; "ckpt/done"
// marks a finished job.

func ckptKey(t *ctask) string { return fmt.Sprintf("ckpt/%s/%d", t.kind, t.idx) }

func (c *coordinator) save(t *ctask) {
	if !c.cfg.Checkpoint {
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d %t", t.state, t.everRan)
	ids := slices.Clone(t.running)
	if t.state == completed {
		ids = append(ids, t.doneBy)
	}
	for _, id := range ids {
		a := c.atts[id]
		fmt.Fprintf(&b, " %d:%d:%d:%d", uint64(a.id), a.worker, a.inc, a.state)
	}
	c.st.Put(ckptKey(t), []byte(b.String()))
	c.st.Sync()
}

func (c *coordinator) saveDone() {
	if c.cfg.Checkpoint {
		c.st.Put("ckpt/done", []byte("1"))
		c.st.Sync()
	}
}

// restore loads the checkpoint, if any. Workers holding restored attempts
// count as alive from now: those that stay silent for the worker timeout
// fail as usual.
func (c *coordinator) restore(st *sim.Storage) {
	for k := range c.tasks {
		for _, t := range c.tasks[k] {
			data, ok := st.Get(ckptKey(t))
			if !ok {
				continue
			}
			c.resumed = true
			f := strings.Fields(string(data))
			if len(f) < 2 {
				continue
			}
			s, _ := strconv.Atoi(f[0])
			t.state, t.everRan = taskState(s), f[1] == "true"
			for _, rec := range f[2:] {
				p := strings.Split(rec, ":")
				if len(p) != 4 {
					continue
				}
				id, _ := strconv.ParseUint(p[0], 10, 64)
				w, _ := strconv.Atoi(p[1])
				inc, _ := strconv.ParseUint(p[2], 10, 64)
				as, _ := strconv.Atoi(p[3])
				if w < 0 || w >= len(c.workers) {
					continue
				}
				a := &cattempt{id: AttemptID(id), kind: t.kind, task: t.idx, worker: w, inc: inc, state: attemptState(as)}
				c.atts[a.id] = a
				ws := &c.workers[w]
				ws.alive, ws.inc = true, max(ws.inc, inc)
				if a.state == running {
					t.running = append(t.running, a.id)
					ws.running = append(ws.running, a.id)
				} else {
					t.doneBy = a.id
					if t.kind == MapTask {
						t.loc = location{Worker: c.sh.workers[w], Attempt: a.id}
					}
				}
			}
			if t.state == completed {
				c.nDone[k]++
			}
		}
	}
	_, c.done = st.Get("ckpt/done")
}
