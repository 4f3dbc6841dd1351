package debugger

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/scenarios"
	"github.com/dsimlab/dsim/sim"
)

// chromium returns the browser the browser test drives: $DSIM_CHROMIUM, or
// Debian's chromium (which .ci/run installs). It skips the test, saying
// why, when there is none.
func chromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("DSIM_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("no Chromium to drive: install Debian's chromium (apt-get install chromium, as .ci/run does) or set DSIM_CHROMIUM")
	return ""
}

// browser is a headless Chromium page on a debugger server, which records
// console errors, uncaught exceptions and requests that leave the server.
type browser struct {
	t       *testing.T
	ctx     context.Context
	base    string
	shots   string
	mu      sync.Mutex
	errors  []string
	outside []string
}

// newBrowser starts Chromium with the flags that work on a closed network
// (no background requests, no sandbox as root) and a fresh profile.
func newBrowser(t *testing.T, srv *httptest.Server) *browser {
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromium(t)), chromedp.NoSandbox,
		chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1400, 1000))
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	b := &browser{t: t, base: srv.URL, shots: shotDir(t)}
	ctx, cancelCtx := chromedp.NewContext(alloc, chromedp.WithListener(b.listen))
	t.Cleanup(func() { cancelCtx(); cancelAlloc() })
	b.ctx = ctx
	_, err := chromedp.Call(ctx, network.Enable, network.EnableParams{})
	require.NoError(t, err)
	return b
}

// listen records what went wrong in the page.
func (b *browser) listen(ev any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch ev := ev.(type) {
	case *runtime.EventExceptionThrown:
		b.errors = append(b.errors, (&chromedp.ExceptionError{ExceptionDetails: ev.ExceptionDetails}).Error())
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError {
			b.errors = append(b.errors, fmt.Sprint(ev.Args))
		}
	case *network.EventRequestWillBeSent:
		if u := ev.Request.URL; !strings.HasPrefix(u, b.base) && !strings.HasPrefix(u, "data:") && u != "about:blank" {
			b.outside = append(b.outside, u)
		}
	}
}

// do runs actions, failing the test on an error; each has three minutes
// (a loaded CI machine runs the seeds behind the page slowly).
func (b *browser) do(actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 3*time.Minute)
	defer cancel()
	require.NoError(b.t, chromedp.Do(ctx, actions...))
}

// at waits until the page stands after k events.
func at(k uint64) chromedp.Action[chromedp.Void] {
	return chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`#position[data-events="%d"]`, k)))
}

// click clicks the element sel.
func click(sel string) chromedp.Action[chromedp.Void] { return chromedp.Click(chromedp.CSS(sel)) }

// until waits until the JavaScript expression is true.
func until(expr string) chromedp.Action[chromedp.Void] {
	poll := chromedp.Poll[bool](expr)
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := poll(ctx, t)
		return chromedp.Void{}, err
	}
}

// text returns the text of the element sel.
func (b *browser) text(sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel)))
	require.NoError(b.t, err, sel)
	return s
}

// attr returns an attribute of the element sel.
func (b *browser) attr(sel, name string) string {
	b.t.Helper()
	a, err := chromedp.Run(b.ctx, chromedp.AttributeValue(chromedp.CSS(sel), name))
	require.NoError(b.t, err, sel)
	return a.Value
}

// shot saves a screenshot of the whole page as name.png in the test's
// artifact directory and logs its path.
func (b *browser) shot(name string) {
	b.t.Helper()
	b.do(chromedp.Sleep(300 * time.Millisecond))
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	require.NoError(b.t, err)
	path := filepath.Join(b.shots, name+".png")
	require.NoError(b.t, os.WriteFile(path, png, 0o644))
	b.t.Logf("screenshot: %s", path)
}

// clean checks that nothing went wrong in the page so far.
func (b *browser) clean() {
	b.t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	assert.Empty(b.t, b.errors, "errors in the page's console")
	assert.Empty(b.t, b.outside, "requests to anywhere but the debugger")
}

