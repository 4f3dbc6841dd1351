package shrink

import (
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/dsimlab/dsim/scenarios"
)

func TestDdminFindsTheOneMinimalSubset(t *testing.T) {
	tests := []struct {
		name   string
		items  []int
		needed []int // the test holds when all of these are kept
		want   []int
	}{
		{"none needed", []int{1, 2, 3, 4}, nil, nil},
		{"one of many", []int{1, 2, 3, 4, 5, 6, 7, 8}, []int{6}, []int{6}},
		{"two far apart", []int{1, 2, 3, 4, 5, 6, 7, 8, 9}, []int{2, 9}, []int{2, 9}},
		{"all", []int{1, 2, 3}, []int{1, 2, 3}, []int{1, 2, 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			runs := 0
			got := ddmin(tt.items, func(sub []int) bool {
				runs++
				for _, n := range tt.needed {
					if !slices.Contains(sub, n) {
						return false
					}
				}
				return true
			})
			assert.Equal(t, tt.want, got)
			assert.LessOrEqual(t, runs, 4*len(tt.items)*len(tt.items), "runs")
		})
	}
}

func TestTowardsTriesTheLowestFirst(t *testing.T) {
	assert.Equal(t, []int{1, 501, 751, 876, 938, 969, 985, 993, 997, 999}, towards(1000, 1))
	assert.Equal(t, []int{1}, towards(2, 1))
	assert.Equal(t, []int{0, 2}, towards(3, 0))
	n := 0
	assert.True(t, smallest(1000, 1, func(v int) bool { n++; return v >= 37 }))
	assert.False(t, smallest(10, 1, func(int) bool { return false }))
}

func TestUnitsPairEachFaultWithItsUndoing(t *testing.T) {
	at := func(ms int) time.Duration { return time.Duration(ms) * time.Millisecond }
	faults := []scenarios.Fault{
		{At: at(1), Kind: scenarios.FaultCrash, Node: "n1"},            // 0
		{At: at(2), Kind: scenarios.FaultCrash, Node: "n2"},            // 1
		{At: at(3), Kind: scenarios.FaultRestart, Node: "n2"},          // 2
		{At: at(4), Kind: scenarios.FaultCut, From: "n3", To: "n4"},    // 3
		{At: at(5), Kind: scenarios.FaultRestart, Node: "n1"},          // 4
		{At: at(6), Kind: scenarios.FaultHeal, From: "n3", To: "n4"},   // 5
		{At: at(7), Kind: scenarios.FaultClock, Node: "n1", Drift: .1}, // 6
		{At: at(8), Kind: scenarios.FaultClock, Node: "n1"},            // 7
		{At: at(9), Kind: scenarios.FaultRestart, Node: "n5"},          // 8: a reboot, alone
		{At: at(9), Kind: scenarios.FaultPartition, Groups: [][]string{{"n1"}, {"n2"}}},
	}
	assert.Equal(t, [][]int{{0, 4}, {1, 2}, {3, 5}, {6, 7}, {8}, {9}}, units(faults))
	assert.Equal(t, map[string]bool{"partition": true}, unhealed(faults))
	assert.Empty(t, unhealed(faults[:8]))
	assert.Equal(t, map[string]bool{"n1": true, "n3>n4": true}, unhealed(faults[:4]))
	assert.Len(t, pick(faults, [][]int{{3, 5}, {0, 4}}), 4)
}
