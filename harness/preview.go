package harness

import (
	"os"

	"github.com/mollifying/mollify/store"
)

// CellPlan is what a sweep will run for one task × configuration, and how
// much of it a results folder already holds.
type CellPlan struct {
	Task, Config string
	// Trials × TuneSeeds tuning runs, then FinalSeeds final runs.
	Trials, TuneSeeds, FinalSeeds int
	// TuneDone and FinalDone count the result files present. The final
	// runs are known (FinalKnown) once every tuning file is present.
	TuneDone, FinalDone int
	FinalKnown          bool
	// Seconds are the wall times of the runs present; Cost is the task's
	// relative cost of one run (experiment.Coster, 1 without one).
	Seconds []float64
	Cost    float64
}

// Runs is the number of runs of the cell.
func (c CellPlan) Runs() int { return c.Trials*c.TuneSeeds + c.FinalSeeds }

// Done is the number of its runs whose file is present.
func (c CellPlan) Done() int { return c.TuneDone + c.FinalDone }

// Preview says what Run would do with p in r.Dir, running nothing: the
// cells, their runs, and the files already present with their wall times.
func (r *Runner) Preview(p Plan) ([]CellPlan, []string, error) {
	cells, skipped, err := p.expand()
	if err != nil {
		return nil, nil, err
	}
	var out []CellPlan
	for _, c := range cells {
		cp := CellPlan{Task: c.task.Name(), Config: c.config.Name(), Trials: len(c.trials),
			TuneSeeds: len(c.sweep.TuneSeeds), FinalSeeds: len(c.sweep.Seeds), Cost: cost(c.task, p.Profile)}
		tune := r.tuneJobs(c, p.Profile, 0)
		present := func(js []job) int {
			n := 0
			for _, j := range js {
				if _, err := os.Stat(j.path); err != nil {
					continue
				}
				n++
				if res, err := store.LoadResult(j.path); err == nil {
					cp.Seconds = append(cp.Seconds, res.Env.WallSeconds)
				}
			}
			return n
		}
		cp.TuneDone = present(tune)
		if cp.TuneDone == len(tune) {
			if fin, err := r.finals(c, p.Profile, tune); err == nil {
				cp.FinalKnown = true
				cp.FinalDone = present(fin.jobs)
			}
		}
		out = append(out, cp)
	}
	return out, skipped, nil
}