// TestBrowserTwoPC drives the page in Chromium over the bug zoo's
// early-commit 2PC: it loads, steps forward and back, branches (a message
// dropped, saved as a path that replays), and reaches the first violation
// of atomicity, checking what the page shows at each stop. Screenshots go
// to the test's artifact directory (go test -artifacts keeps them).
func TestBrowserTwoPC(t *testing.T) {
	save := filepath.Join(t.TempDir(), "branch.json")
	r := load(t, zooTwoPC, 1)
	srv := httptest.NewServer(NewServer(r, Options{SaveTo: save}).Handler())
	defer srv.Close()
	b := newBrowser(t, srv)

	b.do(chromedp.Navigate(srv.URL+"/"), at(0))
	assert.Contains(t, b.text("#title"), "seed 1")
	assert.Contains(t, b.text("#current"), "the start")
	b.do(click("#forward"), at(1), click("#forward"), at(2), click("#forward10"), at(12), click("#back"), at(11))
	assert.Contains(t, b.text("#current"), "#", "the records of event 11")
	assert.NotEmpty(t, b.text("#checks tbody"))
	b.shot("01-twopc-step")

	// Branch: drop the first message in flight, then save the branch.
	id := b.attr("button.drop", "data-event")
	b.do(click("button.drop"), until(`document.getElementById("status").textContent.startsWith("branched")`))
	assert.Contains(t, b.text("#branch"), "1 choice(s) made")
	assert.Contains(t, b.text("#path-out"), `"action": "drop"`)
	assert.NotContains(t, b.text("#nodes"), "#"+id+" from", "the dropped message is no longer in flight")
	b.do(click("#save"), until(`document.getElementById("status").textContent.startsWith("saved")`))
	b.shot("02-twopc-branch")
	f, err := os.Open(save)
	require.NoError(t, err)
	path, err := scenarios.ReadPath(f)
	f.Close()
	require.NoError(t, err)
	require.Len(t, path.Steps, 1)
	_, err = scenarios.Run(r.Scenario, path.Seed, scenarios.RunOptions{Steps: path.Steps})
	assert.NoError(t, err, "the saved branch replays")

	// Back to the run as scheduled, and to its first violation.
	want, err := r.FirstViolation()
	require.NoError(t, err)
	b.do(click("#reset"), until(`document.getElementById("branch").textContent === "as scheduled"`),
		click("#violation"), at(want.Events))
	assert.Contains(t, b.text("#violation-text"), fmt.Sprintf("First violation: event %d", want.Events))
	assert.Contains(t, b.text(`#checks tr[data-check="atomicity"]`), "VIOLATED")
	assert.Contains(t, b.text("#current"), "commit", "the event that broke atomicity is a commit")
	b.shot("03-twopc-violation")
	b.clean()
}

// TestBrowserPaxos reaches the first violation of the bug zoo's
// follower-local-reads Paxos, where linearizability fails and porcupine's
// view of the history so far opens in the page.
func TestBrowserPaxos(t *testing.T) {
	r := load(t, zooPaxos, 1)
	srv := httptest.NewServer(NewServer(r, Options{}).Handler())
	defer srv.Close()
	b := newBrowser(t, srv)
	want, err := r.FirstViolation()
	require.NoError(t, err)

	b.do(chromedp.Navigate(srv.URL+"/"), at(0), click("#violation"), at(want.Events), chromedp.WaitVisible(chromedp.CSS("#porcupine")))
	assert.Contains(t, b.text(`#checks tr[data-check="linearizability"]`), "VIOLATED")
	assert.Contains(t, b.text("#porcupine-note"), "opened at its first error")
	src := b.attr("#porcupine", "src")
	assert.Equal(t, fmt.Sprintf("/porcupine?at=%d", want.Events), src)
	b.do(click("#back"), at(want.Events-1))
	assert.NotContains(t, b.text(`#checks tr[data-check="linearizability"]`), "VIOLATED", "one event earlier it holds")
	b.do(click("#forward"), at(want.Events), chromedp.WaitVisible(chromedp.CSS("#porcupine")))
	b.shot("04-paxos-violation")
	b.clean()
}

