package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// Interrupted is the error of a command stopped by a signal: SIGINT (^C) or
// SIGTERM (what a CI runner or Kubernetes sends before killing). Execute
// maps it to the shell's convention, 128 plus the signal's number: 130 for
// SIGINT, 143 for SIGTERM.
type Interrupted struct{ Signal os.Signal }

// Error names the signal.
func (e *Interrupted) Error() string { return "interrupted by " + signalName(e.Signal) }

// status is the exit status for the signal.
func (e *Interrupted) status() int {
	if s, ok := e.Signal.(syscall.Signal); ok {
		return 128 + int(s)
	}
	return 128 + int(syscall.SIGINT)
}

func signalName(s os.Signal) string {
	switch s {
	case os.Interrupt:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	}
	return s.String()
}

// withSignals returns a context cancelled, with an *Interrupted cause, by
// the first SIGINT or SIGTERM: commands then stop starting work, abandon
// runs in progress, print what they found and exit 130 or 143. A second
// signal exits at once, with the same status, telling so on stderr. stop
// ends the watch.
func withSignals(parent context.Context, name string, stderr io.Writer) (ctx context.Context, stop func()) {
	ctx, cancel := context.WithCancelCause(parent)
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case sig := <-sigs:
			cancel(&Interrupted{Signal: sig})
		case <-done:
			return
		}
		select {
		case sig := <-sigs:
			fmt.Fprintf(stderr, "%s: %s again: exiting without waiting\n", name, signalName(sig))
			os.Exit((&Interrupted{Signal: sig}).status())
		case <-done:
		}
	}()
	return ctx, func() {
		signal.Stop(sigs)
		close(done)
		cancel(nil)
	}
}
