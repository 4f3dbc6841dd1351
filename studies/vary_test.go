package studies_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/studies"
)

func TestParseParam(t *testing.T) {
	specs := map[string]protocols.Param{
		"int":      {Name: "d", Kind: protocols.Int, Min: 1, Max: 10},
		"float":    {Name: "load", Kind: protocols.Float, Min: 0, Max: 1},
		"duration": {Name: "timeout", Kind: protocols.Duration, Min: float64(time.Millisecond), Max: float64(time.Second)},
		"bool":     {Name: "backups", Kind: protocols.Bool},
		"choice":   {Name: "variant", Kind: protocols.String, Choices: []string{"correct", "no-dedup"}},
		"string":   {Name: "speeds", Kind: protocols.String},
	}
	for _, tt := range []struct {
		spec, text string
		want       any // nil: an error
	}{
		{"int", "3", 3}, {"int", " 3 ", 3}, {"int", "0", nil}, {"int", "11", nil}, {"int", "3.5", nil},
		{"float", "0.25", 0.25}, {"float", "1.5", nil}, {"float", "half", nil},
		{"duration", "250ms", 250 * time.Millisecond}, {"duration", "2s", nil}, {"duration", "250", nil},
		{"bool", "true", true}, {"bool", "false", false}, {"bool", "yes please", nil},
		{"choice", "no-dedup", "no-dedup"}, {"choice", "sloppy", nil},
		{"string", "1,2,3", "1,2,3"},
	} {
		got, err := studies.ParseParam(specs[tt.spec], tt.text)
		if tt.want == nil {
			assert.ErrorIs(t, err, studies.ErrBadStudy, "%s %q", tt.spec, tt.text)
			continue
		}
		require.NoError(t, err, "%s %q", tt.spec, tt.text)
		assert.Equal(t, tt.want, got, "%s %q", tt.spec, tt.text)
	}
}

func TestVaryStudy(t *testing.T) {
	s := load(t, "lb-load-50")
	st, err := studies.VaryStudy(s, "balancer", []string{"random", "join-shortest-queue"})
	require.NoError(t, err)
	require.Len(t, st.Cases, 2)
	assert.Equal(t, "join-shortest-queue", st.Cases[1].Name)
	c := st.Cases[1].Changes[0](s)
	assert.Equal(t, "join-shortest-queue", c.Params.String("balancer"))
	assert.Equal(t, "balancer", st.Axis)

	for name, try := range map[string]func() error{
		"unknown parameter": func() error { _, err := studies.VaryStudy(s, "telepathy", []string{"1"}); return err },
		"bad value":         func() error { _, err := studies.VaryStudy(s, "balancer", []string{"oracle"}); return err },
		"no values":         func() error { _, err := studies.VaryStudy(s, "balancer", nil); return err },
		"no scenario":       func() error { _, err := studies.VaryStudy(nil, "balancer", []string{"random"}); return err },
	} {
		assert.ErrorIs(t, try(), studies.ErrBadStudy, name)
	}
	_, err = studies.VaryStudy(s, "telepathy", []string{"1"})
	assert.ErrorContains(t, err, "it has balancer, d,", "the error lists the parameters")
}
