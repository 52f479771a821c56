package harness

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/mollifying/mollify/experiment"
	"github.com/mollifying/mollify/store"
)

// Runner executes plans.
type Runner struct {
	// Dir receives the result files (Dir/runs/...).
	Dir string
	// Workers is the number of concurrent runs; 0 means one per core.
	Workers int
	// Log receives progress; nil discards it.
	Log io.Writer
	// Terminal selects the redrawn progress line instead of one line per
	// finished run.
	Terminal bool
	// Provenance is stamped into every result; zero means
	// store.CurrentProvenance().
	Provenance store.Provenance
	// Shard restricts this process to a share of the runs (zero: all).
	Shard Shard
	// Phase restricts this process to the tuning or the final runs (zero:
	// both, tuning first).
	Phase Phase
	// LeaseTTL is how long a run claimed by a process on another machine
	// stays claimed without news from it (store.DefaultLeaseTTL if 0), and
	// how long a process waits for another's share before computing it
	// itself.
	LeaseTTL time.Duration
	// Poll is how often a process waiting for other processes' runs looks
	// for their files (2 s if 0).
	Poll time.Duration

	// now is the clock, replaceable in tests.
	now func() time.Time
}

// Summary counts what a sweep did.
type Summary struct {
	// Ran and Cached count runs executed and runs found on disk.
	Ran, Cached int
	// Skipped lists task/config pairs that do not apply.
	Skipped []string
	// Selected maps task/config to the chosen hyper-parameters.
	Selected map[string]experiment.Hyper
	// Unselectable lists task/config pairs none of whose trials produced a
	// usable score (the first trial was used).
	Unselectable []string
	// Elsewhere counts runs this process needed and another process
	// (sweep or shard on the same folder) computed.
	Elsewhere int
}

type job struct {
	spec experiment.RunSpec
	// profile is the one spec.Profile names.
	profile experiment.Profile
	task    experiment.Task
	config  experiment.Config
	path    string
	weight  float64
}

// Run executes the plan: tuning runs, selection, final runs. Runs whose
// result file exists are not repeated. When ctx ends, Run stops promptly,
// leaves every finished file in place and returns ctx's error.
func (r *Runner) Run(ctx context.Context, p Plan) (*Summary, error) {
	cells, skipped, err := p.expand()
	if err != nil {
		return nil, err
	}
	if r.now == nil {
		r.now = time.Now
	}
	if r.Provenance == (store.Provenance{}) {
		r.Provenance = store.CurrentProvenance()
	}
	log := r.Log
	if log == nil {
		log = io.Discard
	}
	store.RemoveStaleTemps(r.Dir)
	sum := &Summary{Skipped: skipped, Selected: map[string]experiment.Hyper{}}

	// Phase 1: tuning. Weights let the progress line count final runs too:
	// those of a cell whose tuning is already complete are known (and
	// some may be done); the others are counted in full.
	tune := make([][]job, len(cells))
	known := make([]*cellFinals, len(cells)) // cells whose tuning was already complete
	var allTune []job
	var finalWeight float64
	var finalRuns int
	for k, c := range cells {
		w := cost(c.task, p.Profile)
		tune[k] = r.tuneJobs(c, p.Profile, w)
		allTune = append(allTune, tune[k]...)
		todo := len(c.sweep.Seeds)
		if allExist(tune[k]) {
			if fin, err := r.finals(c, p.Profile, tune[k]); err == nil {
				known[k] = &fin
				todo = len(fin.jobs) - countExisting(fin.jobs)
			}
		}
		finalWeight += w * float64(todo)
		finalRuns += todo
	}
	prog := newProgress(log, r.Terminal, r.now)
	switch r.Phase {
	case PhaseFinal:
		for k, c := range cells {
			if n := countExisting(tune[k]); n < len(tune[k]) {
				return sum, fmt.Errorf("%s/%s: %d of %d tuning runs are in %s; the final phase needs them all (run -phase tune first)", c.task.Name(), c.config.Name(), n, len(tune[k]), r.Dir)
			}
		}
	default:
		prog.plan(r.Shard.share(allTune), finalWeight/float64(r.Shard.count()), finalRuns/r.Shard.count())
		// Selection needs every tuning run, this process's share or not;
		// a process that stops after tuning needs only its own.
		if err := r.execute(ctx, allTune, sum, prog, r.Phase == PhaseAll); err != nil {
			return sum, err
		}
		if r.Phase == PhaseTune {
			prog.finish()
			return sum, nil
		}
	}

	// Selection and phase 2.
	var final []job
	for k, c := range cells {
		// A cell whose tuning files all existed ran none in phase 1: its
		// selection stands.
		fin := known[k]
		if fin == nil {
			f, err := r.finals(c, p.Profile, tune[k])
			if err != nil {
				return sum, err
			}
			fin = &f
		}
		key := c.task.Name() + "/" + c.config.Name()
		if !fin.selectable {
			sum.Unselectable = append(sum.Unselectable, key)
		}
		sum.Selected[key] = fin.hyper
		final = append(final, fin.jobs...)
	}
	prog.plan(r.Shard.share(final), 0, 0)
	err = r.execute(ctx, final, sum, prog, false)
	prog.finish()
	return sum, err
}

