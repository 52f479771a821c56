package harness

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/mollifying/mollify/experiment"
	"github.com/mollifying/mollify/rng"
)

// Plan is what a sweep runs.
type Plan struct {
	// Profile is resolved once, at the command line.
	Profile experiment.Profile
	Tasks   []experiment.Task
	Configs []experiment.Config
	// Options holds the user's option values per configuration name.
	Options map[string]experiment.Options
	// Seeds, when positive, replaces the task's final seeds by 1..Seeds.
	Seeds int
	// Select, when not nil, replaces every task's selection rule.
	Select *experiment.Selector
	// Grid replaces grids of the sweep: Grid[""]["lr"] is every task's
	// learning-rate grid (and its trial budget, so that every
	// configuration keeps the same number of trials); Grid[config][axis]
	// the values of one of a configuration's own axes.
	Grid map[string]map[string][]float64
}

// cell is one (task, configuration) pair of a plan.
type cell struct {
	task    experiment.Task
	config  experiment.Config
	sweep   experiment.Sweep
	options experiment.Options
	trials  []experiment.Hyper
	// settings fingerprints the task's settings for the profile.
	settings string
}

// Validate checks the plan as a run would, before any run starts: tasks
// and profiles, settings, options (their values, and that each applies to
// some task's network), and that every configuration builds.
func (p Plan) Validate() error {
	_, _, err := p.expand()
	return err
}

// CheckData has every task of the plan that reads files check them
// (experiment.DataChecker), so that a sweep about to run here stops on a
// missing or corrupt file before its first run. Commands that only
// describe a sweep (plan, k8s: the data may live elsewhere) do not call it.
func (p Plan) CheckData() error {
	for _, t := range p.Tasks {
		if dc, ok := t.(experiment.DataChecker); ok {
			if err := dc.CheckData(p.Profile); err != nil {
				return fmt.Errorf("task %s cannot read its data: %w", t.Name(), err)
			}
		}
	}
	return nil
}

