package tracediff

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"reflect"
	"slices"
	"strings"
)

// Divergence is where two traces part.
type Divergence struct {
	// Line is the number of the first line that differs, from 1.
	Line int `json:"line"`
	// A and B are the two versions of that line, without the newline;
	// one is empty when its trace ended there (EndA, EndB).
	A string `json:"a"`
	B string `json:"b"`
	// EndA and EndB say the trace ended before the line.
	EndA bool `json:"end_a,omitempty"`
	EndB bool `json:"end_b,omitempty"`
	// Fields names the JSON fields in which the two events differ
	// ("msg", "t", ...), sorted; empty when either is not a JSON object.
	Fields []string `json:"fields,omitempty"`
	// Before holds the common lines just before the divergence, oldest
	// first; AfterA and AfterB the lines after it in each trace.
	Before []string `json:"before,omitempty"`
	AfterA []string `json:"after_a,omitempty"`
	AfterB []string `json:"after_b,omitempty"`
}

// Diff reads two traces and returns their first divergence, with up to
// context lines before and after it, or nil if they are the same.
func Diff(a, b io.Reader, context int) (*Divergence, error) {
	ra, rb := bufio.NewReaderSize(a, 64<<10), bufio.NewReaderSize(b, 64<<10)
	var before [][]byte
	for n := 1; ; n++ {
		la, ea, err := ReadLine(ra)
		if err != nil {
			return nil, fmt.Errorf("tracediff: first trace, line %d: %w", n, err)
		}
		lb, eb, err := ReadLine(rb)
		if err != nil {
			return nil, fmt.Errorf("tracediff: second trace, line %d: %w", n, err)
		}
		if ea && eb {
			return nil, nil
		}
		if ea == eb && bytes.Equal(la, lb) {
			before = keep(before, la, context)
			continue
		}
		return diverge(n, la, lb, ea, eb, before, ra, rb, context)
	}
}

// diverge builds the Divergence at line n and reads what follows it.
func diverge(n int, la, lb []byte, ea, eb bool, before [][]byte, ra, rb *bufio.Reader, context int) (*Divergence, error) {
	d := &Divergence{Line: n, A: string(la), B: string(lb), EndA: ea, EndB: eb, Fields: fields(la, lb)}
	for _, l := range before {
		d.Before = append(d.Before, string(l))
	}
	var err error
	if !ea {
		d.AfterA, err = next(ra, context)
	}
	if !eb && err == nil {
		d.AfterB, err = next(rb, context)
	}
	if err != nil {
		return nil, fmt.Errorf("tracediff: after line %d: %w", n, err)
	}
	return d, nil
}

// ReadLine reads one line of a trace without its newline; end is true at
// the end of the input. A last line with no newline counts, and a line may
// be of any length. The web debugger reads trace files with it too.
func ReadLine(r *bufio.Reader) (l []byte, end bool, err error) {
	l, err = r.ReadBytes('\n')
	if errors.Is(err, io.EOF) {
		return l, len(l) == 0, nil
	}
	return bytes.TrimSuffix(l, []byte("\n")), false, err
}

// keep appends l to the last n lines.
func keep(lines [][]byte, l []byte, n int) [][]byte {
	if n <= 0 {
		return nil
	}
	if len(lines) == n {
		lines = append(lines[:0], lines[1:]...)
	}
	return append(lines, slices.Clone(l))
}

// next reads up to n lines.
func next(r *bufio.Reader, n int) ([]string, error) {
	var out []string
	for range n {
		l, end, err := ReadLine(r)
		if err != nil || end {
			return out, err
		}
		out = append(out, string(l))
	}
	return out, nil
}

// fields names the top-level JSON fields in which two objects differ.
func fields(a, b []byte) []string {
	var ma, mb map[string]any
	if json.Unmarshal(a, &ma) != nil || json.Unmarshal(b, &mb) != nil {
		return nil
	}
	var out []string
	for _, k := range slices.Sorted(maps.Keys(mb)) {
		if _, ok := ma[k]; !ok {
			out = append(out, k)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(ma)) {
		if v, ok := mb[k]; !ok || !reflect.DeepEqual(ma[k], v) {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// WriteText prints the divergence for people: where, in which fields,
// the common lines before it, then each trace's version and what follows,
// marked "-" for the first trace (nameA) and "+" for the second.
func (d *Divergence) WriteText(w io.Writer, nameA, nameB string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "the traces part at line %d", d.Line)
	if len(d.Fields) > 0 {
		fmt.Fprintf(&b, " (they differ in %s)", strings.Join(d.Fields, ", "))
	}
	fmt.Fprintf(&b, "\n--- %s\n+++ %s\n", nameA, nameB)
	for _, l := range d.Before {
		b.WriteString("  " + l + "\n")
	}
	side(&b, "-", nameA, d.A, d.EndA, d.AfterA)
	side(&b, "+", nameB, d.B, d.EndB, d.AfterB)
	_, err := io.WriteString(w, b.String())
	return err
}

// side writes one trace's version of the divergence and what follows it.
func side(b *strings.Builder, mark, name, l string, end bool, after []string) {
	if end {
		fmt.Fprintf(b, "%s (%s ends here)\n", mark, name)
		return
	}
	b.WriteString(mark + " " + l + "\n")
	for _, a := range after {
		b.WriteString(mark + " " + a + "\n")
	}
}

// String says where the traces part on one line, for summaries.
func (d *Divergence) String() string {
	switch {
	case d.EndA:
		return fmt.Sprintf("line %d: the first trace ends; the second goes on with %s", d.Line, d.B)
	case d.EndB:
		return fmt.Sprintf("line %d: the second trace ends; the first goes on with %s", d.Line, d.A)
	}
	return fmt.Sprintf("line %d: %s | %s", d.Line, d.A, d.B)
}
