package reports

import (
	"fmt"
	"strings"

	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/scenarios"
	"github.com/dsimlab/dsim/sim"
)

// This file reports what the bug-hunting modes add to a run: the swarm mix
// its seed drew, the fault points it reached, and the online check that
// stopped it at the first violating event.

// Swarm is the JSON form of the mix a swarm run drew: its fields
// (scenarios.SwarmMix) and its one-line description.
type Swarm struct {
	Text string `json:"text"`
	scenarios.SwarmMix
}

// huntJSON adds the swarm mix, the fault points and the online violation
// to a run's JSON report.
func huntJSON(r *Report, o *scenarios.Outcome) {
	if o.Swarm != nil {
		r.Swarm = &Swarm{Text: o.Swarm.String(), SwarmMix: *o.Swarm}
	}
	r.FaultPoints, r.Online = o.FaultPoints, o.Online
}

// huntLines returns the report lines of the bug-hunting modes, as key and
// text: the swarm mix, the fault points enabled, and the online violation.
func huntLines(o *scenarios.Outcome) [][2]string {
	var out [][2]string
	if o.Swarm != nil {
		out = append(out, [2]string{"swarm", o.Swarm.String()})
	}
	if o.FaultPoints != nil {
		out = append(out, [2]string{"fault points", faultPointsLine(o.FaultPoints)})
	}
	if o.Online != nil {
		out = append(out, [2]string{"online", onlineLine(o.Online)})
	}
	return out
}

// faultPointsLine names the enabled fault points and how often each fired.
func faultPointsLine(sites []sim.FaultPointSite) string {
	var on []string
	for _, s := range sites {
		if s.Enabled {
			on = append(on, fmt.Sprintf("%s (fired %d of %d)", s.Name, s.Fired, s.Reached))
		}
	}
	switch {
	case len(sites) == 0:
		return "on; the run reached none"
	case len(on) == 0:
		return fmt.Sprintf("on; none of the %d reached was enabled", len(sites))
	}
	return "enabled: " + strings.Join(on, ", ")
}

// onlineLine says which online check stopped the run, and at which event.
func onlineLine(v *protocols.Violation) string {
	return fmt.Sprintf("%s violated at event %d (%v), where the run stopped: %s", v.Check, v.Event, v.Time, v.Detail)
}
