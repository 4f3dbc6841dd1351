package cli

import (
	"fmt"
	"io"
	"math"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// progress shows a sweep's progress on stderr: a bar on a terminal, and
// elsewhere (a CI log, a file) a line at a steady interval, so that a long
// sweep is never silent.
type progress struct {
	bar    *progressbar.ProgressBar
	done   atomic.Uint64
	failed atomic.Uint64
	stop   func()
}

// newProgress starts showing the progress of a sweep of total runs on w;
// every is the interval between lines when w is not a terminal.
func newProgress(w io.Writer, total uint64, every time.Duration) *progress {
	p := &progress{stop: func() {}}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.bar = progressbar.NewOptions64(int64(min(total, math.MaxInt64)), progressbar.OptionSetWriter(w),
			progressbar.OptionShowCount(), progressbar.OptionShowIts(), progressbar.OptionSetItsString("seeds"),
			progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionClearOnFinish())
		return p
	}
	if every <= 0 {
		return p
	}
	start, ticker, quit := time.Now(), time.NewTicker(every), make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-ticker.C:
				fmt.Fprintln(w, p.line(total, time.Since(start)))
			case <-quit:
				return
			}
		}
	}()
	p.stop = func() { ticker.Stop(); close(quit); wg.Wait() }
	return p
}

// add counts one finished run.
func (p *progress) add(passed bool) {
	p.done.Add(1)
	if !passed {
		p.failed.Add(1)
	}
	if p.bar != nil {
		_ = p.bar.Add(1)
	}
}

// line is one progress line, e.g. "sweep: 1200 of 10000 seeds (12.0%), 3
// failed, 240 seeds/s, about 37s left".
func (p *progress) line(total uint64, elapsed time.Duration) string {
	done, failed := p.done.Load(), p.failed.Load()
	rate := float64(done) / elapsed.Seconds()
	s := fmt.Sprintf("sweep: %d of %d seeds (%.1f%%), %d failed, %.0f seeds/s", done, total,
		100*float64(done)/float64(total), failed, rate)
	if rate > 0 && total < math.MaxUint64/2 {
		left := time.Duration(float64(total-done) / rate * float64(time.Second))
		s += fmt.Sprintf(", about %s left", left.Round(time.Second))
	}
	return s
}