// cellFinals is the outcome of a cell's tuning: the chosen point and the
// final runs it implies.
type cellFinals struct {
	hyper      experiment.Hyper
	selectable bool // false: no trial was eligible (diverged, or annealing never stopped); the first was taken
	jobs       []job
}

// finals selects a cell's point from its finished tuning runs (tune, every
// file present) and returns its final runs.
func (r *Runner) finals(c *cell, profile experiment.Profile, tune []job) (cellFinals, error) {
	records := make([][]*experiment.Record, len(c.trials))
	for _, j := range tune {
		res, err := store.LoadResult(j.path)
		if err != nil {
			return cellFinals{}, err
		}
		records[j.spec.Trial] = append(records[j.spec.Trial], res.Record)
	}
	if err := hasMetric(c.sweep.Select.Metric, records); err != nil {
		return cellFinals{}, fmt.Errorf("%s/%s: %w", c.task.Name(), c.config.Name(), err)
	}
	best, _, ok := Select(c.sweep.Select, records)
	h := c.trials[best]
	return cellFinals{hyper: h, selectable: ok, jobs: r.finalJobs(c, profile, h, cost(c.task, profile))}, nil
}

// finalJobs are the final runs of a cell at point h: one per final seed.
func (r *Runner) finalJobs(c *cell, profile experiment.Profile, h experiment.Hyper, w float64) []job {
	var js []job
	for _, s := range c.sweep.Seeds {
		js = append(js, r.newJob(c, profile, experiment.Final, 0, s, h, w))
	}
	return js
}

// allExist reports whether every job's result file exists.
func allExist(js []job) bool {
	return countExisting(js) == len(js)
}

// countExisting counts the jobs whose result file exists.
func countExisting(js []job) int {
	n := 0
	for _, j := range js {
		if _, err := os.Stat(j.path); err == nil {
			n++
		}
	}
	return n
}

// tuneJobs are a cell's tuning runs: every trial on every tuning seed.
func (r *Runner) tuneJobs(c *cell, profile experiment.Profile, w float64) []job {
	var js []job
	for i, h := range c.trials {
		for _, s := range c.sweep.TuneSeeds {
			js = append(js, r.newJob(c, profile, experiment.Tune, i, s, h, w))
		}
	}
	return js
}

func (r *Runner) newJob(c *cell, profile experiment.Profile, phase experiment.Phase, trial int, seed uint64, h experiment.Hyper, w float64) job {
	spec := experiment.RunSpec{
		Schema: experiment.Schema, Task: c.task.Name(), Profile: profile.Name, Config: c.config.Name(),
		Phase: phase, Settings: c.settings, Seed: seed, Hyper: h, Options: c.options, Trial: trial,
	}
	return job{spec: spec, profile: profile, task: c.task, config: c.config, path: store.RunPath(r.Dir, spec), weight: w}
}

func cost(t experiment.Task, profile experiment.Profile) float64 {
	if c, ok := t.(experiment.Coster); ok {
		if v := c.Cost(profile); v > 0 {
			return v
		}
	}
	return 1
}

// execute runs the jobs of this process's shard whose files are missing,
// on the worker pool. A job that another live process has claimed (see
// store.Lease) is left to it; execute then waits for its file, and for
// every job's file when all is set (other shards' too). A job still missing
// and unclaimed after LeaseTTL of waiting (its process has gone, or has
// not started) is computed here.
func (r *Runner) execute(ctx context.Context, jobs []job, sum *Summary, prog *progress, all bool) error {
	var todo, need []job
	for k, j := range jobs {
		mine := r.Shard.mine(k)
		if _, err := os.Stat(j.path); err == nil {
			if mine {
				sum.Cached++
				prog.cached(j)
			}
			continue
		}
		if mine {
			todo = append(todo, j)
		}
		if mine || all {
			need = append(need, j)
		}
	}
	held, err := r.pool(ctx, todo, sum, prog)
	if err != nil {
		return err
	}
	for _, j := range held {
		prog.cached(j)
	}
	ttl, poll := r.leaseTTL(), r.Poll
	if poll <= 0 {
		poll = 2 * time.Second
	}
	waitFrom := r.now()
	for {
		var missing, steal []job
		for _, j := range need {
			if _, err := os.Stat(j.path); err == nil {
				continue
			}
			missing = append(missing, j)
			if !store.LeaseHeld(j.path, ttl) && r.now().Sub(waitFrom) >= ttl {
				steal = append(steal, j)
			}
		}
		if len(missing) == 0 {
			break
		}
		if len(steal) > 0 {
			for _, j := range steal {
				prog.add(j)
			}
			if _, err := r.pool(ctx, steal, sum, prog); err != nil {
				return err
			}
			continue
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-stopOf(ctx):
			return ErrStopped
		case <-time.After(poll):
		}
	}
	sum.Elsewhere += len(need) - len(todo) + len(held)
	return nil
}

