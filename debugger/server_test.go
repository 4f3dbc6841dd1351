package debugger

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/scenarios"
	"github.com/dsimlab/dsim/sim"
)

// get fetches path from srv and decodes its JSON into v, returning the
// status code.
func call(t *testing.T, srv *httptest.Server, method, path, body string, v any) int {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	require.NoError(t, err)
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	if v != nil {
		require.NoError(t, json.NewDecoder(resp.Body).Decode(v))
	}
	return resp.StatusCode
}

// TestServerAPI walks the API as the page does: the run, a state, a
// branch, the path, a save, the violation and porcupine's page.
func TestServerAPI(t *testing.T) {
	save := filepath.Join(t.TempDir(), "branch.json")
	srv := httptest.NewServer(NewServer(load(t, zooPaxos, 1), Options{SaveTo: save}).Handler())
	defer srv.Close()

	var info RunInfo
	require.Equal(t, 200, call(t, srv, "GET", "/api/run", "", &info))
	assert.Equal(t, zooPaxos, info.Scenario)
	assert.Equal(t, []string{"n1", "n2", "n3", "n4", "n5", "c1", "c2", "c3"}, info.Nodes)
	assert.Greater(t, info.Total, uint64(1000))

	var st State
	require.Equal(t, 200, call(t, srv, "GET", "/api/state?at=100", "", &st))
	assert.Equal(t, uint64(100), st.Events)
	assert.Contains(t, st.Diagram, `<svg id="diagram"`)
	assert.Contains(t, st.Diagram, `class="rule now"`)
	require.Len(t, st.Nodes, 8)
	require.NotEmpty(t, st.Current)
	assert.Contains(t, st.Current[0], "#", "records are numbered")
	var msg *PendingView
	for _, n := range st.Nodes {
		if len(n.Inbound) > 0 && msg == nil {
			msg = &n.Inbound[0]
		}
	}
	require.NotNil(t, msg, "some message is in flight after 100 events")
	for _, c := range st.Checks {
		assert.Equal(t, "holds", c.Verdict, c.Name)
		assert.Equal(t, "safety", c.Kind, "liveness waits for the end")
	}
	var bad map[string]string
	assert.Equal(t, 400, call(t, srv, "GET", "/api/state?at=x", "", &bad))
	assert.Contains(t, bad["error"], "at:")

	var br branchReply
	require.Equal(t, 200, call(t, srv, "POST", "/api/branch", `{"at":100,"action":"fire","event":`+jsonNum(msg.ID)+`}`, &br))
	assert.Equal(t, uint64(101), br.Events)
	assert.Equal(t, 400, call(t, srv, "POST", "/api/branch", `{"at":100,"action":"drop","event":1}`, &bad))
	var path scenarios.Path
	require.Equal(t, 200, call(t, srv, "GET", "/api/path", "", &path))
	assert.Equal(t, []scenarios.Step{{After: 100, Action: "fire", Event: msg.ID}}, path.Steps)
	var saved saveReply
	require.Equal(t, 200, call(t, srv, "POST", "/api/save", "{}", &saved))
	f, err := os.Open(save)
	require.NoError(t, err)
	defer f.Close()
	onDisk, err := scenarios.ReadPath(f)
	require.NoError(t, err)
	assert.Equal(t, path.Steps, onDisk.Steps)
	assert.Equal(t, zooPaxos, onDisk.Scenario)

	require.Equal(t, 200, call(t, srv, "POST", "/api/reset", "{}", &br))
	var v Violation
	require.Equal(t, 200, call(t, srv, "GET", "/api/violation", "", &v))
	assert.Equal(t, "linearizability", v.Check)
	resp, err := srv.Client().Get(srv.URL + "/porcupine?at=" + jsonNum(v.Events))
	require.NoError(t, err)
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Contains(t, string(page), "jump-link", "porcupine's own page")
	assert.Contains(t, string(page), `dispatchEvent(new MouseEvent("click"))`, "opened at its first error")
	resp, err = srv.Client().Get(srv.URL + "/porcupine?at=10")
	require.NoError(t, err)
	page, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Contains(t, string(page), "no linearizability")
}

// TestServerSaveNeedsAFile checks that save without --save says so.
func TestServerSaveNeedsAFile(t *testing.T) {
	srv := httptest.NewServer(NewServer(load(t, "echo-calm", 1), Options{}).Handler())
	defer srv.Close()
	var bad map[string]string
	assert.Equal(t, 400, call(t, srv, "POST", "/api/save", "{}", &bad))
	assert.Contains(t, bad["error"], "--save")
	resp, err := srv.Client().Get(srv.URL + "/")
	require.NoError(t, err)
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Contains(t, string(page), "<title>dsim debug</title>")
	assert.NotRegexp(t, `(src|href)="(https?:)?//`, string(page), "the page fetches nothing from elsewhere")
}

func jsonNum(n uint64) string { b, _ := json.Marshal(n); return string(b) }

// TestTraceServerAPI walks the API over traces of real runs as the page
// does: the trace's summary and a state, and the routes that need the
// scenario, each of which says why it cannot answer.
func TestTraceServerAPI(t *testing.T) {
	for _, tc := range []struct {
		name   string
		after  sim.Kind // the position is just after the first record of this kind,
		at     uint64   // or this one
		status string   // the status of the node of the position's record
	}{
		{name: "echo-faults", after: sim.KindCrash, status: "down"},
		{name: "detector-pauses", after: sim.KindPause, status: "paused"},
		{name: zooTwoPC, at: 100},
	} {
		t.Run(tc.name, func(t *testing.T) {
			file, o := writeTrace(t, tc.name, 1)
			tr := readTrace(t, file, 0)
			srv := httptest.NewServer(NewTraceServer(tr).Handler())
			defer srv.Close()
			for i := range tr.Events {
				if tc.after != 0 && tr.Events[i].Kind == tc.after && tc.at == 0 {
					tc.at = uint64(i) + 1
				}
			}
			require.Positive(t, tc.at)

			var info RunInfo
			require.Equal(t, 200, call(t, srv, "GET", "/api/run", "", &info))
			require.NotNil(t, info.Trace)
			assert.Equal(t, file, info.Trace.File)
			assert.Equal(t, uint64(len(o.World.Trace())), info.Total)
			assert.Equal(t, time.Duration(o.World.Trace()[info.Total-1].Time).String(), info.EndTime)
			var st State
			require.Equal(t, 200, call(t, srv, "GET", "/api/state?at="+jsonNum(tc.at), "", &st))
			assert.Equal(t, tc.at, st.Events)
			want := o.World.Trace()[tc.at-1]
			require.Len(t, st.Current, 1)
			assert.Equal(t, describeRecord(o.World, &want), st.Current[0])
			assert.Contains(t, st.Diagram, fmt.Sprintf(">record %d</text>", tc.at))
			if tc.status != "" {
				assert.Equal(t, tc.status, st.Nodes[want.Node].Status)
			}
			for _, route := range []struct{ method, path string }{{"GET", "/api/violation"}, {"POST", "/api/branch"},
				{"POST", "/api/reset"}, {"GET", "/api/path"}, {"POST", "/api/save"}, {"GET", "/porcupine?at=1"}} {
				var bad map[string]string
				assert.Equal(t, 400, call(t, srv, route.method, route.path, "{}", &bad), route.path)
				assert.Contains(t, bad["error"], "a trace carries no code", route.path)
			}
		})
	}
}