// expand validates the plan and forms its cells, skipping configurations
// that do not apply to a task.
func (p Plan) expand() ([]*cell, []string, error) {
	if len(p.Tasks) == 0 || len(p.Configs) == 0 {
		return nil, nil, errors.New("harness: the plan has no task or no configuration")
	}
	for name := range p.Options {
		if !slices.ContainsFunc(p.Configs, func(c experiment.Config) bool { return c.Name() == name }) {
			return nil, nil, fmt.Errorf("options given for configuration %q, which is not in the plan", name)
		}
	}
	var cells []*cell
	var skipped []string
	// used[config][option]: a user option that applies to no task's network
	// of the plan is an error, not a silent no-op.
	used := map[string]map[string]bool{}
	gridUsed := map[string]map[string]bool{}
	if err := p.checkGrid(); err != nil {
		return nil, nil, err
	}
	for _, t := range p.Tasks {
		if !slices.Contains(t.Profiles(), p.Profile.Base) {
			return nil, nil, fmt.Errorf("task %s has no profile %q (it has: %s)", t.Name(), p.Profile.Base, strings.Join(t.Profiles(), ", "))
		}
		sw, err := t.Sweep(p.Profile)
		if err != nil {
			return nil, nil, err
		}
		settings, err := t.Settings(p.Profile)
		if err != nil {
			return nil, nil, err
		}
		if err := checkAxes(t.Name(), sw); err != nil {
			return nil, nil, err
		}
		fp, err := experiment.Fingerprint(settings)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: settings: %w", t.Name(), err)
		}
		if p.Select != nil {
			sw.Select = *p.Select
			if f, ok := t.(experiment.Finals); ok && !slices.Contains(f.FinalMetrics(), strings.TrimSuffix(sw.Select.Metric, experiment.MeanSuffix)) {
				return nil, nil, fmt.Errorf("-select: task %s records no final metric %q%s (it has: %s)", t.Name(), sw.Select.Metric,
					experiment.DidYouMean(sw.Select.Metric, f.FinalMetrics()), strings.Join(f.FinalMetrics(), ", "))
			}
		}
		if lr, ok := p.Grid[""][experiment.HypLR]; ok {
			sw.LR, sw.Budget = lr, len(lr)
		}
		if p.Seeds > 0 {
			sw.Seeds = make([]uint64, p.Seeds)
			for i := range sw.Seeds {
				sw.Seeds[i] = uint64(i + 1)
			}
		}
		for _, c := range p.Configs {
			arch, err := t.Arch(p.Profile)
			if err != nil {
				return nil, nil, err
			}
			opts, applied, err := experiment.ResolveFor(c.Options(), p.Options[c.Name()], arch)
			if err != nil {
				return nil, nil, fmt.Errorf("configuration %s: %w", c.Name(), err)
			}
			ok, err := applies(arch, c, p.Profile)
			if err != nil {
				return nil, nil, fmt.Errorf("%s cannot build %s's network: %w", c.Name(), t.Name(), err)
			}
			if !ok {
				skipped = append(skipped, t.Name()+"/"+c.Name())
				continue
			}
			if used[c.Name()] == nil {
				used[c.Name()] = map[string]bool{}
			}
			for _, o := range applied {
				used[c.Name()][o] = true
			}
			axes, err := p.axes(c, arch, sw, gridUsed)
			if err != nil {
				return nil, nil, fmt.Errorf("task %s: %w", t.Name(), err)
			}
			trials := Trials(sw, axes, t.Name()+"/"+c.Name())
			if len(trials) != sw.Budget {
				return nil, nil, unequalBudget(t.Name(), c.Name(), sw, len(trials))
			}
			if len(p.Grid[c.Name()]) > 0 || len(sw.Axes[c.Name()]) > 0 {
				if err := builds(arch, c, opts, trials); err != nil {
					return nil, nil, fmt.Errorf("grid of %s on %s: %w", c.Name(), t.Name(), err)
				}
			}
			cells = append(cells, &cell{task: t, config: c, sweep: sw, options: opts, settings: fp, trials: trials})
		}
	}
	for _, c := range p.Configs {
		for _, o := range slices.Sorted(maps.Keys(p.Options[c.Name()])) {
			if !used[c.Name()][o] {
				var names []string
				for _, t := range p.Tasks {
					names = append(names, t.Name())
				}
				return nil, nil, fmt.Errorf("option %s.%s applies to none of the tasks run (%s): it changes only %s networks", c.Name(), o, strings.Join(names, ", "), archsOf(c, o))
			}
		}
	}
	for _, c := range p.Configs {
		for _, a := range slices.Sorted(maps.Keys(p.Grid[c.Name()])) {
			if !gridUsed[c.Name()][a] {
				var have []string
				for _, t := range p.Tasks {
					if arch, err := t.Arch(p.Profile); err == nil {
						for _, ax := range c.Space(p.Profile, arch) {
							if !slices.Contains(have, ax.Name) {
								have = append(have, ax.Name)
							}
						}
					}
				}
				return nil, nil, fmt.Errorf("-grid: configuration %s has no axis %q%s on the tasks run (its axes: %s; the learning rate is every configuration's: -grid lr=...)", c.Name(), a, experiment.DidYouMean(a, have), strings.Join(have, ", "))
			}
		}
	}
	return cells, skipped, nil
}

// unequalBudget is the error of a configuration that would get n tuning
// trials when the sweep gives every configuration sw.Budget: its whole
// space (the learning rates crossed with its own axes) is smaller than the
// budget, or the budget is not positive. Either way the configurations of
// the task would not get the same number of trials (paper/TUNING.md §1),
// so the sweep is refused before it starts.
func unequalBudget(task, config string, sw experiment.Sweep, n int) error {
	if sw.Budget < 1 {
		return fmt.Errorf("task %s: sweep budget %d: expected at least 1 tuning trial per configuration", task, sw.Budget)
	}
	return fmt.Errorf("task %s: configuration %s has %d tuning point(s) (learning rates %v and its own axes) but the sweep's budget is %d trials per configuration: every configuration must get the same number of trials; give at least %d learning rates (sweep.lr, or -grid lr=...) or lower sweep.budget",
		task, config, n, sw.LR, sw.Budget, sw.Budget)
}

// checkGrid rejects grids that name a configuration not in the plan, an
// empty or non-finite list, a learning rate given per configuration, or
// one that is not positive.
func (p Plan) checkGrid() error {
	for cfg, axes := range p.Grid {
		if cfg != "" && !slices.ContainsFunc(p.Configs, func(c experiment.Config) bool { return c.Name() == cfg }) {
			return fmt.Errorf("-grid: configuration %q is not in the plan", cfg)
		}
		for a, vs := range axes {
			name := a
			if cfg != "" {
				name = cfg + "." + a
			}
			switch {
			case cfg == "" && a != experiment.HypLR:
				return fmt.Errorf("-grid %s: a configuration's axis needs its name, as config.%s", a, a)
			case cfg != "" && a == experiment.HypLR:
				return fmt.Errorf("-grid %s: the learning-rate grid is the task's, shared by every configuration so that each gets the same budget; give it as -grid lr=...", name)
			}
			if err := checkValues(vs); err != nil {
				return fmt.Errorf("-grid %s: %w", name, err)
			}
			for _, v := range vs {
				if a == experiment.HypLR && !(v > 0) {
					return fmt.Errorf("-grid lr: learning rate %v, want > 0", v)
				}
			}
		}
	}
	return nil
}

