package cli

import (
	"encoding/json"
	"encoding/xml"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/sim"
)

// picker is a throwaway protocol with a planted determinism bug: every
// millisecond its node sends to the first peer a range over a map yields,
// and Go randomises map order. Its one check always holds, so only the
// determinism check can see the bug.
type picker struct{ peers map[string]sim.NodeID }

func (p *picker) Start(ctx *sim.Context) {
	p.peers = map[string]sim.NodeID{}
	for _, id := range ctx.Nodes() {
		if id != ctx.ID() {
			p.peers[ctx.NodeName(id)] = id
		}
	}
	ctx.SetTimer(time.Millisecond, "tick")
}

func (p *picker) Receive(*sim.Context, sim.NodeID, any) {}

func (p *picker) Timer(ctx *sim.Context, _ any) {
	for name, id := range p.peers {
		ctx.Send(id, "hello "+name)
		break
	}
	ctx.SetTimer(time.Millisecond, "tick")
}

type quiet struct{}

func (quiet) Start(*sim.Context)                    {}
func (quiet) Receive(*sim.Context, sim.NodeID, any) {}
func (quiet) Timer(*sim.Context, any)               {}

type pickerRun struct{ ids []sim.NodeID }

func (p pickerRun) Servers() []sim.NodeID { return p.ids }
func (p pickerRun) Check(protocols.CheckRequest) protocols.Report {
	return protocols.Report{Checks: []checker.Result{{Check: "ran", Verdict: checker.Holds, Detail: "it ran"}}}
}

// pickerConfig is a command of one's own with the picker protocol and a
// scenario of it named "picker".
func pickerConfig() Config {
	p := protocols.Protocol{Name: "picker", Checks: []protocols.CheckInfo{{Name: "ran", Default: true}},
		Setup: func(env *protocols.Env) (protocols.Instance, error) {
			ids := []sim.NodeID{env.World.MustAddNode("picker", func() sim.Node { return &picker{} })}
			for _, name := range strings.Fields("a b c d e f g h") {
				ids = append(ids, env.World.MustAddNode(name, func() sim.Node { return quiet{} }))
			}
			return pickerRun{ids}, nil
		}}
	return Config{Protocols: []protocols.Protocol{p},
		Scenarios: fstest.MapFS{"picker.yaml": {Data: []byte("name: picker\nprotocol: picker\nduration: 50ms\n")}}}
}

func TestRunCheckDeterminismShowsTheFirstDivergingEvent(t *testing.T) {
	out, stderr, status := dsim(t, pickerConfig(), "run", "picker", "--seed", "3", "--check-determinism")
	assert.Equal(t, 1, status, stderr)
	assert.Contains(t, out, "verdict      PASS", "the checks cannot see it")
	assert.Contains(t, out, "determinism: seed 3 did NOT replay the same: the traces part at line")
	assert.Contains(t, out, "(they differ in ")
	assert.Regexp(t, `(?m)^- \{"seq":\d+,"t":\d+,"kind":"send","node":"picker","peer":"[a-h]","msg":"hello [a-h]"\}$`, out)
	assert.Regexp(t, `(?m)^\+ \{"seq":\d+,"t":\d+,"kind":"send","node":"picker"`, out)

	out, stderr, status = dsim(t, Config{}, "run", "echo-faults", "--check-determinism", "--format", "json")
	assert.Equal(t, 0, status, stderr)
	assert.Contains(t, stderr, "determinism: seed 1 ran twice, the same event by event")
	assert.True(t, json.Valid([]byte(out)), "the report on stdout stays whole")
}

func TestSweepCheckDeterminismOnAShareOfTheSeeds(t *testing.T) {
	out, stderr, status := dsim(t, pickerConfig(), "sweep", "picker", "--seeds", "1-20", "--check-determinism", "0.5", "--format", "json")
	assert.Equal(t, 1, status, stderr)
	var r struct {
		Runs, Failed, Replayed, Nondeterministic int
		Failing                                  []struct {
			Seed       uint64
			Divergence struct{ Line int }
		}
	}
	require.NoError(t, json.Unmarshal([]byte(out), &r))
	assert.Equal(t, 20, r.Runs)
	assert.InDelta(t, 10, r.Replayed, 6, "about half")
	assert.Equal(t, r.Replayed, r.Nondeterministic, "every seed run twice diverges")
	assert.Equal(t, r.Replayed, r.Failed)
	require.NotEmpty(t, r.Failing)
	assert.Positive(t, r.Failing[0].Divergence.Line)

	out, _, status = dsim(t, Config{}, "sweep", "echo-faults", "--seeds", "1-10", "--check-determinism", "1")
	assert.Equal(t, 0, status, out)
	assert.Contains(t, out, "determinism  10 of 10 runs run twice, 0 did not replay the same")
}

func TestRunAndSweepWriteJUnit(t *testing.T) {
	type doc struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Suites   []struct {
			Cases []struct {
				Name    string `xml:"name,attr"`
				Failure *struct {
					Message string `xml:"message,attr"`
					Text    string `xml:",chardata"`
				} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	out, _, status := dsim(t, Config{}, "run", "twopc-blocking", "--format", "junit")
	assert.Equal(t, 1, status)
	var d doc
	require.NoError(t, xml.Unmarshal([]byte(out), &d), out)
	assert.Equal(t, 3, d.Tests)
	assert.Equal(t, 1, d.Failures)

	out, _, status = dsim(t, Config{}, "sweep", "twopc-blocking", "--seeds", "1-4", "--format", "junit")
	assert.Equal(t, 1, status)
	d = doc{}
	require.NoError(t, xml.Unmarshal([]byte(out), &d), out)
	require.Len(t, d.Suites, 1)
	var failed []string
	for _, c := range d.Suites[0].Cases {
		if c.Failure != nil {
			failed = append(failed, c.Name)
			assert.Contains(t, c.Failure.Text, "seed 1: dsim run twopc-blocking --seed 1")
		}
	}
	assert.Equal(t, []string{"termination (liveness)"}, failed)
}

func TestSweepRecordsItsSeedsShardAndVersion(t *testing.T) {
	out, _, status := dsim(t, Config{}, "sweep", "echo-calm", "--seeds", "1-9", "--shard", "1/3", "--format", "json")
	require.Equal(t, 0, status)
	var r struct{ Seeds, Shard, Version string }
	require.NoError(t, json.Unmarshal([]byte(out), &r))
	assert.Equal(t, "1-9", r.Seeds)
	assert.Equal(t, "1/3", r.Shard)
	assert.True(t, strings.HasPrefix(r.Version, "dsim "), r.Version)
}

func TestSweepShrinksItsFailures(t *testing.T) {
	dir := t.TempDir()
	out, stderr, status := dsim(t, Config{}, "sweep", "twopc-blocking", "--seeds", "1-3", "--shrink", dir, "--shrink-max", "2")
	assert.Equal(t, 1, status, stderr)
	assert.Contains(t, out, "shrunk failing seeds")
	assert.Contains(t, out, "dsim run "+dir+"/twopc-blocking-seed-1-shrunk.yaml --seed")
	assert.Contains(t, out, dir+"/twopc-blocking-seed-2-shrunk.yaml")
	assert.NotContains(t, out, "seed-3-shrunk", "--shrink-max 2")
	m := regexp.MustCompile(`dsim run (\S+seed-1-shrunk.yaml) --seed (\d+)`).FindStringSubmatch(out)
	require.NotNil(t, m, out)
	_, _, status = dsim(t, Config{}, "run", m[1], "--seed", m[2])
	assert.Equal(t, 1, status, "the minimal scenario fails")
}
