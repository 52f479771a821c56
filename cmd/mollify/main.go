// Command mollify runs the Mollifying Networks benchmark suite: sweeps of
// tasks × configurations × seeds, reports, and regression checks against
// golden results. Run "mollify help" for the commands.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/mollifying/mollify/harness"
)

func main() {
	ctx, cancel := signalContext(os.Stderr)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	cancel()
	os.Exit(code)
}

// signalContext stops a sweep on SIGINT or SIGTERM: the first signal
// after the runs in flight are saved, a second one at once.
func signalContext(stderr *os.File) (context.Context, func()) {
	hard, cancel := context.WithCancel(context.Background())
	stop := make(chan struct{})
	sig := make(chan os.Signal, 2)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	go func() {
		if _, ok := <-sig; !ok {
			return
		}
		stderr.WriteString("mollify: stopping once the runs in flight are saved (signal again to stop at once)\n")
		close(stop)
		if _, ok := <-sig; ok {
			cancel()
		}
	}()
	return harness.WithStop(hard, stop), func() { signal.Stop(sig); close(sig); cancel() }
}