// axes is c's space on arch with the plan's grid overrides, recording which
// overrides applied.
func (p Plan) axes(c experiment.Config, arch experiment.Arch, sw experiment.Sweep, used map[string]map[string]bool) ([]experiment.Axis, error) {
	axes := slices.Clone(c.Space(p.Profile, arch))
	var names []string
	for _, ax := range axes {
		names = append(names, ax.Name)
	}
	for _, a := range slices.Sorted(maps.Keys(sw.Axes[c.Name()])) {
		if !slices.Contains(names, a) {
			return nil, fmt.Errorf("sweep.axes: configuration %s has no axis %q%s (its axes: %s)", c.Name(), a, experiment.DidYouMean(a, names), strings.Join(names, ", "))
		}
	}
	for i, ax := range axes {
		if vs, ok := sw.Axes[c.Name()][ax.Name]; ok {
			axes[i].Values = vs
		}
		if vs, ok := p.Grid[c.Name()][ax.Name]; ok {
			axes[i].Values = vs
			if used[c.Name()] == nil {
				used[c.Name()] = map[string]bool{}
			}
			used[c.Name()][ax.Name] = true
		}
	}
	return axes, nil
}

// checkValues rejects a grid of no values or with one that is not finite;
// -grid and sweep.axes share it.
func checkValues(vs []float64) error {
	if len(vs) == 0 {
		return errors.New("no values")
	}
	for _, v := range vs {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("value %v is not finite", v)
		}
	}
	return nil
}

// checkAxes rejects a task's sweep.axes that names no configuration of the
// registry, or gives an axis an empty or non-finite list.
func checkAxes(task string, sw experiment.Sweep) error {
	var known []string
	for _, c := range Configs() {
		known = append(known, c.Name())
	}
	for _, cfg := range slices.Sorted(maps.Keys(sw.Axes)) {
		if !slices.Contains(known, cfg) {
			return fmt.Errorf("task %s: sweep.axes: no configuration %q%s (configurations: %s)", task, cfg, experiment.DidYouMean(cfg, known), strings.Join(known, ", "))
		}
		for _, a := range slices.Sorted(maps.Keys(sw.Axes[cfg])) {
			if err := checkValues(sw.Axes[cfg][a]); err != nil {
				return fmt.Errorf("task %s: sweep.axes: %s.%s: %w", task, cfg, a, err)
			}
		}
	}
	return nil
}

// builds checks that c builds arch at every trial point, so that a grid
// value the configuration rejects (a negative noise scale, say) stops the
// sweep before its first run.
func builds(arch experiment.Arch, c experiment.Config, opts experiment.Options, trials []experiment.Hyper) error {
	for _, h := range trials {
		if _, err := c.Build(arch, h, opts, experiment.Env{Seed: 0, Updates: 1000, InitialLoss: 1}); err != nil {
			return fmt.Errorf("at %s: %w", h, err)
		}
	}
	return nil
}

// archsOf names the architectures option o of c applies to.
func archsOf(c experiment.Config, o string) string {
	for _, d := range c.Options() {
		if d.Name == o && len(d.Archs) > 0 {
			return strings.Join(d.Archs, " and ")
		}
	}
	return "its configuration's"
}

// applies tells whether c can build arch, by building it once with the
// first value of every hyper-parameter and the default options.
func applies(arch experiment.Arch, c experiment.Config, profile experiment.Profile) (bool, error) {
	h := experiment.Hyper{"lr": 1}
	for _, ax := range c.Space(profile, arch) {
		h[ax.Name] = ax.Values[0]
	}
	opts, err := experiment.ResolveOptions(c.Options(), nil)
	if err != nil {
		return false, err
	}
	_, err = c.Build(arch, h, opts, experiment.Env{Seed: 0, Updates: 1000, InitialLoss: 1})
	switch {
	case errors.Is(err, experiment.ErrNotApplicable):
		return false, nil
	case err != nil:
		return false, err
	}
	return true, nil
}

