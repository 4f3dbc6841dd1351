package fuzz

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sync"

	"github.com/dsimlab/dsim/scenarios"
	"github.com/dsimlab/dsim/shrink"
)

// ErrOtherCorpus is wrapped by Open's error for a directory that holds the
// corpus of another scenario.
var ErrOtherCorpus = errors.New("the corpus is another scenario's")

// State is a corpus's fuzz.json: what is fuzzed, by which program, and how
// far: every seed below Next has run.
type State struct {
	Version  int    `json:"dsim_fuzz"` // 1
	Scenario string `json:"scenario"`  // as the command was given it: a name or a file
	Tool     string `json:"version"`   // the program that fuzzed last
	Next     uint64 `json:"next"`      // the lowest seed not known to have run
	Runs     uint64 `json:"runs"`      // runs in all, over every session
	Failed   uint64 `json:"failed"`    // failing runs in all
}

// Finding is one group of failures in a corpus, in its directory's
// finding.json: its signature, the fastest-failing seed (fewest events;
// the lowest seed among equals) and how many seeds failed so; and, once
// shrunk, the minimal scenario's file (minimal.yaml beside it), the seed it
// fails with and which seed it was shrunk from.
type Finding struct {
	ID         string      `json:"id"`
	Signature  Signature   `json:"signature"`
	Seed       uint64      `json:"seed"`
	Events     uint64      `json:"events"`
	Seen       uint64      `json:"seen"`                  // failing runs with the signature (a seed run again after a restart counts again)
	ShrunkFrom uint64      `json:"shrunk_from,omitempty"` // 0: not shrunk yet
	ShrunkSeed uint64      `json:"shrunk_seed,omitempty"`
	Shrunk     bool        `json:"shrunk,omitempty"` // minimal.yaml is a finished shrink of Seed
	Before     shrink.Size `json:"before"`
	After      shrink.Size `json:"after"`
	Minimal    string      `json:"minimal,omitempty"` // the minimal scenario's file, in the corpus
	Note       string      `json:"note,omitempty"`    // why there is no minimal scenario
}

// Corpus is a directory of findings, kept across sessions: stop a fuzzer
// at any moment and start it again, and it carries on from the lowest seed
// it had not finished, with every finding it had. It is safe for
// concurrent use.
type Corpus struct {
	dir string

	mu       sync.Mutex
	state    State
	done     map[uint64]bool // seeds at or above state.Next that have run
	findings map[string]*Finding
}

// Open opens the corpus in dir for scenario, making it if need be (start
// is then its first seed), and reads its findings.
func Open(dir, scenario, tool string, start uint64) (*Corpus, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("corpus: %w", err)
	}
	c := &Corpus{dir: dir, done: map[uint64]bool{}, findings: map[string]*Finding{},
		state: State{Version: 1, Scenario: scenario, Next: start}}
	err := readJSON(filepath.Join(dir, "fuzz.json"), &c.state)
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return nil, err
	case c.state.Version != 1:
		return nil, fmt.Errorf("corpus %s: dsim_fuzz %d is not supported (want 1)", dir, c.state.Version)
	case c.state.Scenario != scenario:
		return nil, fmt.Errorf("corpus %s: %w (%s, not %s)", dir, ErrOtherCorpus, c.state.Scenario, scenario)
	}
	c.state.Tool = tool
	return c, c.readFindings()
}

// readFindings reads every finding.json below the corpus's directory.
func (c *Corpus) readFindings() error {
	files, err := filepath.Glob(filepath.Join(c.dir, "*", "finding.json"))
	if err != nil {
		return fmt.Errorf("corpus: %w", err)
	}
	for _, file := range files {
		var f Finding
		if err := readJSON(file, &f); err != nil {
			return err
		}
		c.findings[f.ID] = &f
	}
	return nil
}

// State returns the corpus's state.
func (c *Corpus) State() State {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state
}

