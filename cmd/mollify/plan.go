package main

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/mollifying/mollify/experiment"
	"github.com/mollifying/mollify/harness"
	"github.com/mollifying/mollify/internal/format"
	"github.com/mollifying/mollify/perf/speed"
	"github.com/mollifying/mollify/stats"
)

// cmdPlan prints what a sweep will run and what it will cost, running
// nothing: per task × configuration, its tuning and final runs, how many
// the results folder already holds, and the CPU time of the rest; then the
// CPU time per task and the wall time on several core counts. A cell's run
// time is the mean wall time of its runs already in the folder; a cell with
// none is estimated from a short measurement of its update and evaluation
// at the profile's sizes (perf/speed.EstimateRuns), or, with -measure=false,
// scaled from the other cells by the tasks' relative costs.
func cmdPlan(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("plan", stderr)
	var f sweepFlags
	f.register(fs, experiment.Paper)
	measure := fs.Bool("measure", true, "estimate cells without runs from a short measurement of their step (about 0.3 s each)")
	coresFlag := fs.String("cores", "", "comma-separated core counts for the wall-time estimate (default: -workers, 100, 1000)")
	if err := parse(fs, args); err != nil {
		return err
	}
	p, err := f.plan()
	if err != nil {
		return err
	}
	cores := []int{f.workers, 100, 1000}
	if *coresFlag != "" {
		cores = nil
		for _, s := range strings.Split(*coresFlag, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(s))
			if err != nil || n < 1 {
				return usagef("-cores: %q is not a positive whole number", s)
			}
			cores = append(cores, n)
		}
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
	var est map[string]speed.RunCost
	if *measure {
		unmeasured := map[string]bool{}
		for _, c := range cells {
			if len(c.Seconds) == 0 && c.Runs() > c.Done() {
				unmeasured[c.Task+"/"+c.Config] = true
			}
		}
		if len(unmeasured) > 0 {
			fmt.Fprintf(stderr, "plan: measuring the step of %d cells without runs...\n", len(unmeasured))
			est, err = speed.EstimateRuns(f.prof, func(task, config string) bool { return unmeasured[task+"/"+config] }, 300*time.Millisecond)
			if err != nil {
				return err
			}
		}
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "task\tconfiguration\ttuning runs\tfinal runs\tdone\tto run\trun time\tCPU to go\n")
	var total time.Duration
	var runs, done, unknown int
	var tuneRuns, finalRuns []time.Duration
	byTask := map[string]time.Duration{}
	var taskOrder []string
	for _, c := range cells {
		toRun := c.Runs() - c.Done()
		runs += c.Runs()
		done += c.Done()
		per, how := time.Duration(0), "—"
		rc, measured := est[c.Task+"/"+c.Config]
		switch {
		case len(c.Seconds) > 0:
			per, how = seconds(stats.Mean(c.Seconds)), ""
		case measured:
			per, how = rc.Run(), " (step)"
			if rc.Scaled != "" {
				how = " (step, scaled from " + rc.Scaled + ")"
			}
		case units > 0:
			per, how = seconds(c.Cost*secs/units), " (scaled)"
		}
		togo := "—"
		if how != "—" {
			d := time.Duration(toRun) * per
			total += d
			if !slices.Contains(taskOrder, c.Task) {
				taskOrder = append(taskOrder, c.Task)
			}
			byTask[c.Task] += d
			for range c.Trials*c.TuneSeeds - c.TuneDone {
				tuneRuns = append(tuneRuns, per)
			}
			for range c.FinalSeeds - c.FinalDone {
				finalRuns = append(finalRuns, per)
			}
			togo = format.Duration(d)
			how = format.Duration(per) + how
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
	fmt.Fprintf(stdout, "%d runs, %d done in %s.\n", runs, done, f.dir())
	if len(taskOrder) == 0 {
		if runs > done {
			fmt.Fprintln(stdout, "No run is in the folder yet and -measure=false, so there is no time estimate.")
		}
		return nil
	}
	var parts []string
	for _, t := range taskOrder {
		parts = append(parts, t+" "+format.Duration(byTask[t]))
	}
	fmt.Fprintf(stdout, "CPU time to go: %s (%s).\n", format.Duration(total), strings.Join(parts, ", "))
	var walls []string
	for _, n := range cores {
		walls = append(walls, fmt.Sprintf("%s on %d cores", format.Duration(wall(tuneRuns, n)+wall(finalRuns, n)), n))
	}
	fmt.Fprintf(stdout, "Wall time to go, tuning then final runs, one run per core: %s.\n", strings.Join(walls, ", "))
	if unknown > 0 {
		fmt.Fprintf(stdout, "%d cells have no estimate.\n", unknown)
	}
	fmt.Fprintln(stdout, "Run times: the folder's wall times where a cell has runs; (step): updates × a measured step plus evaluations × a measured evaluation, CPU time on this machine now; (scaled): the other cells' times scaled by the tasks' relative costs.")
	return nil
}

// wall is the time a phase of runs takes on n cores, one run per core: at
// least its CPU time over the cores and at least its longest run.
func wall(runs []time.Duration, n int) time.Duration {
	var sum, longest time.Duration
	for _, d := range runs {
		sum += d
		longest = max(longest, d)
	}
	return max(sum/time.Duration(n), longest)
}

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }
