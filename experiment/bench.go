package experiment

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/mollifying/mollify/nn"
)

// ErrNotApplicable is returned by [Config.Build] for an architecture the
// configuration does not support (stochastic depth on a network without
// residual blocks, say).
var ErrNotApplicable = errors.New("configuration does not apply to this architecture")

// Hyper is a point of a hyper-parameter space: name → value. Every
// configuration reads HypLR; the others are its own (see [Config.Space]).
type Hyper map[string]float64

// AtLeast checks that each named hyper-parameter of h, where set, is a
// number ≥ lo; the error names it, its value and the bound, so that a grid
// value a configuration cannot use is rejected when the sweep is planned.
func (h Hyper) AtLeast(lo float64, names ...string) error {
	for _, n := range names {
		if v, ok := h[n]; ok && !(v >= lo) {
			return fmt.Errorf("%s = %v, want ≥ %v", n, v, lo)
		}
	}
	return nil
}

// HypLR names the learning rate, the one hyper-parameter every
// configuration has; its grid is the task's (Sweep.LR).
const HypLR = "lr"

// Get returns h[name] or panics: a missing hyper-parameter is a bug in the
// sweep that built h, not bad input.
func (h Hyper) Get(name string) float64 {
	v, ok := h[name]
	if !ok {
		panic(fmt.Sprintf("experiment: hyper-parameter %q not set (have %v)", name, h))
	}
	return v
}

// String lists the values in name order, e.g. "c=0.5 lr=0.1".
func (h Hyper) String() string {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%s=%g", k, h[k])
	}
	return b.String()
}

// Axis is one tunable hyper-parameter and the values a sweep may try.
type Axis struct {
	Name   string
	Values []float64
	Doc    string
}

// Option is a named choice where the paper is ambiguous (paper/PROTOCOL.md, the open choices) or a
// switch a user may flip, with its recommended default and allowed values.
type Option struct {
	Name    string
	Default string
	Allowed []string
	Doc     string
	// Archs lists the architectures (Arch.ArchName) whose networks the
	// option changes; empty means every architecture.
	Archs []string
}

// AppliesTo reports whether the option changes a network of arch.
func (o Option) AppliesTo(arch Arch) bool {
	return len(o.Archs) == 0 || slices.Contains(o.Archs, arch.ArchName())
}

// Options is a set of option values, name → value.
type Options map[string]string

// Get returns the value of name, or panics if unset: [ResolveOptions] fills
// every declared option.
func (o Options) Get(name string) string {
	v, ok := o[name]
	if !ok {
		panic(fmt.Sprintf("experiment: option %q not set", name))
	}
	return v
}

// ResolveOptions fills the declared options with their defaults, applies the
// user's values, and rejects unknown names and values not allowed.
func ResolveOptions(declared []Option, user Options) (Options, error) {
	out := Options{}
	for _, d := range declared {
		out[d.Name] = d.Default
	}
	for k, v := range user {
		i := slices.IndexFunc(declared, func(d Option) bool { return d.Name == k })
		if i < 0 {
			names := make([]string, len(declared))
			for j, d := range declared {
				names[j] = d.Name
			}
			return nil, fmt.Errorf("unknown option %q%s (this configuration has: %s)", k, DidYouMean(k, names), strings.Join(names, ", "))
		}
		if a := declared[i].Allowed; len(a) > 0 && !slices.Contains(a, v) {
			return nil, fmt.Errorf("option %s=%q not allowed (want one of: %s)", k, v, strings.Join(a, ", "))
		}
		out[k] = v
	}
	return out, nil
}

// ResolveFor is [ResolveOptions] for the network of one task: only the
// options that change an arch network are kept (so that an option that does
// not apply never enters a run's identity), and used lists which of the
// user's options do apply.
func ResolveFor(declared []Option, user Options, arch Arch) (opts Options, used []string, err error) {
	all, err := ResolveOptions(declared, user)
	if err != nil {
		return nil, nil, err
	}
	opts = Options{}
	for _, d := range declared {
		if d.AppliesTo(arch) {
			opts[d.Name] = all[d.Name]
			if _, ok := user[d.Name]; ok {
				used = append(used, d.Name)
			}
		}
	}
	return opts, used, nil
}

// Arch describes the network a task needs, before any configuration has
// shaped it. [MLP] is the one of the feed-forward tasks.
type Arch interface {
	// ArchName names the family ("mlp", "lstm", ...).
	ArchName() string
}

