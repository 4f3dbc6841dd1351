package explore_test

import (
	"fmt"
	"strconv"
	"time"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/scenarios"
	"github.com/dsimlab/dsim/sim"
)

// inbox is a protocol small enough to count its states by hand: a sender p
// sends messages m1..mK to a server s, which acknowledges each and keeps
// the set it received on disk (synced, or not with sync: false). In
// "burst" mode p sends all K at once; in "stop-and-wait" mode it sends the
// next only when the last is acknowledged. Its checks: "in-order" (s got
// the messages in the order they were sent) and "durable" (a restarted s
// remembers every message it had acknowledged).
//
// In burst mode, a state is the set S of messages s got and the subset of
// S whose acknowledgements are still in flight: 3^K states. The shortest
// path to an out-of-order delivery is 2 steps (deliver m2, then m1); to a
// forgotten message with sync: false, 3 (deliver m1, crash s, restart s).
func inbox() protocols.Protocol {
	return protocols.Protocol{
		Name: "inbox",
		Params: []protocols.Param{
			{Name: "msgs", Kind: protocols.Int, Default: 3},
			{Name: "mode", Kind: protocols.String, Default: "burst"},
			{Name: "sync", Kind: protocols.Bool, Default: true},
			{Name: "describe", Kind: protocols.Bool, Default: true},
			{Name: "panic_on", Kind: protocols.Int, Default: 0},
		},
		Checks: []protocols.CheckInfo{{Name: "in-order", Default: true}, {Name: "durable", Default: true}},
		Setup:  setupInbox,
	}
}

// inboxScenario is the inbox protocol as a scenario, with params set.
func inboxScenario(params map[string]any) *scenarios.Scenario {
	p := inbox()
	return &scenarios.Scenario{Name: "inbox", File: "inbox.yaml", Protocol: &p, Params: protocols.NewParams(p.Params, params),
		Nodes: 2, Duration: time.Second, Checks: []string{"in-order", "durable"}}
}

type (
	got  struct{ I int }    // fact: s got message I
	have struct{ Set uint } // fact: s restarted holding Set
	ack  struct{ I int }    // message: s acknowledges I
)

func (f got) String() string  { return "got " + strconv.Itoa(f.I) }
func (f have) String() string { return fmt.Sprintf("have %b", f.Set) }
func (m ack) String() string  { return "ack " + strconv.Itoa(m.I) }

type inboxInstance struct {
	s     sim.NodeID
	facts []any
}

func setupInbox(env *protocols.Env) (protocols.Instance, error) {
	w, k := env.World, env.Params.Int("msgs")
	burst, sync, describe := env.Params.String("mode") == "burst", env.Params.Bool("sync"), env.Params.Bool("describe")
	in := &inboxInstance{s: 1}
	w.MustAddNode("p", func() sim.Node {
		n := &sender{k: k, burst: burst, to: 1}
		if describe {
			return &describedSender{n}
		}
		return n
	})
	w.MustAddNode("s", func() sim.Node {
		n := &server{sync: sync, panicOn: env.Params.Int("panic_on")}
		if describe {
			return &describedServer{n}
		}
		return n
	})
	sim.ObserveFacts(w, func(_ *sim.Event, f got) { in.facts = append(in.facts, f) })
	sim.ObserveFacts(w, func(_ *sim.Event, f have) { in.facts = append(in.facts, f) })
	return in, nil
}

func (in *inboxInstance) Servers() []sim.NodeID { return []sim.NodeID{in.s} }

func (in *inboxInstance) Check(req protocols.CheckRequest) protocols.Report {
	var rep protocols.Report
	for _, name := range req.Checks {
		res := checker.Result{Check: name, Kind: checker.Safety, Verdict: checker.Holds}
		var acked uint
		last := 0
		for _, f := range in.facts {
			switch f := f.(type) {
			case got:
				if name == "in-order" && f.I < last {
					res.Verdict, res.Detail = checker.Violated, fmt.Sprintf("m%d after m%d", f.I, last)
				}
				last, acked = max(last, f.I), acked|1<<f.I
			case have:
				if name == "durable" && acked&^f.Set != 0 {
					res.Verdict, res.Detail = checker.Violated, fmt.Sprintf("forgot %b", acked&^f.Set)
				}
			}
		}
		rep.Checks = append(rep.Checks, res)
	}
	return rep
}

// sender sends m1..mk to node to.
type sender struct {
	k, next int
	burst   bool
	to      sim.NodeID
}

func (n *sender) Start(ctx *sim.Context) {
	for n.next < n.k && (n.burst || n.next == 0) {
		n.next++
		ctx.Send(n.to, n.next)
	}
}

func (n *sender) Receive(ctx *sim.Context, _ sim.NodeID, msg any) {
	if a, ok := msg.(ack); ok && !n.burst && a.I == n.next && n.next < n.k {
		n.next++
		ctx.Send(n.to, n.next)
	}
}

func (n *sender) Timer(*sim.Context, any) {}

// server acknowledges and keeps what it got.
type server struct {
	sync    bool
	panicOn int // a message that makes it panic (0: none)
	set     uint
}

func (n *server) Start(ctx *sim.Context) {
	if b, ok := ctx.Storage().Get("set"); ok {
		v, _ := strconv.ParseUint(string(b), 10, 64)
		n.set = uint(v)
	}
	ctx.Record(have{n.set})
}

func (n *server) Receive(ctx *sim.Context, from sim.NodeID, msg any) {
	i := msg.(int)
	if i == n.panicOn && n.set == 0 {
		panic(fmt.Sprintf("m%d first", i))
	}
	n.set |= 1 << i
	ctx.Storage().Put("set", []byte(strconv.FormatUint(uint64(n.set), 10)))
	if n.sync {
		ctx.Storage().Sync()
	}
	ctx.Record(got{i})
	ctx.Send(from, ack{i})
}

func (n *server) Timer(*sim.Context, any) {}

type describedSender struct{ *sender }

func (n *describedSender) DescribeState() string { return strconv.Itoa(n.next) }

type describedServer struct{ *server }

func (n *describedServer) DescribeState() string { return strconv.FormatUint(uint64(n.set), 2) }
