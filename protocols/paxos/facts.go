package paxos

import (
	"strconv"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/sim"
)

// Fact is what a replica, proposer or client records in the trace
// (sim.Context.Record) for the Paxos safety checks: one step of the
// protocol (a request, a proposal, an acceptance or an application), as a
// checker.PaxosEvent has it, less its time and node, which the trace event
// carries. Facts are recorded by pointer (read them with
// sim.ObserveFacts[*paxos.Fact]) and never modified once recorded; Cluster
// and Single collect those of their run for the checks.
type Fact struct {
	Kind   checker.PaxosEventKind
	Slot   int64  // 0 for a request
	Ballot Ballot // the zero Ballot for a request or an application
	Value  string // the command's id, e.g. "c1#7", or checker.PaxosNoop

	valueHash uint64 // FNV-1a of Value, for FingerprintWords
}

// NewFact returns a fact ready to be recorded.
func NewFact(kind checker.PaxosEventKind, slot int64, b Ballot, value string) *Fact {
	return &Fact{Kind: kind, Slot: slot, Ballot: b, Value: value, valueHash: fnv64(value)}
}

// FingerprintWords folds the fact into the run's fingerprint without
// describing it (sim.FactHasher): a run records about a dozen facts per
// operation, and building and hashing their descriptions was most of what
// recording them cost.
func (f *Fact) FingerprintWords() (uint64, uint64) {
	ballot := uint64(f.Ballot.Round)<<24 ^ uint64(uint32(f.Ballot.Node))
	return uint64(f.Kind) | uint64(f.Slot)<<8, f.valueHash ^ ballot*0x9e3779b97f4a7c15
}

// fnv64 is FNV-1a over s.
func fnv64(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// String describes the fact for the trace: its kind, slot, ballot and
// value, e.g. "accept 4 2.1 c1#7", "apply 4 c1#7" or "request c1#7". The
// kernel asks for it only when it writes or shows the trace.
func (f *Fact) String() string {
	var buf [80]byte
	b := append(buf[:0], f.Kind.String()...)
	if f.Kind != checker.PaxosRequest {
		b = append(b, ' ')
		b = strconv.AppendInt(b, f.Slot, 10)
	}
	if f.Ballot.Round > 0 {
		b = append(b, ' ')
		b = strconv.AppendInt(b, f.Ballot.Round, 10)
		b = append(b, '.')
		b = strconv.AppendInt(b, int64(f.Ballot.Node), 10)
	}
	b = append(b, ' ')
	b = append(b, f.Value...)
	return string(b)
}

// event returns f, recorded by trace event e, as the checker's event,
// naming a ballot's owner by its node id (servers: node ids by server
// index).
func (f *Fact) event(e *sim.Event, servers []int) checker.PaxosEvent {
	pe := checker.PaxosEvent{Kind: f.Kind, Time: int64(e.Time), Node: int(e.Node), Slot: f.Slot, Value: f.Value}
	if f.Ballot.Round > 0 {
		pe.Ballot = f.Ballot.forChecker(servers)
	}
	return pe
}

// factCache builds the facts the nodes of a cluster record, and interns
// those the replicas share: they all accept the same proposal and apply the
// same command at a slot, so the cluster builds each such fact once. Facts
// come from chunks, so building one allocates nothing. A Multi-Paxos run
// records about a dozen facts per operation,
// and this keeps them cheap; it only saves work: an interned fact says
// exactly what a new one would. The zero factCache is ready to use.
type factCache struct {
	slots []slotFacts
	chunk []Fact
}

// slotFacts are the latest acceptance and application facts of one slot.
type slotFacts struct {
	accept, apply *Fact
}

// factChunk is how many facts a chunk holds.
const factChunk = 256

// fact returns a new fact. Facts handed out are never written again: a
// chunk that is full is left to the facts in it.
func (c *factCache) fact(kind checker.PaxosEventKind, slot int64, b Ballot, value string) *Fact {
	if len(c.chunk) == cap(c.chunk) {
		c.chunk = make([]Fact, 0, factChunk)
	}
	c.chunk = append(c.chunk, Fact{Kind: kind, Slot: slot, Ballot: b, Value: value, valueHash: fnv64(value)})
	return &c.chunk[len(c.chunk)-1]
}

// at returns the entry of slot, or nil past the cache's bound.
func (c *factCache) at(slot int64) *slotFacts {
	if slot < 0 || slot >= maxCachedSlot {
		return nil
	}
	for int64(len(c.slots)) <= slot {
		c.slots = append(c.slots, slotFacts{})
	}
	return &c.slots[slot]
}

// accept returns the fact that an acceptor accepted cmd at slot with ballot
// b.
func (c *factCache) accept(slot int64, b Ballot, cmd *Cmd) *Fact {
	e := c.at(slot)
	if e == nil {
		return c.fact(checker.PaxosAccept, slot, b, cmd.ID)
	}
	if f := e.accept; f == nil || f.Ballot != b || f.Value != cmd.ID {
		e.accept = c.fact(checker.PaxosAccept, slot, b, cmd.ID)
	}
	return e.accept
}

// apply returns the fact that a replica applied cmd as slot's command.
func (c *factCache) apply(slot int64, cmd *Cmd) *Fact {
	e := c.at(slot)
	if e == nil {
		return c.fact(checker.PaxosApply, slot, Ballot{}, cmd.ID)
	}
	if f := e.apply; f == nil || f.Value != cmd.ID {
		e.apply = c.fact(checker.PaxosApply, slot, Ballot{}, cmd.ID)
	}
	return e.apply
}