// MLP is a fully connected classifier: In inputs, one hidden layer per entry
// of Hidden, each followed by Act, and a linear output layer of Out logits.
type MLP struct {
	In     int
	Hidden []int
	Out    int
	Act    nn.Kind
	Init   nn.Init
}

// ArchName implements [Arch].
func (*MLP) ArchName() string { return "mlp" }

// Env is what a configuration may know about the run it builds a model for.
type Env struct {
	// Seed is the run seed; derive streams with rng.New(Seed, purpose).
	Seed uint64
	// Updates is the number of parameter updates the run will make, for
	// schedules declared as fractions of training.
	Updates int
	// InitialLoss is the loss of an uninformed predictor (log of the number
	// of classes), the natural starting value of a loss average.
	InitialLoss float64
}

// Model is a configured network and the hooks that make the configuration
// what it is.
type Model struct {
	Net nn.Layer[float32]
	// Hooks are values implementing any of StepStarter, Perturber,
	// LossObserver and Tracer.
	Hooks []any
}

// Config is one way of training a network.
type Config interface {
	// Name is the registry name, e.g. "mollified".
	Name() string
	// Summary is one line for listings and reports.
	Summary() string
	// Space is the configuration's own tunable hyper-parameters for an
	// architecture, beyond the learning rate the task tunes for everyone.
	// Values may depend on the profile (one point when p.OnePoint).
	Space(p Profile, a Arch) []Axis
	// Options declares the configuration's named choices.
	Options() []Option
	// Build makes the model for an architecture, or returns
	// ErrNotApplicable.
	Build(a Arch, h Hyper, o Options, env Env) (*Model, error)
}

// StepStarter is told the 1-based index of each update before its forward
// pass (the mollified schedule sets p here).
type StepStarter interface {
	StartStep(t int)
}

// Perturber changes the network around the forward and backward pass of an
// update and undoes it before the optimiser step: weight noise is applied in
// Perturb and removed in Restore, so the gradient taken at the perturbed
// weights updates the clean ones (a one-sample Monte-Carlo estimate of the
// mollified gradient, paper Eq. 13).
type Perturber interface {
	Perturb(t int)
	Restore()
}

// LossObserver sees the training loss of every update, after the step.
type LossObserver interface {
	ObserveLoss(t int, loss float64)
}

// Originaler is a hook of a configuration whose network, while it trains,
// differs from the original network it anneals to (the mollified network at
// p > 0). The training loop evaluates the network being trained, then calls
// UseOriginal(true), evaluates again and records those values under the
// same names with the suffix [OriginalSuffix], then calls UseOriginal(false).
// UseOriginal(true) reports whether the two networks differ at this point;
// when they do not (annealing is over), the loop copies the first values
// instead of evaluating twice.
type Originaler interface {
	UseOriginal(on bool) (differs bool)
}

// OriginalSuffix ends the names of the values measured on the original
// network (see [Originaler]), e.g. "valid_acc_p0".
const OriginalSuffix = "_p0"

// Tracer reports named values (such as p per layer) at each evaluation.
type Tracer interface {
	Trace(add func(name string, v float64))
}

// Task is one experiment of the paper.
type Task interface {
	// Name is the registry name, e.g. "parity".
	Name() string
	// Summary is one line for listings and reports.
	Summary() string
	// Profiles lists the built-in profiles the task defines (a user
	// profile may start from any of them).
	Profiles() []string
	// Sweep says how the harness should run the task under a profile.
	Sweep(p Profile) (Sweep, error)
	// Arch is the network the task trains under a profile, before any
	// configuration has shaped it.
	Arch(p Profile) (Arch, error)
	// Settings are the profile's resolved settings (data sizes, network,
	// training). Their fingerprint is part of every run's identity, so that
	// changing a profile's definition never reuses results of the old one.
	Settings(p Profile) (any, error)
	// Run trains cfg on the task and returns the record. It must be a pure
	// function of spec and the code, and stop promptly when ctx ends.
	// progress, when not nil, receives the fraction done.
	// p is the profile spec.Profile names.
	Run(ctx context.Context, p Profile, spec RunSpec, cfg Config, progress func(float64)) (*Record, error)
}

// TuneSeeds are the tuning seeds of the paper profile, the same for every
// task: three, so that a trial's score is a mean over seeds rather than one
// run's luck, and apart from the final seeds 1..5.
var TuneSeeds = []uint64{101, 102, 103}

