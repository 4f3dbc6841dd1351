package dsimtest

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/dsimlab/dsim/scenarios"
)

// update is the only way golden files change: `go test -dsimtest.update`.
var update = flag.Bool("dsimtest.update", false, "rewrite the golden fingerprint files of dsimtest sweeps")

// Golden pins each seed's fingerprint, event count and pass or fail in a
// file (conventionally under testdata/), one line per seed:
//
//	seed 17: fingerprint 3f0c9a1e5b7d2c48 events 5012 passed true
//
// A seed whose line differs fails the sweep with both lines. The file is
// written only by `go test -dsimtest.update` (which must run the whole
// range, so not with -short), and its diff is reviewed like code: a changed
// line is a changed run.
func Golden(path string) Option { return func(c *config) { c.golden = path } }

// goldenLine is a seed's line in a golden file.
func goldenLine(o *scenarios.Outcome) string {
	return fmt.Sprintf("seed %d: fingerprint %s events %d passed %v", o.Seed, o.Fingerprint, o.Events, o.Passed)
}

// checkGolden compares the seeds that ran with the golden file, or
// rewrites it under -dsimtest.update.
func (sw *sweepRun) checkGolden(t tester) {
	t.Helper()
	sw.mu.Lock()
	defer sw.mu.Unlock()
	whole := sw.ran == sw.want && uint64(len(sw.prints)) == sw.want.Count()
	if *update {
		if !whole {
			t.Errorf("dsimtest: -dsimtest.update needs every seed of %s to run (not -short, and not a -run that picks seeds)", sw.want)
			return
		}
		if err := sw.writeGolden(); err != nil {
			t.Errorf("dsimtest: %v", err)
		}
		return
	}
	want, err := readGolden(sw.c.golden)
	if err != nil {
		t.Errorf("dsimtest: %v (create it with go test -run %s -dsimtest.update)", err, shellQuote(runPattern(t.Name())))
		return
	}
	if diff := sw.goldenDiff(want, whole); diff != "" {
		t.Errorf("dsimtest: the runs differ from %s:\n%s\nIf the change is deliberate, rewrite it with go test -run %s -dsimtest.update and review the diff.",
			sw.c.golden, diff, shellQuote(runPattern(t.Name())))
	}
}

// goldenDiff lists the seeds whose lines differ from want, in seed order,
// and, when the whole range ran, the lines of seeds it no longer has.
func (sw *sweepRun) goldenDiff(want map[uint64]string, whole bool) string {
	var b strings.Builder
	for seed := range sw.want.All() {
		got, ran := sw.prints[seed]
		w, pinned := want[seed]
		switch {
		case ran && !pinned:
			fmt.Fprintf(&b, "  seed %d: not in the file\n    got  %s\n", seed, got)
		case ran && got != w:
			fmt.Fprintf(&b, "  seed %d:\n    want %s\n    got  %s\n", seed, w, got)
		}
		delete(want, seed)
	}
	if whole {
		for _, seed := range slices.Sorted(maps.Keys(want)) {
			fmt.Fprintf(&b, "  seed %d: in the file but not in the range %s\n", seed, sw.want)
		}
	}
	return strings.TrimSuffix(b.String(), "\n")
}

func (sw *sweepRun) writeGolden() error {
	var b strings.Builder
	for seed := range sw.want.All() {
		b.WriteString(sw.prints[seed] + "\n")
	}
	if err := os.MkdirAll(filepath.Dir(sw.c.golden), 0o755); err != nil {
		return fmt.Errorf("golden: %w", err)
	}
	if err := os.WriteFile(sw.c.golden, []byte(b.String()), 0o644); err != nil {
		return fmt.Errorf("golden: %w", err)
	}
	return nil
}

// errGolden is wrapped by every error about a malformed golden file.
var errGolden = errors.New("bad golden file")

// readGolden reads a golden file into lines by seed.
func readGolden(path string) (map[uint64]string, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("golden file %s does not exist", path)
	}
	if err != nil {
		return nil, fmt.Errorf("golden: %w", err)
	}
	lines := map[uint64]string{}
	for i, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		if line == "" && len(data) <= 1 {
			break // an empty file pins no seed
		}
		num, _, ok := strings.Cut(strings.TrimPrefix(line, "seed "), ":")
		seed, err := strconv.ParseUint(num, 10, 64)
		if !ok || err != nil || !strings.HasPrefix(line, "seed ") {
			return nil, fmt.Errorf("%s:%d: %w: want \"seed N: ...\", got %q", path, i+1, errGolden, line)
		}
		lines[seed] = line
	}
	return lines, nil
}
