package cli

import (
	"runtime/debug"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestVersionText(t *testing.T) {
	settings := func(kv ...string) []debug.BuildSetting {
		var s []debug.BuildSetting
		for i := 0; i < len(kv); i += 2 {
			s = append(s, debug.BuildSetting{Key: kv[i], Value: kv[i+1]})
		}
		return s
	}
	platform := settings("GOOS", "linux", "GOARCH", "amd64")
	for _, tc := range []struct {
		name string
		info *debug.BuildInfo
		ok   bool
		want string
	}{
		{"go build from a git checkout", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: modulePath, Version: "v0.3.0"},
			Settings: append(settings("vcs.revision", "1f74e65c", "vcs.time", "2025-06-01T10:00:00Z", "vcs.modified", "true"), platform...)},
			true, "dsim v0.3.0 (module github.com/dsimlab/dsim)\n" +
				"revision 1f74e65c (2025-06-01T10:00:00Z), modified: built with uncommitted changes\n" +
				"go1.26.8 linux/amd64\n"},
		{"go run or go test", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: modulePath, Version: "(devel)"}, Settings: platform},
			true, "dsim (devel) (module github.com/dsimlab/dsim)\n" +
				"revision unknown (go build and go install record it from a git checkout; go run and go test do not)\n" +
				"go1.26.8 linux/amd64\n"},
		{"a command of one's own", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "example.com/regsim"},
			Deps: []*debug.Module{{Path: "github.com/anishathalye/porcupine", Version: "v1.3.1"},
				{Path: modulePath, Version: "v0.0.0-00010101000000-000000000000", Replace: &debug.Module{Path: "../.."}}},
			Settings: append(settings("vcs.revision", "abc"), platform...)},
			true, "dsim (devel) (module example.com/regsim)\nrevision abc\n" +
				"dsim v0.0.0-00010101000000-000000000000 => ../.. (module github.com/dsimlab/dsim)\n" +
				"go1.26.8 linux/amd64\n"},
		{"no build information", nil, false, "dsim: no build information (the program was built without module support)\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, versionText("dsim", tc.info, tc.ok))
		})
	}
}

func TestVersionFlag(t *testing.T) {
	out, stderr, status := dsim(t, Config{Name: "regsim"}, "--version")
	assert.Equal(t, 0, status, stderr)
	assert.Regexp(t, `^regsim \S+ \(module \S+\)\nrevision `, out, "under go test, too")
	assert.Regexp(t, `\ngo1\.\d+\S* \w+/\w+\n$`, out)
}