// Sweep is a task's plan for one profile: seeds, tuning and selection.
type Sweep struct {
	// Seeds are the run seeds of the final runs.
	Seeds []uint64 `json:"seeds"`
	// TuneSeeds are the seeds of each tuning trial; kept apart from Seeds
	// so that the final numbers are not those the selection saw.
	TuneSeeds []uint64 `json:"tune_seeds"`
	// LR is the learning-rate grid every configuration is tuned over.
	LR []float64 `json:"lr"`
	// Budget is the number of tuning trials each configuration gets: a
	// configuration whose space is larger gets a balanced design of that
	// many points (harness.Trials). Tasks set it to len(LR), the whole
	// space of a configuration that tunes only the learning rate, so that
	// every configuration of a task gets the same number of trials.
	Budget int `json:"budget"`
	// Axes replace, per configuration, the values of its own axes
	// (Config.Space) on this task: Axes[config][axis]. A task uses it to
	// extend a grid whose pick sat at an edge (paper/TUNING.md §1); the
	// budget is unchanged, so the configuration still gets Budget trials.
	// The -grid flag replaces these in turn.
	Axes map[string]map[string][]float64 `json:"axes,omitempty"`
	// Select is the metric (a key of Record.Final) tuning maximises or
	// minimises.
	Select Selector `json:"select"`
}

// Selector names the metric tuning optimises.
type Selector struct {
	Metric   string `json:"metric"`
	Maximize bool   `json:"maximize"`
}

// Better reports whether a beats b under the selector; NaN never wins.
func (s Selector) Better(a, b float64) bool {
	switch {
	case a != a:
		return false
	case b != b:
		return true
	case s.Maximize:
		return a > b
	default:
		return a < b
	}
}

// Metric describes a final metric a report shows.
type Metric struct {
	// Name is a key of Record.Final.
	Name  string
	Label string
	// HigherBetter orders configurations and signs comparisons.
	HigherBetter bool
}

// Claim is a claim of the paper that the report checks from the final runs:
// Config is better than Versus on Metric.
type Claim struct {
	ID     string
	Text   string
	Metric string
	Config string
	Versus string
}

// ReportSpec says what a report shows for a task.
type ReportSpec struct {
	Metrics []Metric
	// Curve is the curve value plotted against updates, with its label.
	Curve, CurveLabel string
	// LogY plots the curve on a log scale.
	LogY bool
	// Curve2, when set, is drawn in a second panel below the first (for
	// classifiers: accuracy beside loss), with its label and scale.
	Curve2, Curve2Label string
	LogY2               bool
	// PlainStuck says the plain network is known to be stuck early in
	// training (the deep sigmoid MLP): the sanity gate then requires the
	// network being trained to lead it early on, which is how the
	// mechanism shows there. Elsewhere a plain network that trains well
	// may lead a nearly linear one early, and the gate only reports the
	// comparison.
	PlainStuck bool
	Claims     []Claim
	// Paper, when set, is the paper's table of this experiment, which the
	// report lays out with our numbers beside the paper's.
	Paper *PaperTable
}

// PaperTable is one table of the paper (or the numbers of one of its
// experiments), row by row, in the paper's order and names.
type PaperTable struct {
	// Title names it as the paper does ("Table 2: PTB test perplexity").
	Title string
	// Metric is the final metric compared; Scale multiplies ours to the
	// paper's unit (100 for a percentage).
	Metric string
	Scale  float64
	Rows   []PaperRow
}

// PaperRow is a row of a paper's table: its label, the paper's number, and
// the configuration that stands for it here ("" when none does).
type PaperRow struct {
	Label  string
	Config string
	Value  float64
}

// Reporter is implemented by tasks that say what their report shows.
type Reporter interface {
	Report() ReportSpec
}

// Finals is implemented by tasks that name the final metrics their runs
// record (Record.Final, every configuration's; a configuration may add its
// own, such as AnnealStop), so that a selection metric that no run would
// have is rejected before the first run. The list may hold more names than
// a profile's runs record, never fewer.
type Finals interface {
	FinalMetrics() []string
}

// DataChecker is implemented by tasks that read data files: CheckData
// loads and checks (presence, format, published checksums) what the
// profile's runs will read, so that a sweep stops on a missing or corrupt
// file before its first run rather than hours into it. Tasks keep what it
// loads for their runs.
type DataChecker interface {
	CheckData(p Profile) error
}

// Coster is implemented by tasks that can estimate the relative cost of one
// run under a profile (any unit, the same for all tasks: the harness uses it
// to weigh progress and estimate the time left).
type Coster interface {
	Cost(p Profile) float64
}
