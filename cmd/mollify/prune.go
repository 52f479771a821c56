package main

import (
	"fmt"
	"io"
	"os"

	"github.com/mollifying/mollify/experiment"
	"github.com/mollifying/mollify/harness"
)

// cmdPrune lists, and with -delete removes, the result files of a sweep's
// tasks and configurations that the sweep would not produce
// ([harness.Runner.Stale]): what is left after a grid, budget, option or
// design changed. The report refuses a folder whose configurations mix
// points (see report.Build), so prune is the step between changing a
// protocol and reporting on it.
func cmdPrune(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("prune", stderr)
	var f sweepFlags
	f.register(fs, experiment.Paper)
	del := fs.Bool("delete", false, "remove the files listed (default: only list them)")
	if err := parse(fs, args); err != nil {
		return err
	}
	p, err := f.plan()
	if err != nil {
		return err
	}
	stale, err := (&harness.Runner{Dir: f.dir()}).Stale(p)
	if err != nil {
		return err
	}
	for _, s := range stale {
		fmt.Fprintf(stdout, "%s: %s\n", s.Path, s.Reason)
	}
	if !*del {
		fmt.Fprintf(stdout, "%d stale result files in %s; -delete removes them\n", len(stale), f.dir())
		return nil
	}
	for _, s := range stale {
		if err := os.Remove(s.Path); err != nil {
			return fmt.Errorf("prune: %w", err)
		}
	}
	fmt.Fprintf(stdout, "%d stale result files removed from %s\n", len(stale), f.dir())
	return nil
}
