package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestExitStatuses(t *testing.T) {
	tests := []struct {
		args []string
		want int
	}{
		{[]string{"demo"}, exitOK},
		{[]string{"demo", "--seed", "x"}, exitUsage},
		{[]string{"demo", "extra"}, exitUsage},
		{[]string{"no-such-command"}, exitUsage},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, run(tt.args), "dsim %v", tt.args)
	}
}
