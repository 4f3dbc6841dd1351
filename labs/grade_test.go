package labs_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/labs"
	"github.com/dsimlab/dsim/scenarios"
	"github.com/dsimlab/dsim/scenarios/library"
)

// variant returns the subject of a bug-zoo variant of a lab's protocol.
func variant(t *testing.T, l *labs.Lab, v string) labs.Subject {
	t.Helper()
	sub, err := l.BuiltinSubject(v)
	require.NoError(t, err)
	return sub
}

func TestGradeSelects(t *testing.T) {
	l := labs.TwoPC()
	sub := variant(t, l, "correct")
	tests := []struct {
		name string
		opts labs.Options
		want []string
	}{
		{"a tier", labs.Options{Tiers: []labs.Tier{labs.Run}}, []string{"commit-calm", "commit-lossy"}},
		{"a part and a tier", labs.Options{Parts: []string{"recovery"}, Tiers: []labs.Tier{labs.Search}}, []string{"search-crash"}},
		{"tests, in tier order", labs.Options{Tests: []string{"participant-crash", "commit-lossy"}}, []string{"commit-lossy", "participant-crash"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := labs.Grade(l, sub, tc.opts)
			require.NoError(t, err)
			var got []string
			for _, tr := range res.Tests {
				got = append(got, tr.Test.Name)
			}
			assert.Equal(t, tc.want, got)
			assert.True(t, res.Full())
		})
	}
	_, err := labs.Grade(l, sub, labs.Options{Parts: []string{"no-such-part"}})
	assert.ErrorIs(t, err, labs.ErrNoTests)
}

// TestGradeSavesFailingRuns grades early-commit, which a run and a search
// both catch: each failure is saved as a scenario (and, for the search, a
// path) that replays to the same failing check, with a replay command,
// and Saved is told of it; an earlier grading's files are removed first.
func TestGradeSavesFailingRuns(t *testing.T) {
	l := labs.TwoPC()
	out := filepath.Join(t.TempDir(), "lab-runs")
	require.NoError(t, os.MkdirAll(out, 0o755))
	stale := filepath.Join(out, "commit-calm-seed-9.html")
	require.NoError(t, os.WriteFile(stale, nil, 0o644))
	var saved []string
	res, err := labs.Grade(l, variant(t, l, "early-commit"), labs.Options{Tests: []string{"commit-calm", "search-commit"},
		Out: out, Command: "mylab", Saved: func(f *labs.Failure) error { saved = append(saved, f.Test); return nil }})
	require.NoError(t, err)
	assert.NoFileExists(t, stale)
	assert.Equal(t, []string{"commit-calm", "search-commit"}, saved)
	fails := res.Failures()
	require.Len(t, fails, 2)

	run := fails[0]
	assert.Equal(t, filepath.Join(out, "commit-calm.yaml"), run.Scenario)
	assert.Equal(t, "mylab run "+run.Scenario+" --seed 1", run.Replay)
	assert.Equal(t, []string{checker.AtomicityCheck, checker.IsolationCheck}, run.Checks)
	s, err := library.Load(run.Scenario)
	require.NoError(t, err)
	assert.Equal(t, "twopc-commit-calm", s.Name)
	o, err := scenarios.Run(s, run.Seed, scenarios.RunOptions{})
	require.NoError(t, err)
	assert.False(t, o.Passed, "the saved scenario replays the failure")

	found := fails[1]
	assert.Equal(t, filepath.Join(out, "search-commit.path"), found.Path)
	assert.Equal(t, "mylab run --path "+found.Path, found.Replay)
	assert.Positive(t, found.Steps)
	f, err := os.Open(found.Path)
	require.NoError(t, err)
	defer f.Close()
	p, err := scenarios.ReadPath(f)
	require.NoError(t, err)
	assert.Equal(t, found.Scenario, p.Scenario)
	s, err = library.Load(p.Scenario)
	require.NoError(t, err)
	o, err = scenarios.Run(s, p.Seed, scenarios.RunOptions{Steps: p.Steps})
	require.NoError(t, err)
	assert.False(t, o.Passed, "the saved path replays the counterexample")
}

// TestGradeTextIsDeterministic: what Grade prints as it goes is what
// WriteText writes, and the same the second time.
func TestGradeTextIsDeterministic(t *testing.T) {
	l := labs.TwoPC()
	grade := func() (string, string) {
		var progress strings.Builder
		res, err := labs.Grade(l, variant(t, l, "no-prepare-sync"), labs.Options{Progress: &progress,
			Tests: []string{"commit-calm", "search-crash", "participant-crash"}})
		require.NoError(t, err)
		return progress.String(), text(t, res)
	}
	progress, written := grade()
	again, _ := grade()
	assert.Equal(t, progress, written)
	assert.Equal(t, progress, again)
	assert.Contains(t, progress, "grading twopc, variant no-prepare-sync\n")
	assert.Contains(t, progress, "the search found a failing run of seed 1, 11 steps from its start (3987 states explored):")
	assert.Contains(t, progress, "hint: a participant's prepared state (and locks) must be on disk before it votes yes")
	assert.Contains(t, progress, "atomicity: two nodes decided differently")
	assert.Contains(t, progress, "\nscore: 10/30 (run 10/10, search 0/10, unreliable 0/10)\n")
}

// TestIdleRunsFail: a run in which no client operation completes fails its
// test even where every check holds vacuously, as 2PC's do when nothing
// happens.
func TestIdleRunsFail(t *testing.T) {
	l := labs.TwoPC()
	sub := variant(t, l, "correct")
	l.Tests = []labs.Test{{Name: "silent", Part: "commit", Tier: labs.Run, Points: 1, Scenario: "twopc-calm",
		Seeds: labs.Seeds(1, 1), Change: func(s *scenarios.Scenario) {
			s.Network.Default.Drop = 1 // nothing ever arrives
		}}}
	res, err := labs.Grade(l, sub, labs.Options{})
	require.NoError(t, err)
	require.Len(t, res.Failures(), 1)
	assert.Equal(t, []string{"no client operation completed: the run tested nothing, whatever its checks say"},
		res.Failures()[0].Details)
}

// TestGradeSavesASwarmFailureAsItsMix grades the 2PC lab's swarm nemesis
// test on a variant only a swarm mix catches there: the failing seed is
// saved as the scenario its mix made, which replays to the failure
// without --swarm.
func TestGradeSavesASwarmFailureAsItsMix(t *testing.T) {
	l := labs.TwoPC()
	out := filepath.Join(t.TempDir(), "lab-runs")
	res, err := labs.Grade(l, variant(t, l, "unilateral-abort"), labs.Options{Tests: []string{"nemesis"}, Out: out})
	require.NoError(t, err)
	fails := res.Failures()
	require.Len(t, fails, 1, "the swarm sweep catches a lost abort")
	s, err := library.Load(fails[0].Scenario)
	require.NoError(t, err)
	assert.Nil(t, s.Swarm, "the saved scenario is the seed's mix, not a swarm")
	o, err := scenarios.Run(s, fails[0].Seed, scenarios.RunOptions{})
	require.NoError(t, err)
	assert.False(t, o.Passed, "it replays the failure: %v", o.Checks)
}
