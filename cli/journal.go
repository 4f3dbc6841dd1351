package cli

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/dsimlab/dsim/reports"
	"github.com/dsimlab/dsim/runner"
)

// journal is a sweep's --out file, JSON Lines: a header naming the sweep,
// then one reports.RunRecord per finished run, each written whole with one
// write as the run finishes. A sweep killed at any moment, even by SIGKILL,
// leaves every finished run in it, and --resume carries on from it.
type journal struct {
	f *os.File
}

// journalHeader is the journal's first line: what was swept.
type journalHeader struct {
	Version  int    `json:"dsim_sweep"` // 1
	Scenario string `json:"scenario"`
	Seeds    string `json:"seeds"`
	Shard    string `json:"shard,omitempty"`
	Tool     string `json:"version,omitempty"` // the program's version (toolVersion)
}

// createJournal starts a new journal at path, replacing any file there.
func createJournal(path string, h journalHeader) (*journal, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("--out: %w", err)
	}
	j := &journal{f: f}
	if err := j.write(h); err != nil {
		f.Close()
		return nil, err
	}
	return j, nil
}

// resumeJournal reopens the journal at path of the same sweep, h, and
// returns its runs, to be skipped and counted. A last line cut short by a
// kill is dropped, and new runs are appended after the last whole one.
func resumeJournal(path string, h journalHeader, seeds runner.Seeds) (*journal, []reports.RunRecord, error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("--resume: %w", err)
	}
	runs, end, err := readJournal(f, path, h, seeds)
	if err == nil {
		err = f.Truncate(end)
	}
	if err == nil {
		_, err = f.Seek(end, io.SeekStart)
	}
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return &journal{f: f}, runs, nil
}

// readJournal reads a journal's header and runs, and returns the offset
// after its last whole line.
func readJournal(r io.Reader, path string, want journalHeader, seeds runner.Seeds) ([]reports.RunRecord, int64, error) {
	br := bufio.NewReader(r)
	var runs []reports.RunRecord
	var end int64
	seen := map[uint64]bool{}
	for n := 1; ; n++ {
		line, err := br.ReadBytes('\n')
		if err == io.EOF { // nothing, or a line a kill cut short: dropped
			return runs, end, nil
		}
		if err != nil {
			return nil, 0, fmt.Errorf("--resume %s: %w", path, err)
		}
		end += int64(len(line))
		if n == 1 {
			if err := checkHeader(line, path, want); err != nil {
				return nil, 0, err
			}
			continue
		}
		var rec reports.RunRecord
		if err := json.Unmarshal(bytes.TrimSpace(line), &rec); err != nil {
			return nil, 0, fmt.Errorf("--resume %s:%d: not a run record: %w", path, n, err)
		}
		if rec.File != want.Scenario || !seeds.Contains(rec.Seed) { // File is the scenario as the sweep was given it
			return nil, 0, fmt.Errorf("--resume %s:%d: seed %d of %s is not one of this sweep's", path, n, rec.Seed, rec.Scenario)
		}
		if !seen[rec.Seed] {
			seen[rec.Seed] = true
			runs = append(runs, rec)
		}
	}
}

// checkHeader checks that a journal is of the sweep asked for.
func checkHeader(line []byte, path string, want journalHeader) error {
	var h journalHeader
	if err := json.Unmarshal(line, &h); err != nil || h.Version != 1 {
		return fmt.Errorf("--resume %s: not a sweep's --out file (its first line should name the sweep)", path)
	}
	if h.Tool != want.Tool {
		return fmt.Errorf("--resume %s: it was written by %s, not by this program (%s): its runs may differ from this one's",
			path, cmp.Or(h.Tool, "a program that did not say its version"), want.Tool)
	}
	if h != want {
		return fmt.Errorf("--resume %s: it is a sweep of %s over seeds %s%s, not of %s over seeds %s%s",
			path, h.Scenario, h.Seeds, shardText(h.Shard), want.Scenario, want.Seeds, shardText(want.Shard))
	}
	return nil
}

func shardText(shard string) string {
	if shard == "" {
		return ""
	}
	return " shard " + shard
}

// write appends one value as a line, with a single write.
func (j *journal) write(v any) error {
	line, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if _, err := j.f.Write(append(line, '\n')); err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	return nil
}

// close closes the file.
func (j *journal) close() error { return j.f.Close() }
