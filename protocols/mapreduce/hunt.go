package mapreduce

import (
	"time"

	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/sim"
)

// This file is what liveness mode needs of a MapReduce run: every node is
// in the core, and progress is tasks completing until the job is done.

// livenessBound is how soon after the heal a task must complete.
const livenessBound = 20 * time.Second

// Core returns the nodes liveness mode heals: the coordinator, the file
// service and every worker.
func (in instance) Core() []sim.NodeID { return in.Servers() }

// Progress returns the tasks completed so far (a task again after the
// coordinator restarted the job), and whether the job is still running.
func (in instance) Progress(*sim.World) (int, bool) {
	o := in.cl.obs
	return o.completions, !o.res.Done
}

// LivenessBound is how soon after the heal a task must complete.
func (in instance) LivenessBound() time.Duration { return livenessBound }

// Compile-time check: a MapReduce run takes part in liveness mode.
var _ protocols.Recovery = instance{}
