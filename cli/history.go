package cli

import (
	"errors"
	"fmt"
	"io"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/scenarios"
)

// errNoHistory says why a run's history cannot be written in the format
// the check command reads.
var errNoHistory = errors.New("the check command reads only key-value and register histories")

// writeHistory writes the client operations of o's run as a history file
// (checker.WriteHistory), for the model its operations belong to. A run
// with no operations, or with operations of another kind (echo pings,
// transactions), is an error wrapping errNoHistory, and nothing is written.
func writeHistory(w io.Writer, o *scenarios.Outcome) error {
	ops := checker.FromSim(o.World.History())
	model, err := historyModel(ops)
	if err != nil {
		return fmt.Errorf("protocol %s: %w", o.Protocol, err)
	}
	return checker.WriteHistory(w, model, ops)
}

// historyModel names the checker model of ops: "kv" when every input is a
// checker.KVInput, "register" when every one is a checker.RegisterInput.
func historyModel(ops []checker.Operation) (string, error) {
	if len(ops) == 0 {
		return "", fmt.Errorf("the run recorded no client operations; %w", errNoHistory)
	}
	model := ""
	for i, op := range ops {
		var m string
		switch op.Input.(type) {
		case checker.KVInput:
			m = "kv"
		case checker.RegisterInput:
			m = "register"
		default:
			return "", fmt.Errorf("operation %d (%T) is not a key-value or register operation; %w", i, op.Input, errNoHistory)
		}
		if model != "" && m != model {
			return "", fmt.Errorf("operation %d is a %s operation after %s ones; %w", i, m, model, errNoHistory)
		}
		model = m
	}
	return model, nil
}