// Add records a finished run of seed. If it failed, it joins its group,
// and becomes the group's seed if it fails faster (or the group is new);
// the returned finding is then a copy of the group's, to shrink, with
// better true. The finding is saved at once; the state, by Save.
func (c *Corpus) Add(seed uint64, o *scenarios.Outcome) (Finding, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.finish(seed)
	c.state.Runs++
	sig, failed := SignatureOf(o)
	if !failed {
		return Finding{}, false, nil
	}
	c.state.Failed++
	id := sig.ID()
	f := c.findings[id]
	if f == nil {
		f = &Finding{ID: id, Signature: sig, Seed: seed, Events: o.Events}
		c.findings[id] = f
	}
	f.Seen++
	better := f.Seen == 1 || cmp.Or(cmp.Compare(o.Events, f.Events), cmp.Compare(seed, f.Seed)) < 0
	if better {
		f.Seed, f.Events = seed, o.Events
	}
	return *f, better, c.saveFinding(f)
}

// finish marks seed as run and moves Next past every seed that has.
func (c *Corpus) finish(seed uint64) {
	if seed < c.state.Next {
		return // run again after a restart
	}
	c.done[seed] = true
	for c.done[c.state.Next] {
		delete(c.done, c.state.Next)
		c.state.Next++
	}
}

// SetShrunk records the shrink of a finding's seed: it writes the minimal
// scenario to minimal.yaml in the finding's directory and reports true,
// unless a faster seed has taken the group over since the shrink began.
func (c *Corpus) SetShrunk(id string, from uint64, res *shrink.Result) (bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f := c.findings[id]
	if f == nil || f.Seed != from {
		return false, nil // superseded: the new seed will be shrunk in turn
	}
	file := filepath.Join(c.dir, id, "minimal.yaml")
	res.Minimal.Name = "fuzz-" + id
	if err := writeAtomic(file, res.Minimal.WriteYAML); err != nil {
		return false, err
	}
	f.ShrunkFrom, f.ShrunkSeed, f.Shrunk = from, res.MinimalSeed, !res.Interrupted
	f.Before, f.After, f.Minimal = res.Before, res.After, file
	return true, c.saveFinding(f)
}

// SetUnshrinkable records that a finding's seed cannot be shrunk (its
// failure is inconclusive), and why, so that no session tries again.
func (c *Corpus) SetUnshrinkable(id string, from uint64, why error) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	f := c.findings[id]
	if f == nil || f.Seed != from {
		return nil
	}
	f.ShrunkFrom, f.Shrunk, f.Note = from, true, why.Error()
	return c.saveFinding(f)
}

// ToShrink returns the findings whose seed has no finished shrink, by ID.
func (c *Corpus) ToShrink() []Finding {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []Finding
	for _, f := range c.sorted() {
		if !f.Shrunk || f.ShrunkFrom != f.Seed {
			out = append(out, *f)
		}
	}
	return out
}

// Findings returns a copy of every finding, by ID.
func (c *Corpus) Findings() []Finding {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []Finding
	for _, f := range c.sorted() {
		out = append(out, *f)
	}
	return out
}

// sorted returns the findings by ID; c.mu is held.
func (c *Corpus) sorted() []*Finding {
	var out []*Finding
	for _, id := range slices.Sorted(maps.Keys(c.findings)) {
		out = append(out, c.findings[id])
	}
	return out
}

// Save writes fuzz.json.
func (c *Corpus) Save() error {
	c.mu.Lock()
	state := c.state
	c.mu.Unlock()
	return writeAtomic(filepath.Join(c.dir, "fuzz.json"), jsonTo(state))
}

// saveFinding writes a finding's finding.json; c.mu is held.
func (c *Corpus) saveFinding(f *Finding) error {
	if err := os.MkdirAll(filepath.Join(c.dir, f.ID), 0o755); err != nil {
		return fmt.Errorf("corpus: %w", err)
	}
	return writeAtomic(filepath.Join(c.dir, f.ID, "finding.json"), jsonTo(*f))
}
