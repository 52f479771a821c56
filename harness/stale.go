package harness

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/mollifying/mollify/experiment"
	"github.com/mollifying/mollify/store"
)

// StaleFile is a result file of a plan's task and configuration that the
// plan does not produce.
type StaleFile struct {
	Path   string
	Reason string
}

// Stale lists the result files in r.Dir that the plan's cells own (the same
// task and configuration) but would not produce: tuning runs of another
// design (a grid, budget, option, setting or profile since changed) and
// final runs of a point tuning did not select. Such files are not wrong
// on their own, but a report built from a folder that holds them mixes two
// protocols. While a cell's tuning is incomplete its selection is unknown:
// a final run of one of its trial points is kept, and one of a point
// outside its design is stale. Files of tasks and configurations the plan
// leaves out are not looked at: other sweeps may share the folder.
func (r *Runner) Stale(p Plan) ([]StaleFile, error) {
	cells, _, err := p.expand()
	if err != nil {
		return nil, err
	}
	var out []StaleFile
	for _, c := range cells {
		keep := map[string]bool{}
		tune := r.tuneJobs(c, p.Profile, 0)
		for _, j := range tune {
			keep[j.path] = true
		}
		finalReason := "a final run of a point tuning did not select"
		if allExist(tune) {
			fin, err := r.finals(c, p.Profile, tune)
			if err != nil {
				return nil, err
			}
			for _, j := range fin.jobs {
				keep[j.path] = true
			}
		} else {
			finalReason = "a final run of a point outside the tuning design"
			for _, h := range c.trials {
				for _, j := range r.finalJobs(c, p.Profile, h, 0) {
					keep[j.path] = true
				}
			}
		}
		dir := filepath.Dir(tune[0].path)
		entries, err := os.ReadDir(dir)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%s/%s: %w", c.task.Name(), c.config.Name(), err)
		}
		for _, e := range entries {
			name := e.Name()
			path := filepath.Join(dir, name)
			if e.IsDir() || !store.IsResultName(name) || keep[path] {
				continue
			}
			reason := "a tuning run outside this sweep's design"
			if strings.HasPrefix(name, string(experiment.Final)+"-") {
				reason = finalReason
			}
			out = append(out, StaleFile{Path: path, Reason: reason})
		}
	}
	slices.SortFunc(out, func(a, b StaleFile) int { return strings.Compare(a.Path, b.Path) })
	return out, nil
}
