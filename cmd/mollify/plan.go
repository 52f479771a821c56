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
	est, err := estimatePlan(f, p, *measure, stderr)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "task\tconfiguration\ttuning runs\tfinal runs\tdone\tto run\trun time\tCPU to go\n")
	for _, row := range est.rows {
		c := row.CellPlan
		how, togo := "—", "—"
		if row.known {
			how = format.Duration(row.per) + row.how
			togo = format.Duration(time.Duration(c.Runs()-c.Done()) * row.per)
		}
		finals := fmt.Sprint(c.FinalSeeds)
		if !c.FinalKnown {
			finals += " (after tuning)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%d × %d seeds\t%s\t%d\t%d\t%s\t%s\n", c.Task, c.Config, c.Trials, c.TuneSeeds, finals, c.Done(), c.Runs()-c.Done(), how, togo)
	}
	tw.Flush()
	for _, s := range est.skipped {
		fmt.Fprintf(stdout, "not applicable: %s\n", s)
	}
	est.summary(stdout, f.dir(), cores)
	if len(est.taskOrder) > 0 {
		fmt.Fprintln(stdout, "Run times: the folder's wall times where a cell has runs; (step): updates × a measured step plus evaluations × a measured evaluation, CPU time on this machine now; (scaled): the other cells' times scaled by the tasks' relative costs.")
	}
	return nil
}

// planEstimate is the cost of what a sweep has left to run.
type planEstimate struct {
	rows    []planRow
	skipped []string
	// runs and done count the sweep's runs and those in the folder;
	// unknown counts cells with runs to go and no estimate.
	runs, done, unknown int
	total               time.Duration
	byTask              map[string]time.Duration
	taskOrder           []string
	// tuneRuns and finalRuns are the estimated times of the runs to go,
	// one entry per run, for the wall-time estimate.
	tuneRuns, finalRuns []time.Duration
}

// planRow is one cell with the estimated time of one of its runs (per,
// known) and how it was obtained (how: "", " (step)", " (scaled)").
type planRow struct {
	harness.CellPlan
	per   time.Duration
	how   string
	known bool
}

// estimatePlan previews p in the folder of f and estimates each cell's run
// time: the mean wall time of its runs already in the folder; for a cell
// with none, a short measurement of its step when measure is set, or else
// the other cells' times scaled by the tasks' relative costs.
func estimatePlan(f sweepFlags, p harness.Plan, measure bool, stderr io.Writer) (*planEstimate, error) {
	r := &harness.Runner{Dir: f.dir()}
	cells, skipped, err := r.Preview(p)
	if err != nil {
		return nil, err
	}
	// Seconds per unit of cost, from every run present.
	var secs, units float64
	for _, c := range cells {
		for _, s := range c.Seconds {
			secs += s
			units += c.Cost
		}
	}
	var measured map[string]speed.RunCost
	if measure {
		unmeasured := map[string]bool{}
		for _, c := range cells {
			if len(c.Seconds) == 0 && c.Runs() > c.Done() {
				unmeasured[c.Task+"/"+c.Config] = true
			}
		}
		if len(unmeasured) > 0 {
			fmt.Fprintf(stderr, "plan: measuring the step of %d cells without runs...\n", len(unmeasured))
			measured, err = speed.EstimateRuns(f.prof, func(task, config string) bool { return unmeasured[task+"/"+config] }, 300*time.Millisecond)
			if err != nil {
				return nil, err
			}
		}
	}
	est := &planEstimate{skipped: skipped, byTask: map[string]time.Duration{}}
	for _, c := range cells {
		row := planRow{CellPlan: c, known: true}
		rc, ok := measured[c.Task+"/"+c.Config]
		switch {
		case len(c.Seconds) > 0:
			row.per = seconds(stats.Mean(c.Seconds))
		case ok:
			row.per, row.how = rc.Run(), " (step)"
			if rc.Scaled != "" {
				row.how = " (step, scaled from " + rc.Scaled + ")"
			}
		case units > 0:
			row.per, row.how = seconds(c.Cost*secs/units), " (scaled)"
		default:
			row.known = false
		}
		est.rows = append(est.rows, row)
		toRun := c.Runs() - c.Done()
		est.runs += c.Runs()
		est.done += c.Done()
		if !row.known {
			if toRun > 0 {
				est.unknown++
			}
			continue
		}
		d := time.Duration(toRun) * row.per
		est.total += d
		if !slices.Contains(est.taskOrder, c.Task) {
			est.taskOrder = append(est.taskOrder, c.Task)
		}
		est.byTask[c.Task] += d
		for range c.Trials*c.TuneSeeds - c.TuneDone {
			est.tuneRuns = append(est.tuneRuns, row.per)
		}
		for range c.FinalSeeds - c.FinalDone {
			est.finalRuns = append(est.finalRuns, row.per)
		}
	}
	return est, nil
}

// summary prints the runs done and to go in dir, the CPU time to go per
// task, and the wall time on each of cores.
func (e *planEstimate) summary(w io.Writer, dir string, cores []int) {
	fmt.Fprintf(w, "%d runs, %d done in %s.\n", e.runs, e.done, dir)
	if len(e.taskOrder) == 0 {
		if e.runs > e.done {
			fmt.Fprintln(w, "No run is in the folder yet and -measure=false, so there is no time estimate.")
		}
		return
	}
	var parts []string
	for _, t := range e.taskOrder {
		parts = append(parts, t+" "+format.Duration(e.byTask[t]))
	}
	fmt.Fprintf(w, "CPU time to go: %s (%s).\n", format.Duration(e.total), strings.Join(parts, ", "))
	var walls []string
	for _, n := range cores {
		unit := "cores"
		if n == 1 {
			unit = "core"
		}
		walls = append(walls, fmt.Sprintf("%s on %d %s", format.Duration(wall(e.tuneRuns, n)+wall(e.finalRuns, n)), n, unit))
	}
	fmt.Fprintf(w, "Wall time to go, tuning then final runs, one run per core: %s.\n", strings.Join(walls, ", "))
	if e.unknown > 0 {
		fmt.Fprintf(w, "%d cells have no estimate.\n", e.unknown)
	}
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