// pool runs jobs on the worker pool and returns those another live process
// had claimed.
func (r *Runner) pool(ctx context.Context, todo []job, sum *Summary, prog *progress) (held []job, err error) {
	workers := r.Workers
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	queue := make(chan job)
	var (
		mu   sync.Mutex
		errs []error
		wg   sync.WaitGroup
	)
	for range min(workers, max(len(todo), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range queue {
				err := r.claimAndRun(ctx, j, prog)
				mu.Lock()
				switch {
				case err == nil:
					sum.Ran++
				case errors.Is(err, store.ErrHeld):
					held = append(held, j)
				case errors.Is(err, errDoneElsewhere):
					prog.cached(j)
				case ctx.Err() != nil:
					// Interrupted: the run leaves no file.
				default:
					errs = append(errs, err)
				}
				mu.Unlock()
			}
		}()
	}
	stop := stopOf(ctx)
	stopped := false
feed:
	for _, j := range todo {
		select {
		case <-stop:
			stopped = true
			break feed
		default:
		}
		select {
		case queue <- j:
		case <-ctx.Done():
			break feed
		case <-stop:
			stopped = true
			break feed
		}
	}
	close(queue)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return held, err
	}
	if stopped {
		errs = append(errs, ErrStopped)
	}
	return held, errors.Join(errs...)
}

// ErrStopped is returned when a sweep stopped at the request of
// WithStop's channel, after the runs in flight were saved.
var ErrStopped = errors.New("stopped on request after saving the runs in flight; run the same command again to resume")

type stopKey struct{}

// WithStop returns a context that asks Run to stop gracefully when stop is
// closed: no run starts after that, the runs in flight finish and are
// saved, and Run returns ErrStopped. Cancelling the context itself stops at
// once, abandoning the runs in flight (they leave no file).
func WithStop(ctx context.Context, stop <-chan struct{}) context.Context {
	return context.WithValue(ctx, stopKey{}, stop)
}

// stopOf is the graceful-stop channel of ctx, nil (never ready) if none.
func stopOf(ctx context.Context) <-chan struct{} {
	ch, _ := ctx.Value(stopKey{}).(<-chan struct{})
	return ch
}

// errDoneElsewhere: the run's file appeared while this process was
// claiming it.
var errDoneElsewhere = errors.New("run finished by another process")

// leaseTTL is LeaseTTL, or store.DefaultLeaseTTL when it is not set.
func (r *Runner) leaseTTL() time.Duration {
	if r.LeaseTTL > 0 {
		return r.LeaseTTL
	}
	return store.DefaultLeaseTTL
}

// claimAndRun runs j under its lease.
func (r *Runner) claimAndRun(ctx context.Context, j job, prog *progress) error {
	l, err := store.AcquireLease(j.path, r.leaseTTL())
	if err != nil {
		return err
	}
	defer l.Release()
	if _, err := os.Stat(j.path); err == nil {
		return errDoneElsewhere
	}
	return r.runOne(ctx, j, prog)
}

func (r *Runner) runOne(ctx context.Context, j job, prog *progress) error {
	start := r.now()
	prog.start(j)
	rec, err := j.task.Run(ctx, j.profile, j.spec, j.config, func(f float64) { prog.update(j, f) })
	if err != nil {
		prog.abort(j)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("%s: %w", j.spec, err)
	}
	rec.Spec, rec.Hash = j.spec, j.spec.Hash()
	env := store.Env{Provenance: r.Provenance, WallSeconds: r.now().Sub(start).Seconds(), Finished: r.now().UTC().Format(time.RFC3339)}
	if err := store.WriteResult(j.path, rec, env); err != nil {
		prog.abort(j)
		return err
	}
	prog.done(j, rec)
	return nil
}

// hasMetric checks that the selection metric is one the runs report, so that
// a misspelt -select fails loudly instead of falling back to the first trial.
func hasMetric(metric string, records [][]*experiment.Record) error {
	names := map[string]bool{}
	for _, rs := range records {
		for _, r := range rs {
			if _, ok := r.Score(metric); ok {
				return nil
			}
			for k := range r.Final {
				names[k] = true
			}
		}
	}
	if len(names) == 0 {
		return nil // no run finished: nothing to say
	}
	return fmt.Errorf("selection metric %q is not a final metric of these runs (they have: %s)", metric, strings.Join(slices.Sorted(maps.Keys(names)), ", "))
}
