package studies

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/scenarios"
)

// Vary runs scenario s once for each value of one protocol parameter, every
// value with every seed (jobs runs side by side; 0 means one per CPU), and
// tabulates what the runs report (Reported): the protocol's Stats and the
// pass rate of each check, by value. Values are written as in a scenario
// file (2, 0.5, 250ms, true, a name) and checked against the parameter's
// schema before anything runs. For example paxos-nemesis with variant
// correct and no-dedup shows how often the bug breaks linearizability.
func Vary(ctx context.Context, s *scenarios.Scenario, param string, values []string, seeds []uint64, jobs int) (*Table, error) {
	st, err := VaryStudy(s, param, values)
	if err != nil {
		return nil, err
	}
	st.Seeds, st.Jobs = seeds, jobs
	return st.Run(ctx)
}

// VaryStudy returns the study Vary runs, without seeds, for a caller to
// adjust (columns, pairing, level, run options) before running it.
func VaryStudy(s *scenarios.Scenario, param string, values []string) (*Study, error) {
	if s == nil || s.Protocol == nil {
		return nil, fmt.Errorf("%w: no scenario to vary", ErrBadStudy)
	}
	i := slices.IndexFunc(s.Protocol.Params, func(p protocols.Param) bool { return p.Name == param })
	if i < 0 {
		var names []string
		for _, p := range s.Protocol.Params {
			names = append(names, p.Name)
		}
		return nil, fmt.Errorf("%w: protocol %s has no parameter %q (it has %s)", ErrBadStudy,
			s.Protocol.Name, param, strings.Join(names, ", "))
	}
	if len(values) == 0 {
		return nil, fmt.Errorf("%w: no values of %s to vary over", ErrBadStudy, param)
	}
	st := &Study{Name: s.Name, Axis: param, Base: s}
	for _, text := range values {
		v, err := ParseParam(s.Protocol.Params[i], text)
		if err != nil {
			return nil, err
		}
		st.Cases = append(st.Cases, Case{Name: text, Changes: []Change{Param(param, v)}})
	}
	return st, nil
}

// ParseParam reads a value of the parameter spec from text, as a scenario
// file writes it, and checks it against the schema: a choice, a range.
func ParseParam(spec protocols.Param, text string) (any, error) {
	v, num, err := parseKind(spec.Kind, strings.TrimSpace(text))
	if err != nil {
		return nil, fmt.Errorf("%w: %s = %q is not %s", ErrBadStudy, spec.Name, text, spec.Kind)
	}
	if spec.Kind == protocols.String && len(spec.Choices) > 0 && !slices.Contains(spec.Choices, v.(string)) {
		return nil, fmt.Errorf("%w: %s = %q is not one of %s", ErrBadStudy, spec.Name, text, strings.Join(spec.Choices, ", "))
	}
	if spec.Max > spec.Min && (num < spec.Min || num > spec.Max) {
		return nil, fmt.Errorf("%w: %s = %s is out of range (want %s to %s)", ErrBadStudy, spec.Name, text,
			bound(spec.Kind, spec.Min), bound(spec.Kind, spec.Max))
	}
	return v, nil
}

// parseKind parses text as a value of kind k, and returns it also as a
// number for range checks (nanoseconds for a duration; 0 for others).
func parseKind(k protocols.ParamKind, text string) (any, float64, error) {
	switch k {
	case protocols.Int:
		n, err := strconv.Atoi(text)
		return n, float64(n), err
	case protocols.Float:
		x, err := strconv.ParseFloat(text, 64)
		return x, x, err
	case protocols.Duration:
		d, err := time.ParseDuration(text)
		return d, float64(d), err
	case protocols.Bool:
		b, err := strconv.ParseBool(text)
		return b, 0, err
	case protocols.String:
		return text, 0, nil
	}
	return nil, 0, fmt.Errorf("unknown kind %v", k)
}

func bound(k protocols.ParamKind, x float64) string {
	if k == protocols.Duration {
		return time.Duration(x).String()
	}
	return strconv.FormatFloat(x, 'g', -1, 64)
}
