package fuzz

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// readJSON reads a JSON file into v.
func readJSON(file string, v any) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return fmt.Errorf("corpus: %w", err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("corpus: %s: %w", file, err)
	}
	return nil
}

// jsonTo writes v as indented JSON.
func jsonTo(v any) func(io.Writer) error {
	return func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
}

// writeAtomic writes a file whole or not at all: into a temporary file
// beside it, then renamed over it, so that a fuzzer killed while it saves
// leaves the old version.
func writeAtomic(file string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(file), filepath.Base(file)+".*.tmp")
	if err != nil {
		return fmt.Errorf("corpus: %w", err)
	}
	err = write(tmp)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), file)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("corpus: write %s: %w", file, err)
	}
	return nil
}
