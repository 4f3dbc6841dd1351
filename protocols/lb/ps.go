package lb

import (
	"container/heap"
	"math"
	"time"

	"github.com/dsimlab/dsim/sim"
)

// sharing is a processor-sharing server's state. Every request present is
// served at the same rate, r = speed × min(1, Workers/n) for n present
// (speed with Unlimited workers), so they finish in the order of their remaining
// work. The attained work per request, v, grows at r; a request that
// arrives when it is v₀ with work x finishes when v reaches v₀ + x. The
// requests wait in a heap by that finishing level, and one timer is set for
// the first of them, moved whenever n or the speed changes.
type sharing struct {
	v     float64  // attained work per request present, ns at speed 1
	last  sim.Time // when v was brought up to date
	rate  float64  // r since last
	jobs  psHeap
	timer sim.TimerID
}

// psJob is a request under processor sharing and its finishing level.
type psJob struct {
	done float64
	job
}

type psHeap []psJob

func (h psHeap) Len() int           { return len(h) }
func (h psHeap) Less(i, j int) bool { return h[i].done < h[j].done }
func (h psHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *psHeap) Push(x any)        { *h = append(*h, x.(psJob)) }
func (h *psHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

func (p *sharing) len() int { return len(p.jobs) }

// advance brings v up to now at the rate in force since the last change.
func (p *sharing) advance(now sim.Time) {
	p.v += float64(p.rate * float64(now-p.last)) // rounded: no fused multiply-add on any architecture
	p.last = now
}

// arrive adds a request; its work is set now (cache lookup, or a
// slowdown's fixed service time at the server's nominal speed).
func (p *sharing) arrive(ctx *sim.Context, s *server, j job) {
	now := ctx.Now()
	p.advance(now)
	work := s.work(&j)
	if sl := s.rt.slowdown(s.idx, now); sl != nil && sl.Service > 0 {
		work = float64(float64(sl.Service) * s.spec.Speed) // rounded: it is added below
	}
	j.service = time.Duration(work / s.spec.Speed)
	heap.Push(&p.jobs, psJob{done: p.v + work, job: j})
	p.reschedule(ctx, s)
}

// depart finishes the request whose timer fired: the first in the heap.
func (p *sharing) depart(ctx *sim.Context, s *server) {
	p.timer = 0
	p.advance(ctx.Now())
	j := heap.Pop(&p.jobs).(psJob)
	p.reschedule(ctx, s)
	s.respond(ctx, &j.job)
}

// watchSpeed re-rates at a slowdown's start or end and sets a timer for
// the next one.
func (p *sharing) watchSpeed(ctx *sim.Context, s *server) {
	now := ctx.Now()
	p.advance(now)
	p.reschedule(ctx, s)
	if next, ok := s.rt.nextSpeedChange(s.idx, now); ok {
		ctx.SetTimer(next.Sub(now), tagSpeed)
	}
}

// reschedule sets the rate for the requests present and the timer for the
// first to finish.
func (p *sharing) reschedule(ctx *sim.Context, s *server) {
	if p.timer != 0 {
		ctx.CancelTimer(p.timer)
		p.timer = 0
	}
	n := len(p.jobs)
	speed := s.spec.Speed
	if sl := s.rt.slowdown(s.idx, ctx.Now()); sl != nil && sl.Factor > 0 {
		speed /= sl.Factor
	}
	p.rate = speed
	if w := s.rt.cfg.Workers; w != Unlimited && n > w {
		p.rate = speed * float64(w) / float64(n)
	}
	if n == 0 {
		return
	}
	wait := math.Ceil((p.jobs[0].done - p.v) / p.rate)
	p.timer = ctx.SetTimer(time.Duration(max(wait, 0)), tagDone)
}
