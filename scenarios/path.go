package scenarios

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/dsimlab/dsim/sim"
)

// Step is one choice a run makes instead of the kernel, once the run has
// processed After events: fire the pending event Event now (deliver a
// message early, fire a timer early), drop it (a message is lost) or
// duplicate it (a message arrives twice), or crash or restart Node. Events
// are named by their IDs (sim.PendingEvent.ID), which a replay of the same
// scenario and seed gives the same events, so a list of steps replays
// exactly: it is how a debugger's branch and an explorer's counterexample
// are kept.
type Step struct {
	After  uint64 `json:"after"`
	Action string `json:"action"` // fire, drop, duplicate, crash or restart
	Event  uint64 `json:"event,omitempty"`
	Node   string `json:"node,omitempty"`
}

// The actions of a Step.
const (
	ActionFire      = "fire"
	ActionDrop      = "drop"
	ActionDuplicate = "duplicate"
	ActionCrash     = "crash"
	ActionRestart   = "restart"
)

// ErrPath is wrapped by every error about a path that does not fit its run.
var ErrPath = errors.New("path does not fit the run")

// Path is a run with choices, as a file: a scenario (a name or a file, as
// a command would take it), a seed and the steps, with a note saying what
// it shows. `dsim run --path FILE` replays it.
type Path struct {
	Version  int    `json:"dsim_path"` // 1
	Scenario string `json:"scenario"`
	Seed     uint64 `json:"seed"`
	Steps    []Step `json:"steps"`
	Note     string `json:"note,omitempty"`
}

// ReadPath reads a path file and checks its steps.
func ReadPath(r io.Reader) (*Path, error) {
	var p Path
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("%w: not a path file: %w", ErrInvalid, err)
	}
	if p.Version != 1 {
		return nil, fmt.Errorf("%w: dsim_path %d is not supported (want 1)", ErrInvalid, p.Version)
	}
	if p.Scenario == "" {
		return nil, fmt.Errorf("%w: the path names no scenario", ErrInvalid)
	}
	for i, st := range p.Steps {
		if err := st.check(); err != nil {
			return nil, fmt.Errorf("%w: steps[%d]: %w", ErrInvalid, i, err)
		}
		if i > 0 && st.After < p.Steps[i-1].After {
			return nil, fmt.Errorf("%w: steps[%d]: after %d comes before the previous step's %d", ErrInvalid, i, st.After, p.Steps[i-1].After)
		}
	}
	return &p, nil
}

// Write writes the path as indented JSON.
func (p *Path) Write(w io.Writer) error {
	p.Version = 1
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(p)
}

// check checks a step on its own.
func (st Step) check() error {
	switch st.Action {
	case ActionFire, ActionDrop, ActionDuplicate:
		if st.Node != "" {
			return fmt.Errorf("%s names an event, not a node", st.Action)
		}
	case ActionCrash, ActionRestart:
		if st.Node == "" {
			return fmt.Errorf("%s needs a node", st.Action)
		}
	default:
		return fmt.Errorf("action %q is not fire, drop, duplicate, crash or restart", st.Action)
	}
	return nil
}

// Apply makes the step's choice in w, now. A debugger applies a branch's
// steps one at a time with it, running the world between them itself.
func (st Step) Apply(w *sim.World) error {
	if err := st.check(); err != nil {
		return err
	}
	var err error
	switch st.Action {
	case ActionFire:
		err = w.Fire(st.Event)
	case ActionDrop:
		err = w.Drop(st.Event)
	case ActionDuplicate:
		err = w.Duplicate(st.Event)
	default:
		id, ok := w.Lookup(st.Node)
		if !ok {
			return fmt.Errorf("no node named %q", st.Node)
		}
		if st.Action == ActionCrash {
			w.Crash(id)
		} else {
			w.Restart(id)
		}
	}
	return err
}

// runSteps runs w to end, making each step's choice after its number of
// events.
func runSteps(w *sim.World, end sim.Time, steps []Step) error {
	if !slices.IsSortedFunc(steps, func(a, b Step) int { return cmp.Compare(a.After, b.After) }) {
		return fmt.Errorf("%w: the steps are not in order of their events", ErrPath)
	}
	for i, st := range steps {
		if st.After > w.Events() {
			w.RunTo(end, st.After-w.Events())
		}
		if w.Events() != st.After {
			return fmt.Errorf("%w: step %d comes after %d events, but the run has %d by %v", ErrPath, i, st.After, w.Events(), w.Now())
		}
		if err := st.Apply(w); err != nil {
			return fmt.Errorf("%w: step %d (%s after %d events): %w", ErrPath, i, st.Action, st.After, err)
		}
	}
	w.RunUntil(end)
	return nil
}
