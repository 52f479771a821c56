// Command mollify runs the Mollifying Networks benchmark suite: sweeps of
// tasks × configurations × seeds, reports, and regression checks against
// golden results. Run "mollify help" for the commands.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
