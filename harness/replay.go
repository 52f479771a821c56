package harness

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/mollifying/mollify/experiment"
	"github.com/mollifying/mollify/store"
)

// ErrStale marks a result file that today's code would not produce under
// its own name: its schema or its task's settings for the profile have
// changed since it was written (prune lists such files). Replaying it says
// nothing about reproducibility, so Replay refuses.
var ErrStale = errors.New("stale result file")

// Replay runs again, with the code at hand, the run a result file records
// and returns the fresh record, ready to compare with the stored one
// (store.Digest of both). A run depends on its RunSpec alone (seeded
// streams, single-threaded), so a replay is identical bit for bit unless
// the code changed what the run computes. profile is the profile the run
// names (a user profile is not known by name alone).
func Replay(ctx context.Context, res *store.Result, profile experiment.Profile) (*experiment.Record, error) {
	return Rerun(ctx, res, profile, nil, nil)
}

// Rerun is [Replay] with two changes a diagnosis may want: the values of
// hyper replace the run's (each must name one of the run's
// hyper-parameters), and wrap, when not nil, wraps the run's configuration
// (to add hooks that watch the training). With either, the record is not
// the stored run's and is not for storing.
func Rerun(ctx context.Context, res *store.Result, profile experiment.Profile, hyper experiment.Hyper, wrap func(experiment.Config) experiment.Config) (*experiment.Record, error) {
	spec := res.Record.Spec
	if len(hyper) > 0 {
		h, err := Override(spec.Hyper, hyper)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", res.Path, err)
		}
		spec.Hyper = h
	}
	if spec.Profile != profile.Name {
		return nil, fmt.Errorf("%s: the run's profile is %q, not %q", res.Path, spec.Profile, profile.Name)
	}
	if spec.Schema != experiment.Schema {
		return nil, fmt.Errorf("%s: %w: schema %d, the code writes %d", res.Path, ErrStale, spec.Schema, experiment.Schema)
	}
	t, err := LookupTask(spec.Task)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", res.Path, err)
	}
	c, err := LookupConfig(spec.Config)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", res.Path, err)
	}
	settings, err := t.Settings(profile)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", res.Path, err)
	}
	fp, err := experiment.Fingerprint(settings)
	if err != nil {
		return nil, fmt.Errorf("%s: settings: %w", res.Path, err)
	}
	if fp != spec.Settings {
		return nil, fmt.Errorf("%s: %w: the settings of %s under profile %s changed (fingerprint %s, the run has %s)", res.Path, ErrStale, spec.Task, profile.Name, fp, spec.Settings)
	}
	if wrap != nil {
		c = wrap(c)
	}
	rec, err := t.Run(ctx, profile, spec, c, func(float64) {})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", spec, err)
	}
	// As the runner stores it (runOne).
	rec.Spec, rec.Hash = spec, spec.Hash()
	return rec, nil
}

// Override returns a copy of a run's hyper-parameters with the values of
// over in place; every name of over must be one of the run's (the first
// that is not, by name, is the error).
func Override(run, over experiment.Hyper) (experiment.Hyper, error) {
	h := maps.Clone(run)
	for _, name := range slices.Sorted(maps.Keys(over)) {
		if _, ok := h[name]; !ok {
			return nil, fmt.Errorf("%s: the run has no hyper-parameter %q (it has %s)", name, name, strings.Join(slices.Sorted(maps.Keys(run)), ", "))
		}
		h[name] = over[name]
	}
	return h, nil
}
