package register_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/dsimtest"
	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/sim"

	"github.com/dsimlab/dsim/examples/register"
)

// nodes are the probe's World: three replicas and a client, as setup
// names them.
var nodes = dsimtest.Nodes("r1", "r2", "r3", "c1")

func TestReplicaKeepsTheNewestValue(t *testing.T) {
	p := dsimtest.NewProbe("r1", register.NewReplica(register.Correct), nodes)
	c1 := p.ID("c1")
	p.Deliver("c1", &register.Store{Phase: 1, TS: register.Timestamp{N: 2, Writer: c1}, Value: "new"})
	p.Deliver("c1", &register.Store{Phase: 2, TS: register.Timestamp{N: 1, Writer: c1}, Value: "old"})
	p.Deliver("c1", &register.Query{Phase: 3})
	assert.Equal(t, []any{
		&register.Stored{Phase: 1},
		&register.Stored{Phase: 2}, // acknowledged: it holds something newer
		&register.Value{Phase: 3, TS: register.Timestamp{N: 2, Writer: c1}, Value: "new"},
	}, p.SentTo("c1"))
	assert.Equal(t, []register.Adopted{{TS: register.Timestamp{N: 2, Writer: c1}, Value: "new"}},
		dsimtest.FactsOf[register.Adopted](p))
}

func TestReplicaSyncsBeforeItAcknowledges(t *testing.T) {
	for _, tt := range []struct {
		variant  string
		survives bool
	}{{register.Correct, true}, {register.NoSync, false}} {
		t.Run(tt.variant, func(t *testing.T) {
			p := dsimtest.NewProbe("r1", register.NewReplica(tt.variant), nodes)
			ts := register.Timestamp{N: 1, Writer: p.ID("c1")}
			p.Deliver("c1", &register.Store{Phase: 1, TS: ts, Value: "v"})
			p.Crash()
			p.Restart()
			want := register.Recovered{}
			if tt.survives {
				want.TS = ts
			}
			recovered := dsimtest.FactsOf[register.Recovered](p)
			assert.Equal(t, []register.Recovered{{}, want}, recovered, "at boot, then after the crash")
		})
	}
}

// client returns a probe of client c1 of the given variant whose every
// operation is op ("read" or "write").
func client(variant, op string) *dsimtest.Probe {
	cfg := register.ClientConfig{Ops: 1, Retry: 20 * time.Millisecond, Variant: variant,
		Workload: protocols.Workload{Mix: []protocols.MixEntry{{Op: op, Weight: 1}}, Timeout: time.Second}}
	cfg.Replicas = []sim.NodeID{0, 1, 2} // r1, r2, r3
	return dsimtest.NewProbe("c1", register.NewClient(cfg), nodes)
}

func TestReadWritesBackWhatAMajoritySaw(t *testing.T) {
	p := client(register.Correct, "read")
	assert.Equal(t, []string{"r1: query 1", "r2: query 1", "r3: query 1"}, describe(p.Take()))
	newer := register.Timestamp{N: 4, Writer: 9}
	p.Deliver("r1", &register.Value{Phase: 1, TS: register.Timestamp{N: 3, Writer: 9}, Value: "old"})
	assert.Empty(t, p.Take(), "one answer is not a majority")
	p.Deliver("r2", &register.Value{Phase: 1, TS: newer, Value: "new"})
	assert.Equal(t, []string{`r1: store 2: 4.9 "new"`, `r2: store 2: 4.9 "new"`, `r3: store 2: 4.9 "new"`}, describe(p.Take()), "the write-back of the newest value")
	p.Deliver("r3", &register.Stored{Phase: 2})
	p.Deliver("r1", &register.Stored{Phase: 2})
	h := p.History()
	require.Len(t, h, 1)
	assert.Equal(t, checker.RegisterOutput{Value: "new"}, h[0].Output)
}

func TestStaleReadReturnsTheFirstAnswer(t *testing.T) {
	p := client(register.StaleRead, "read")
	p.Deliver("r3", &register.Value{Phase: 1, TS: register.Timestamp{N: 1, Writer: 9}, Value: "old"})
	h := p.History()
	require.Len(t, h, 1)
	assert.Equal(t, checker.RegisterOutput{Value: "old"}, h[0].Output)
	assert.Len(t, p.Sent(), 3, "the queries only: no write-back")
}

func TestWriteResendsToSilentReplicasThenGivesUp(t *testing.T) {
	p := client(register.Correct, "write")
	p.Take()
	p.Deliver("r2", &register.Value{Phase: 1})
	tm, ok := p.FireNext()
	require.True(t, ok)
	assert.Equal(t, sim.Time(20*time.Millisecond), tm.At)
	assert.Equal(t, []string{"r1: query 1", "r3: query 1"}, describe(p.Take()), "not to r2, which answered")
	p.Advance(time.Second)
	h := p.History()
	require.Len(t, h, 1)
	assert.False(t, h[0].Returned, "gave up: the outcome is unknown")
	assert.Len(t, p.Take(), 2*48, "resent to r1 and r3 every 20ms from 40ms to 980ms")
}

func describe(ms []dsimtest.Message) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.String())
	}
	return out
}