// shotDir is where screenshots go: $DSIM_SCREENSHOTS (CI sets it, so that
// the plain go test ./... keeps them), or the test's artifact directory
// (go test -artifacts).
func shotDir(t *testing.T) string {
	if dir := os.Getenv("DSIM_SCREENSHOTS"); dir != "" {
		dir = filepath.Join(dir, t.Name())
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	return t.ArtifactDir()
}

// TestBrowserTrace opens the trace `dsim run echo-faults --seed 1 --trace`
// writes, read-only: the page says why it cannot branch or check, steps
// record by record, and goes from fault to fault to the server's crash,
// where the server is down, messages are still in flight to it and the
// diagram marks the crash; a record earlier the server is up.
func TestBrowserTrace(t *testing.T) {
	file, _ := writeTrace(t, "echo-faults", 1)
	tr := readTrace(t, file, 0)
	var crash *sim.Event
	var faults []uint64 // the positions of the faults up to the first crash
	for i := range tr.Events {
		if e := &tr.Events[i]; e.Kind.IsFault() && crash == nil {
			faults = append(faults, e.Seq+1)
			if e.Kind == sim.KindCrash {
				crash = e
			}
		}
	}
	require.NotNil(t, crash, "echo-faults crashes its server")
	srv := httptest.NewServer(NewTraceServer(tr).Handler())
	defer srv.Close()
	b := newBrowser(t, srv)

	b.do(chromedp.Navigate(srv.URL+"/"), at(0), chromedp.WaitVisible(chromedp.CSS("#trace-note")))
	assert.Equal(t, "trace "+file, b.text("#title"))
	assert.Contains(t, b.text("#branch"), fmt.Sprintf("read-only, %d records", len(tr.Events)))
	assert.Contains(t, b.text("#trace-note"), "A trace carries no code, so there is no branching")
	assert.Contains(t, b.text("#trace-note"), "Porcupine is not offered")
	for _, live := range []string{"#violation", "#save", "#checks", "#porcupine-note", "#path-out"} {
		b.do(chromedp.WaitNotVisible(chromedp.CSS(live)))
	}
	b.do(click("#forward"), at(1), click("#forward"), at(2))
	assert.Contains(t, b.text("#current"), "#1 ")
	assert.Contains(t, b.text("#position"), fmt.Sprintf("record 2 of %d", len(tr.Events)))

	require.Greater(t, len(faults), 1, "a clock change, a partition and a heal come first")
	for _, k := range faults {
		b.do(click("#next-fault"), at(k))
	}
	assert.Contains(t, b.text("#current"), fmt.Sprintf("#%d ", crash.Seq)+time.Duration(crash.Time).String()+" crash server")
	assert.Equal(t, "down", b.text(`.node[data-node="server"] h3 .muted`))
	assert.Contains(t, b.attr(`.node[data-node="server"]`, "class"), "down")
	assert.Contains(t, b.text(`.node[data-node="server"] .recent`), "crash server", "its last events end with the crash")
	assert.Contains(t, b.text("#nodes"), "messages in flight to it:")
	assert.Contains(t, b.text("#nodes"), " sent ", "a trace knows when a message was sent")
	assert.Contains(t, b.attr(`#diagram .mark.crash`, "class"), "crash")
	b.do(chromedp.WaitNotPresent(chromedp.CSS("button.crash, button.restart, button.drop, button.fire")))
	b.shot("05-trace-crash")

	b.do(click("#back"), at(crash.Seq))
	assert.Equal(t, "up", b.text(`.node[data-node="server"] h3 .muted`))
	b.do(click("#last"), at(uint64(len(tr.Events))))
	assert.Contains(t, b.text("#position"), "(end)")
	b.shot("06-trace-end")
	b.clean()
}
