package cli

import (
	"fmt"
	"runtime/debug"
	"strings"
)

// modulePath is dsim's module, which a command of one's own depends on.
const modulePath = "github.com/dsimlab/dsim"

// version returns what --version prints about the running program.
func version(name string) string {
	info, ok := debug.ReadBuildInfo()
	return versionText(name, info, ok)
}

// versionText describes a build: the program's module and version, the
// VCS revision it was built from (with its time, and whether the tree had
// uncommitted changes), dsim's version when the program is not dsim itself,
// and the Go toolchain and platform.
func versionText(name string, info *debug.BuildInfo, ok bool) string {
	if !ok {
		return name + ": no build information (the program was built without module support)\n"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s (module %s)\n", name, moduleVersion(info.Main), orUnknown(info.Main.Path))
	b.WriteString(revision(info.Settings) + "\n")
	if info.Main.Path != modulePath {
		for _, dep := range info.Deps {
			if dep.Path == modulePath {
				fmt.Fprintf(&b, "dsim %s (module %s)\n", moduleVersion(*dep), dep.Path)
			}
		}
	}
	goos, goarch := setting(info.Settings, "GOOS"), setting(info.Settings, "GOARCH")
	fmt.Fprintf(&b, "%s %s/%s\n", info.GoVersion, orUnknown(goos), orUnknown(goarch))
	return b.String()
}

// moduleVersion is a module's version, and where a replace directive
// points it.
func moduleVersion(m debug.Module) string {
	v := m.Version
	if v == "" {
		v = "(devel)"
	}
	if m.Replace != nil {
		v += " => " + strings.TrimSpace(m.Replace.Path+" "+m.Replace.Version)
	}
	return v
}

// revision describes the VCS revision of a build, or says why it is not
// known.
func revision(settings []debug.BuildSetting) string {
	rev := setting(settings, "vcs.revision")
	if rev == "" {
		return "revision unknown (go build and go install record it from a git checkout; go run and go test do not)"
	}
	s := "revision " + rev
	if t := setting(settings, "vcs.time"); t != "" {
		s += " (" + t + ")"
	}
	if setting(settings, "vcs.modified") == "true" {
		s += ", modified: built with uncommitted changes"
	}
	return s
}

// toolVersion is the running program's version on one line, as sweeps
// record it so that shards run by different builds are not merged: the
// program's module version, its VCS revision (marked "+modified" if the
// tree had changes), and dsim's version when the program is not dsim.
func toolVersion(name string) string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return name + " (no build information)"
	}
	v := name + " " + moduleVersion(info.Main)
	if rev := setting(info.Settings, "vcs.revision"); rev != "" {
		v += " " + rev[:min(12, len(rev))]
		if setting(info.Settings, "vcs.modified") == "true" {
			v += "+modified"
		}
	}
	if info.Main.Path != modulePath {
		for _, dep := range info.Deps {
			if dep.Path == modulePath {
				v += ", dsim " + moduleVersion(*dep)
			}
		}
	}
	return v
}

// setting returns the value of one build setting, or "".
func setting(settings []debug.BuildSetting, key string) string {
	for _, s := range settings {
		if s.Key == key {
			return s.Value
		}
	}
	return ""
}

// orUnknown returns s, or "unknown" if it is empty.
func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}
