package harness

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/mollifying/mollify/experiment"
	"github.com/mollifying/mollify/rng"
)

// Plan is what a sweep runs.
type Plan struct {
	Profile string
	Tasks   []experiment.Task
	Configs []experiment.Config
	// Options holds the user's option values per configuration name.
	Options map[string]experiment.Options
	// Seeds, when positive, replaces the task's final seeds by 1..Seeds.
	Seeds int
	// Select, when not nil, replaces every task's selection rule.
	Select *experiment.Selector
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
	for _, t := range p.Tasks {
		if !slices.Contains(t.Profiles(), p.Profile) {
			return nil, nil, fmt.Errorf("task %s has no profile %q (it has: %v)", t.Name(), p.Profile, t.Profiles())
		}
		sw, err := t.Sweep(p.Profile)
		if err != nil {
			return nil, nil, err
		}
		settings, err := t.Settings(p.Profile)
		if err != nil {
			return nil, nil, err
		}
		fp, err := experiment.Fingerprint(settings)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: settings: %w", t.Name(), err)
		}
		if p.Select != nil {
			sw.Select = *p.Select
		}
		if p.Seeds > 0 {
			sw.Seeds = make([]uint64, p.Seeds)
			for i := range sw.Seeds {
				sw.Seeds[i] = uint64(i + 1)
			}
		}
		for _, c := range p.Configs {
			opts, err := experiment.ResolveOptions(c.Options(), p.Options[c.Name()])
			if err != nil {
				return nil, nil, fmt.Errorf("configuration %s: %w", c.Name(), err)
			}
			arch, err := t.Arch(p.Profile)
			if err != nil {
				return nil, nil, err
			}
			ok, err := applies(arch, c, p.Profile)
			if err != nil {
				return nil, nil, fmt.Errorf("%s cannot build %s's network: %w", c.Name(), t.Name(), err)
			}
			if !ok {
				skipped = append(skipped, t.Name()+"/"+c.Name())
				continue
			}
			cells = append(cells, &cell{task: t, config: c, sweep: sw, options: opts, settings: fp,
				trials: Trials(sw, c.Space(p.Profile, arch), t.Name()+"/"+c.Name())})
		}
	}
	return cells, skipped, nil
}

// applies tells whether c can build arch, by building it once with the
// first value of every hyper-parameter and the default options.
func applies(arch experiment.Arch, c experiment.Config, profile string) (bool, error) {
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
// rates crossed with the configuration's axes, in lexicographic order (the
// learning rate varies slowest), or a seeded random subset of sw.Budget of
// them, kept in that order, when there are more. key names the sampling
// stream (task/config), so that the subset is stable.
func Trials(sw experiment.Sweep, axes []experiment.Axis, key string) []experiment.Hyper {
	all := []experiment.Axis{{Name: "lr", Values: sw.LR}}
	all = append(all, axes...)
	size := 1
	for _, a := range all {
		size *= len(a.Values)
	}
	idx := make([]int, size)
	for i := range idx {
		idx[i] = i
	}
	if sw.Budget > 0 && size > sw.Budget {
		idx = rng.New(0, "trials/"+key).Perm(size)[:sw.Budget]
		sort.Ints(idx)
	}
	out := make([]experiment.Hyper, len(idx))
	for k, i := range idx {
		h := experiment.Hyper{}
		for a := len(all) - 1; a >= 0; a-- {
			n := len(all[a].Values)
			h[all[a].Name] = all[a].Values[i%n]
			i /= n
		}
		out[k] = h
	}
	return out
}

// Select returns the index of the best trial given each trial's records,
// by the mean of the selection metric over its seeds. Trials whose mean is
// not a number never win; if none is a number, ok is false.
func Select(sel experiment.Selector, records [][]*experiment.Record) (best int, scores []float64, ok bool) {
	scores = make([]float64, len(records))
	best = -1
	for i, rs := range records {
		var sum float64
		for _, r := range rs {
			v, has := r.Final[sel.Metric]
			if !has || r.Diverged {
				sum = nanValue
				break
			}
			sum += float64(v)
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
