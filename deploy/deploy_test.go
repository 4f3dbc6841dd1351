// Package deploy_test runs the command lines of the manifests in deploy/
// (a Kubernetes Indexed Job and a GitHub Actions matrix workflow) as they
// are written, for every shard index, on a small seed range, merges the
// shards' results with the command the manifests' merge step runs, and
// compares the merge with the unsharded sweep.
package deploy_test

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

// smallRange is the seed range the test sweeps instead of the manifests'.
const smallRange = "1-24"

// build builds dsim into a directory of its own and returns it.
func build(t *testing.T) string {
	t.Helper()
	bin := t.TempDir()
	cmd := exec.Command("go", "build", "-o", filepath.Join(bin, "dsim"), "./cmd/dsim")
	cmd.Dir = ".."
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, string(out))
	return bin
}

// scenarioFile writes a scenario about half of whose seeds fail (2PC
// whose participants abort on their own after voting yes, under
// partitions), so that the merge has failing seeds to get right.
func scenarioFile(t *testing.T) string {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("..", "scenarios", "library", "twopc-partition.yaml"))
	require.NoError(t, err)
	text := strings.Replace(string(src), "  variant: correct", "  variant: unilateral-abort", 1)
	require.NotEqual(t, string(src), text)
	file := filepath.Join(t.TempDir(), "unilateral-abort.yaml")
	require.NoError(t, os.WriteFile(file, []byte(text), 0o644))
	return file
}

// sh runs a shell script in dir with env added, and returns its standard
// output and exit status.
func sh(t *testing.T, dir, script string, env map[string]string) (string, int) {
	t.Helper()
	cmd := exec.Command("sh", "-c", script)
	cmd.Dir = dir
	cmd.Env = os.Environ()
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	status := 0
	if ee, ok := err.(*exec.ExitError); ok {
		status = ee.ExitCode()
	} else {
		require.NoError(t, err, errOut.String())
	}
	return out.String(), status
}

// unsharded runs the whole sweep on one machine and returns its JSON
// summary without wall times and shard.
func unsharded(t *testing.T, bin, scenario string) map[string]any {
	t.Helper()
	out, status := sh(t, bin, `./dsim sweep "$SCENARIO" --seeds "$SEEDS" --format json`, map[string]string{"SCENARIO": scenario, "SEEDS": smallRange})
	require.Equal(t, 1, status, "some seeds fail")
	return summary(t, out)
}

// summary decodes a JSON summary without what differs between a sweep on
// one machine and a merge of shards: wall times and rates.
func summary(t *testing.T, out string) map[string]any {
	t.Helper()
	var doc map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &doc), out)
	for _, k := range []string{"wall_ns", "events_per_s", "seeds_per_s"} {
		delete(doc, k)
	}
	return doc
}

// job is what the test reads from the Kubernetes manifest.
type job struct {
	Kind string
	Spec struct {
		CompletionMode string `yaml:"completionMode"`
		Completions    int
		Parallelism    int
		Template       struct {
			Spec struct {
				Containers []struct {
					Command []string
					Args    []string
					Env     []struct{ Name, Value string }
				}
			}
		}
	}
}

// readJob reads the Job of the Kubernetes manifest.
func readJob(t *testing.T) job {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("kubernetes", "dsim-sweep.yaml"))
	require.NoError(t, err)
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var j job
		require.NoError(t, dec.Decode(&j), "the manifest has a Job")
		if j.Kind == "Job" {
			return j
		}
	}
}

