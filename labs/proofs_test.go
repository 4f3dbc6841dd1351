package labs_test

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/labs"
	paxoslab "github.com/dsimlab/dsim/labs/paxos"
	raftlab "github.com/dsimlab/dsim/labs/raft"
	twopclab "github.com/dsimlab/dsim/labs/twopc"
	"github.com/dsimlab/dsim/protocols"
)

var update = flag.Bool("update", false, "rewrite testdata/grades.golden")

// references are the labs' reference solutions, by lab.
var references = map[string]protocols.Protocol{
	"raft":  raftlab.Protocol(),
	"twopc": twopclab.Protocol(),
	"paxos": paxoslab.Protocol(),
}

// caughtIn says, for each bug-zoo variant of a lab's protocol, the tiers
// that should catch it: where the protocol package's own zoo catches it
// (run: a calm or lossy library scenario; unreliable: crashes, partitions,
// the nemesis), and search where a small search finds it.
var caughtIn = map[string]map[string][]labs.Tier{
	"raft": {
		"count-stale-votes": {labs.Search, labs.Unreliable},
		"commit-old-term":   {labs.Unreliable},
		"volatile-vote":     {labs.Unreliable},
		"no-log-check":      {labs.Unreliable},
		"vote-any-log":      {labs.Search, labs.Unreliable},
		"follower-reads":    {labs.Run},
	},
	"twopc": {
		"early-commit":        {labs.Run, labs.Search},
		"no-prepare-sync":     {labs.Search, labs.Unreliable},
		"announce-before-log": {labs.Search, labs.Unreliable},
		"unilateral-abort":    {labs.Search, labs.Unreliable},
		"early-release":       {labs.Run},
	},
	"paxos": {
		"proposer-ignores-accepted": {labs.Unreliable},
		"acceptor-no-sync":          {labs.Unreliable},
		"acceptor-accepts-lower":    {labs.Unreliable},
		"quorum-floor":              {labs.Unreliable},
		"follower-local-reads":      {labs.Run},
		"no-dedup":                  {labs.Run},
	},
}

// TestGrades grades every lab's reference solution, which must score full
// marks, and every bug-zoo variant of the lab's protocol, which must lose
// points in each tier that should catch it (caughtIn), and pins the
// table of scores in testdata/grades.golden (-update rewrites it). The
// correct protocol scores full marks too: the reference does what the
// package does. Reproduce a row with `dsim lab test LAB --variant V`.
func TestGrades(t *testing.T) {
	var mu sync.Mutex
	rows := map[string][]string{}
	t.Run("labs", func(t *testing.T) {
		for _, l := range labs.All() {
			t.Run(l.Name, func(t *testing.T) {
				t.Parallel()
				lines := gradeLab(t, l)
				mu.Lock()
				rows[l.Name] = lines
				mu.Unlock()
			})
		}
	})
	var b strings.Builder
	fmt.Fprintf(&b, "%-6s %-38s %-7s %-7s %-10s %s\n", "lab", "graded", "run", "search", "unreliable", "total")
	for _, l := range labs.All() {
		for _, row := range rows[l.Name] {
			b.WriteString(row)
		}
	}
	golden(t, filepath.Join("testdata", "grades.golden"), b.String())
}

// gradeLab grades a lab's reference and its protocol's variants, checks
// them, and returns the table's rows.
func gradeLab(t *testing.T, l *labs.Lab) []string {
	ref, err := labs.Grade(l, labs.Subject{Protocol: references[l.Name]}, labs.Options{})
	require.NoError(t, err)
	assert.True(t, ref.Full(), "the reference of %s scores full marks:\n%s", l.Name, text(t, ref))
	rows := []string{row(l, "reference solution ("+l.Protocol+")", ref)}
	require.Len(t, caughtIn[l.Name], len(l.Variants())-1, "every variant of %s is in caughtIn", l.Builtin)
	for _, v := range l.Variants() {
		sub, err := l.BuiltinSubject(v)
		require.NoError(t, err)
		res, err := labs.Grade(l, sub, labs.Options{})
		require.NoError(t, err)
		rows = append(rows, row(l, l.Builtin+" "+v, res))
		if v == "correct" {
			assert.True(t, res.Full(), "%s correct scores full marks:\n%s", l.Builtin, text(t, res))
			continue
		}
		for _, tier := range caughtIn[l.Name][v] {
			got, max := res.TierScore(tier)
			assert.Less(t, got, max, "%s %s loses points in the %s tier:\n%s", l.Builtin, v, tier, text(t, res))
		}
	}
	return rows
}

// row is a line of the table of grades.
func row(l *labs.Lab, graded string, r *labs.Result) string {
	cell := func(t labs.Tier) string {
		got, max := r.TierScore(t)
		return fmt.Sprintf("%d/%d", got, max)
	}
	got, max := r.Score()
	return fmt.Sprintf("%-6s %-38s %-7s %-7s %-10s %d/%d\n", l.Name, graded, cell(labs.Run), cell(labs.Search),
		cell(labs.Unreliable), got, max)
}

// text returns a grading's text, for messages.
func text(t *testing.T, r *labs.Result) string {
	var b strings.Builder
	require.NoError(t, r.WriteText(&b))
	return b.String()
}

// golden compares got with the file, or rewrites it under -update.
func golden(t *testing.T, file, got string) {
	t.Helper()
	if *update {
		require.NoError(t, os.WriteFile(file, []byte(got), 0o644))
		return
	}
	want, err := os.ReadFile(file)
	require.NoError(t, err, "run go test ./labs -run TestGrades -update to write it")
	assert.Equal(t, string(want), got, "the grades changed: review them, then rewrite with -update")
}

// TestGuideShowsTheGrades keeps docs/labs.md's table of grades the one
// TestGrades pins.
func TestGuideShowsTheGrades(t *testing.T) {
	guide, err := os.ReadFile(filepath.Join("..", "docs", "labs.md"))
	require.NoError(t, err)
	grades, err := os.ReadFile(filepath.Join("testdata", "grades.golden"))
	require.NoError(t, err)
	assert.Contains(t, string(guide), "```\n"+string(grades)+"```\n")
}
