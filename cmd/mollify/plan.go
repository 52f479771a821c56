package main

import (
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/mollifying/mollify/harness"
	"github.com/mollifying/mollify/stats"
)

// cmdPlan prints what a sweep will run and what it will cost, running
// nothing: per task × configuration, its tuning and final runs, how many
// the results folder already holds, and the CPU time of the rest. A cell's
// run time is the mean wall time of its runs already in the folder; a cell
// with none is scaled from the others by the tasks' relative costs
// (experiment.Coster); with no run in the folder at all there is no
// estimate.
func cmdPlan(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("plan", stderr)
	var f sweepFlags
	f.register(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	p, err := f.plan()
	if err != nil {
		return err
	}
	r := &harness.Runner{Dir: f.dir()}
	cells, skipped, err := r.Preview(p)
	if err != nil {
		return err
	}
	// Seconds per unit of cost, from every run present.
	var secs, units float64
	for _, c := range cells {
		for _, s := range c.Seconds {
			secs += s
			units += c.Cost
		}
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "task\tconfiguration\ttuning runs\tfinal runs\tdone\tto run\trun time\tCPU to go\n")
	var total time.Duration
	var runs, done int
	unknown := 0
	for _, c := range cells {
		toRun := c.Runs() - c.Done()
		runs += c.Runs()
		done += c.Done()
		per, how := time.Duration(0), "—"
		switch {
		case len(c.Seconds) > 0:
			per, how = seconds(stats.Mean(c.Seconds)), ""
		case units > 0:
			per, how = seconds(c.Cost*secs/units), " (scaled)"
		}
		togo := "—"
		if how != "—" {
			d := time.Duration(toRun) * per
			total += d
			togo = d.Round(time.Second).String()
			how = per.Round(time.Second).String() + how
		} else if toRun > 0 {
			unknown++
		}
		finals := fmt.Sprint(c.FinalSeeds)
		if !c.FinalKnown {
			finals += " (after tuning)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%d × %d seeds\t%s\t%d\t%d\t%s\t%s\n", c.Task, c.Config, c.Trials, c.TuneSeeds, finals, c.Done(), toRun, how, togo)
	}
	tw.Flush()
	for _, s := range skipped {
		fmt.Fprintf(stdout, "not applicable: %s\n", s)
	}
	fmt.Fprintf(stdout, "%d runs, %d done in %s. ", runs, done, f.dir())
	switch {
	case units == 0:
		fmt.Fprintln(stdout, "No run is in the folder yet, so there is no time estimate (make bench estimates the paper profile from measured step times).")
	default:
		fmt.Fprintf(stdout, "CPU time to go: %s, about %s on %d workers", total.Round(time.Minute), (total / time.Duration(max(f.workers, 1))).Round(time.Minute), f.workers)
		if unknown > 0 {
			fmt.Fprintf(stdout, " (%d cells without an estimate)", unknown)
		}
		fmt.Fprintln(stdout, "; run times are this folder's wall times, scaled by the tasks' relative costs where a cell has none.")
	}
	return nil
}

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }
