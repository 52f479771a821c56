package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/mollifying/mollify/experiment"
	"github.com/mollifying/mollify/harness"
	"github.com/mollifying/mollify/nn"
	"github.com/mollifying/mollify/store"
)

// errNotLSTM: the probe reads LSTM gates, and the run's network has none.
var errNotLSTM = errors.New("not an LSTM network")

// cmdProbe reruns one stored run, optionally with other hyper-parameter
// values, and prints every -every updates where its LSTM layers saturate
// (for each layer, a bidirectional one's backward half apart, each gate
// part's mean and largest |pre-activation|, its mean |output| and the share
// of units passing less than nn.SaturatedBelow of their gradient) and each
// parameter's gradient norm. It answers "why does this run not learn?"
// (paper/TUNING.md §6 traces the reduced ptb's mollified LSTM with it) and
// writes nothing.
func cmdProbe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("probe", stderr)
	profile := fs.String("profile", experiment.Paper, "profile of the run: a built-in name or a profile file")
	path := fs.String("run", "", "the run's result file (required)")
	every := fs.Int("every", 100, "updates between two printed points")
	updates := fs.Int("updates", 0, "stop after this many updates (0: the whole run, then its final metrics)")
	hyper := hyperFlag{}
	fs.Var(hyper, "hyper", "name=value: rerun with this value of one of the run's hyper-parameters (repeatable)")
	if err := parse(fs, args); err != nil {
		return err
	}
	prof, err := experiment.LookupProfile(*profile)
	if err != nil {
		return usagef("-profile: %v", err)
	}
	switch {
	case *path == "":
		return usagef("-run: required: the result file of the run to probe (runs/<task>/<config>/<phase>-<hash>.json under a results folder)")
	case *every < 1:
		return usagef("-every: %d; want 1 or more", *every)
	case *updates < 0:
		return usagef("-updates: %d; want 0 (the whole run) or more", *updates)
	}
	if _, err := os.Stat(*path); err != nil {
		return usagef("-run %s: %v", *path, errors.Unwrap(err))
	}
	res, err := store.LoadResult(*path)
	if err != nil {
		return usagef("-run %s: %v", *path, err)
	}
	spec := res.Record.Spec
	if spec.Profile != prof.Name {
		return usagef("-profile: the run's profile is %q, not %q", spec.Profile, prof.Name)
	}
	t, err := harness.LookupTask(spec.Task)
	if err != nil {
		return usagef("-run %s: %v", *path, err)
	}
	if a, err := t.Arch(prof); err != nil {
		return usagef("-run %s: %v", *path, err)
	} else if _, ok := a.(*experiment.LSTM); !ok {
		return usagef("-run %s: %v: task %s builds a %T; the probe reads the gates of LSTM networks (ptb, copy, wordembed)", *path, errNotLSTM, spec.Task, a)
	}
	if _, err := harness.Override(spec.Hyper, experiment.Hyper(hyper)); err != nil {
		return usagef("-hyper %v", err)
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	p := &prober{out: stdout, every: *every, stop: *updates, cancel: cancel}
	fmt.Fprintf(stdout, "probing %s (%s/%s %s seed %d) with hyper-parameters %s\n", *path, spec.Task, spec.Config, spec.Phase, spec.Seed, fmtHyper(spec.Hyper, hyper))
	rec, err := harness.Rerun(ctx, res, prof, experiment.Hyper(hyper), func(c experiment.Config) experiment.Config { return probeConfig{c, p} })
	switch {
	case p.stopped && errors.Is(err, context.Canceled):
		fmt.Fprintf(stdout, "stopped after %d updates (-updates)\n", *updates)
		return nil
	case err != nil:
		return err
	}
	fmt.Fprintf(stdout, "final: %s\n", fmtValues(rec.Final))
	return nil
}

// hyperFlag collects -hyper name=value.
type hyperFlag experiment.Hyper

func (h hyperFlag) String() string { return "" }

func (h hyperFlag) Set(v string) error {
	name, val, ok := strings.Cut(v, "=")
	x, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
	if !ok || name == "" || err != nil {
		return fmt.Errorf("%q is not name=number (e.g. lr=0.5)", v)
	}
	h[name] = x
	return nil
}

// fmtHyper is the run's hyper-parameters with the overrides applied and
// marked.
func fmtHyper(run experiment.Hyper, over hyperFlag) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(run)) {
		if v, ok := over[k]; ok {
			parts = append(parts, fmt.Sprintf("%s=%v (stored %v)", k, v, run[k]))
			continue
		}
		parts = append(parts, fmt.Sprintf("%s=%v", k, run[k]))
	}
	return strings.Join(parts, " ")
}

func fmtValues(v experiment.Values) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(v)) {
		parts = append(parts, fmt.Sprintf("%s=%.6g", k, float64(v[k])))
	}
	return strings.Join(parts, " ")
}

// probeConfig builds what its configuration builds and hands the network
// to the prober.
type probeConfig struct {
	experiment.Config
	p *prober
}

func (c probeConfig) Build(a experiment.Arch, h experiment.Hyper, o experiment.Options, env experiment.Env) (*experiment.Model, error) {
	m, err := c.Config.Build(a, h, o, env)
	if err != nil {
		return nil, err
	}
	net, ok := m.Net.(*nn.LSTMNet[float32])
	if !ok {
		return nil, fmt.Errorf("probe: %w: the network is a %T; the probe reads the gates of LSTM networks (ptb, copy, wordembed)", errNotLSTM, m.Net)
	}
	c.p.net = net
	for _, hk := range m.Hooks {
		if t, ok := hk.(experiment.Tracer); ok {
			c.p.tracers = append(c.p.tracers, t)
		}
	}
	for _, l := range net.LSTMs {
		for k := range nn.NumGates {
			l.Gates[k] = &nn.GateStats[float32]{Inner: l.Gates[k]}
		}
	}
	m.Hooks = append(m.Hooks, c.p)
	return m, nil
}

// prober is the hook that prints: before update t, what updates
// t−every … t−1 did.
type prober struct {
	out         io.Writer
	every, stop int
	cancel      func()
	stopped     bool
	net         *nn.LSTMNet[float32]
	tracers     []experiment.Tracer
}

// StartStep implements experiment.StepStarter.
func (p *prober) StartStep(t int) {
	done := t - 1
	if done == 0 || done%p.every != 0 {
		return
	}
	p.print(done)
	if p.stop > 0 && done >= p.stop {
		p.stopped = true
		p.cancel()
	}
}

func (p *prober) print(done int) {
	var traced []string
	for _, tr := range p.tracers {
		tr.Trace(func(name string, x float64) { traced = append(traced, fmt.Sprintf("%s=%.4g", name, x)) })
	}
	slices.Sort(traced)
	fmt.Fprintf(p.out, "\nafter update %d: %s\n", done, strings.Join(traced, " "))
	tw := tabwriter.NewWriter(p.out, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "  layer\tpart\tmean |pre-activation|\tmax\tmean |output|\tsaturated (|∂y/∂x| < %g)\n", nn.SaturatedBelow)
	for i, l := range p.net.LSTMs {
		layer := strconv.Itoa(p.net.Depth[i] + 1)
		if i > 0 && p.net.Depth[i-1] == p.net.Depth[i] { // a bidirectional layer's second half
			layer += " backward"
		}
		for k := range nn.NumGates {
			s := l.Gates[k].(*nn.GateStats[float32]).Take()
			fmt.Fprintf(tw, "  %s\t%s\t%.3g\t%.3g\t%.3g\t%.0f%%\n", layer, nn.GateName(k), s.MeanAbsX, s.MaxAbsX, s.MeanAbsY, 100*s.Saturated)
		}
	}
	tw.Flush()
	params := p.net.Params()
	var parts []string
	for _, prm := range params {
		parts = append(parts, fmt.Sprintf("%s %.2g", prm.Name, nn.GradNorm([]*nn.Param[float32]{prm})))
	}
	fmt.Fprintf(p.out, "  gradient norms of update %d (after clipping): %s; total %.3g\n", done, strings.Join(parts, ", "), nn.GradNorm(params))
}