// Trials returns the tuning points of a configuration: the sweep's learning
// rates crossed with the configuration's axes. When that space has at most
// sw.Budget points, all of them, in lexicographic order (the learning rate
// varies slowest). Otherwise a balanced design of exactly sw.Budget points,
// so that every configuration of a task gets the same number of trials
// (tasks set Budget to the number of learning rates, which is the whole
// space of a configuration that tunes nothing else):
//
//   - trial i takes learning rate LR[i mod |LR|], so every configuration
//     tries every learning rate equally often;
//   - every other axis takes its values in a seeded random order that visits
//     each value ⌊Budget/n⌋ or ⌈Budget/n⌉ times (a Latin-hypercube design on
//     the grid), redrawn until no point repeats. Which values get the
//     Budget mod n extra visits is drawn too: were they always the first
//     values, a grid extended past its top edge with a budget below its
//     size would never try the new value.
//
// The points are returned in lexicographic order. key names the sampling
// stream (task/config), so that the design is stable.
func Trials(sw experiment.Sweep, axes []experiment.Axis, key string) []experiment.Hyper {
	all := []experiment.Axis{{Name: experiment.HypLR, Values: sw.LR}}
	all = append(all, axes...)
	size := 1
	for _, a := range all {
		size *= len(a.Values)
	}
	var points [][]int // per point, the value index on each axis
	if sw.Budget <= 0 || size <= sw.Budget {
		for i := range size {
			pt := make([]int, len(all))
			for a := len(all) - 1; a >= 0; a-- {
				n := len(all[a].Values)
				pt[a] = i % n
				i /= n
			}
			points = append(points, pt)
		}
	} else {
		points = balanced(all, sw.Budget, rng.New(0, "trials/"+key))
	}
	out := make([]experiment.Hyper, len(points))
	for k, pt := range points {
		h := experiment.Hyper{}
		for a, i := range pt {
			h[all[a].Name] = all[a].Values[i]
		}
		out[k] = h
	}
	return out
}

// balanced draws the design of [Trials]: n distinct points of the grid
// spanned by axes (axis 0 the learning rate), sorted lexicographically.
// n is below the grid's size, so a design exists; a draw repeats a point
// only when n is close to it.
func balanced(axes []experiment.Axis, n int, r *rand.Rand) [][]int {
	for {
		points := make([][]int, n)
		for i := range points {
			points[i] = make([]int, len(axes))
			points[i][0] = i % len(axes[0].Values)
		}
		for a := 1; a < len(axes); a++ {
			perm := r.Perm(n)
			size := len(axes[a].Values)
			// Slots below full take every value equally often; the last
			// n mod size slots take distinct values drawn at random. When
			// size divides n nothing is drawn, so those designs are the
			// ones of the first version of this function.
			full := n - n%size
			var extra []int
			if full < n {
				extra = r.Perm(size)[:n-full]
			}
			for i := range points {
				if j := perm[i]; j < full {
					points[i][a] = j % size
				} else {
					points[i][a] = extra[j-full]
				}
			}
		}
		slices.SortFunc(points, slices.Compare[[]int])
		if distinct(points) {
			return points
		}
	}
}

// distinct reports whether sorted points has no repeated point.
func distinct(points [][]int) bool {
	for i := 1; i < len(points); i++ {
		if slices.Equal(points[i-1], points[i]) {
			return false
		}
	}
	return true
}

// Select returns the index of the best trial given each trial's records,
// by the mean of the selection metric over its seeds. A trial with a seed
// that is not eligible (diverged, or annealing that did not stop: see
// [experiment.Record.Eligible]) scores NaN and never wins; if no trial has
// a score, ok is false.
func Select(sel experiment.Selector, records [][]*experiment.Record) (best int, scores []float64, ok bool) {
	scores = make([]float64, len(records))
	best = -1
	for i, rs := range records {
		var sum float64
		for _, r := range rs {
			v, has := r.Score(sel.Metric)
			if !has || !r.Eligible() {
				sum = nanValue
				break
			}
			sum += v
		}
		if len(rs) == 0 {
			sum = nanValue
		}
		scores[i] = sum / float64(max(len(rs), 1))
		if scores[i] == scores[i] && (best < 0 || sel.Better(scores[i], scores[best])) {
			best = i
		}
	}
	if best < 0 {
		return 0, scores, false
	}
	return best, scores, true
}

var nanValue = math.NaN()
