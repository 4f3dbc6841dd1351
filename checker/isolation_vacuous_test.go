package checker

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestIsolationOfOnlyAbortedTransactionsIsVacuous: with every transaction
// aborted there is nothing to check, and the detail says so (not that a
// budget ran out).
func TestIsolationOfOnlyAbortedTransactionsIsVacuous(t *testing.T) {
	ops := []Operation{{Client: 0, Call: 1, Return: 2, Outcome: OK,
		Input:  TxnInput{ID: "t1", Ops: []TxnOp{{Kind: TxnWrite, Key: "k1", Value: "t1"}}},
		Output: TxnOutput{Committed: false}}}
	res, err := CheckIsolation(ops, time.Second)
	require.NoError(t, err)
	assert.Equal(t, Inconclusive, res.Verdict)
	assert.True(t, res.Vacuous)
	assert.Equal(t, "nothing to check: no transaction committed or was left in doubt (1 aborted)", res.Detail)
}
