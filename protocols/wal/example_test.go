package wal_test

import (
	"fmt"
	"strconv"

	"github.com/dsimlab/dsim/protocols/wal"
	"github.com/dsimlab/dsim/sim"
)

// counter is a state machine that adds numbers.
type counter struct{ sum int }

func (c *counter) Apply(r []byte) error {
	n, err := strconv.Atoi(string(r))
	c.sum += n
	return err
}
func (c *counter) Snapshot() []byte { return strconv.AppendInt(nil, int64(c.sum), 10) }
func (c *counter) Restore(s []byte) error {
	n, err := strconv.Atoi(string(s))
	c.sum = n
	return err
}

// adder logs the numbers 1 to 10 and syncs all but the last, checkpointing
// every four; a crash then loses only the unsynced 10.
type adder struct{ c *counter }

func (a *adder) Start(ctx *sim.Context) {
	a.c = &counter{}
	log, rec, err := wal.Open(ctx.Storage(), a.c, wal.Options{Every: 4})
	if err != nil {
		panic(err)
	}
	fmt.Printf("recovered sum %d: checkpoint %d + %d records\n", a.c.sum, rec.Checkpoint, rec.Replayed)
	if rec.LastIndex > 0 {
		return
	}
	for i := 1; i <= 10; i++ {
		if _, err := log.Append(strconv.AppendInt(nil, int64(i), 10)); err != nil {
			panic(err)
		}
		if i < 10 {
			log.Sync()
		}
		if log.Due() {
			log.Checkpoint()
		}
	}
	fmt.Println("sum before the crash:", a.c.sum)
}

func (a *adder) Receive(*sim.Context, sim.NodeID, any) {}
func (a *adder) Timer(*sim.Context, any)               {}

func Example() {
	w, _ := sim.New(sim.Config{Seed: 1})
	a := &adder{}
	id := w.MustAddNode("n1", func() sim.Node { return a })
	w.Run()
	w.Restart(id) // crash and reboot
	// Output:
	// recovered sum 0: checkpoint 0 + 0 records
	// sum before the crash: 55
	// recovered sum 45: checkpoint 8 + 1 records
}