// TestKubernetesIndexedJob runs the Job's container command once for each
// completion index, as Kubernetes would (JOB_COMPLETION_INDEX set, the
// manifest's environment, the seed range made small and the results
// volume a directory), then merges the shards as the manifest's comment
// says: the merge is the unsharded sweep.
func TestKubernetesIndexedJob(t *testing.T) {
	bin, scenario := build(t), scenarioFile(t)
	j := readJob(t)
	assert.Equal(t, "Indexed", j.Spec.CompletionMode)
	require.Len(t, j.Spec.Template.Spec.Containers, 1)
	c := j.Spec.Template.Spec.Containers[0]
	require.Equal(t, []string{"sh", "-c"}, c.Command)
	require.Len(t, c.Args, 1)
	env := map[string]string{}
	for _, e := range c.Env {
		env[e.Name] = e.Value
	}
	assert.Equal(t, strconv.Itoa(j.Spec.Completions), env["SHARDS"], "SHARDS is the number of completions")
	assert.Equal(t, j.Spec.Completions, j.Spec.Parallelism)
	results := t.TempDir()
	env["SCENARIO"], env["SEEDS"], env["RESULTS"] = scenario, smallRange, results
	env["PATH"] = bin + string(os.PathListSeparator) + os.Getenv("PATH")
	for i := range j.Spec.Completions {
		env["JOB_COMPLETION_INDEX"] = strconv.Itoa(i)
		_, status := sh(t, results, c.Args[0], env)
		require.Equal(t, 0, status, "shard %d: a shard with failing seeds is done, not failed", i)
	}
	files, err := filepath.Glob(filepath.Join(results, "shard-*.json"))
	require.NoError(t, err)
	require.Len(t, files, j.Spec.Completions)
	merge := regexp.MustCompile(`"sh","-c","(dsim merge [^"]*)"`).FindSubmatch(mustRead(t, filepath.Join("kubernetes", "dsim-sweep.yaml")))
	require.NotNil(t, merge, "the manifest says how to merge")
	out, status := sh(t, "/", strings.ReplaceAll(string(merge[1]), "/results", results)+" --format json", env)
	require.Equal(t, 1, status)
	assert.Equal(t, unsharded(t, bin, scenario), summary(t, out))

	// A pod run again (after a kill) resumes its shard from its journal:
	// it runs no seed again, and writes the same summary.
	env["JOB_COMPLETION_INDEX"] = "0"
	first := mustRead(t, files[0])
	_, status = sh(t, results, c.Args[0], env)
	require.Equal(t, 0, status)
	assert.Equal(t, summary(t, string(first))["digest"], summary(t, string(mustRead(t, files[0])))["digest"])
}

// workflow is what the test reads from the GitHub Actions workflow.
type workflow struct {
	Env  map[string]string
	Jobs map[string]struct {
		Needs    string
		Strategy struct {
			Matrix struct{ Shard []int }
		}
		Steps []struct {
			Name string
			Run  string
		}
	}
}

// step returns the run script of a job's step, by name.
func (w workflow) step(t *testing.T, job, name string) string {
	t.Helper()
	for _, s := range w.Jobs[job].Steps {
		if s.Name == name {
			return s.Run
		}
	}
	t.Fatalf("job %s has no step %s", job, name)
	return ""
}

// TestGitHubActionsMatrix runs the sweep step of the workflow once for
// each matrix entry, in one directory (where the merge job's
// download-artifact step puts every shard's file), with the workflow's
// environment and the seed range made small, then runs the merge step: its
// JUnit file and its summary are the unsharded sweep's.
func TestGitHubActionsMatrix(t *testing.T) {
	bin, scenario := build(t), scenarioFile(t)
	var w workflow
	require.NoError(t, yaml.Unmarshal(mustRead(t, filepath.Join("github", "dsim-sweep.yml")), &w))
	shards := w.Jobs["sweep"].Strategy.Matrix.Shard
	require.NotEmpty(t, shards)
	assert.Equal(t, strconv.Itoa(len(shards)), w.Env["SHARDS"], "SHARDS is the number of matrix entries")
	assert.Equal(t, "sweep", w.Jobs["merge"].Needs)
	env := map[string]string{"SCENARIO": scenario, "SEEDS": smallRange, "SHARDS": w.Env["SHARDS"]}
	for _, shard := range shards {
		script := strings.ReplaceAll(w.step(t, "sweep", "sweep"), "${{ matrix.shard }}", strconv.Itoa(shard))
		require.NotContains(t, script, "${{", "every expression is substituted")
		_, status := sh(t, bin, script, env)
		require.Equal(t, 0, status, "shard %d", shard)
	}
	out, status := sh(t, bin, w.step(t, "merge", "merge"), env)
	assert.Equal(t, 1, status, "the merge step fails when seeds fail")
	want := unsharded(t, bin, scenario)
	assert.Contains(t, out, "digest       "+want["digest"].(string)+"\n")
	assert.Contains(t, out, "seeds        "+smallRange+"\n")
	junit := string(mustRead(t, filepath.Join(bin, "junit.xml")))
	assert.Contains(t, junit, `<property name="digest" value="`+want["digest"].(string)+`">`)
	assert.Contains(t, junit, `<testcase name="atomicity (safety)"`)
	for _, f := range want["failing"].([]any) {
		seed := strconv.FormatFloat(f.(map[string]any)["seed"].(float64), 'f', 0, 64)
		assert.True(t, strings.Contains(junit, "seed "+seed+": dsim run "+scenario+" --seed "+seed), "seed %s is listed with its replay command", seed)
	}
}

func mustRead(t *testing.T, file string) []byte {
	t.Helper()
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	return data
}
