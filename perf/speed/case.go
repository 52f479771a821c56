package speed

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/mollifying/mollify/experiment"
	"github.com/mollifying/mollify/harness"
	"github.com/mollifying/mollify/train"
)

// Case is one training step to measure: a task's network under a
// configuration, at the size and batch of a profile.
type Case struct {
	// Task and Config are registry names. Variant, when set, names how the
	// network differs from the task's profile (Variants).
	Task, Config, Variant string
	// Profile is the profile whose sizes the case has.
	Profile experiment.Profile
	Arch    experiment.Arch
	// Own is set when Arch is the profile's own network, not a smaller
	// stand-in.
	Own bool
	// Late times the updates from 90% of the run's updates on, when the
	// schedules of the configuration's hooks (annealed p, annealed weight
	// noise) have run their course; otherwise updates count from 1, where
	// they start.
	Late bool
	// Work is the task's workload under the profile: batch, optimiser,
	// clipping, learning-rate schedule.
	Work train.Workload
	// Hyper is the first point of the configuration's space with the
	// smallest learning rate of the task's grid; Options are the defaults.
	Hyper   experiment.Hyper
	Options experiment.Options
	Env     experiment.Env
}

// Name is the benchmark name, task[-variant]/config[/late].
func (c Case) Name() string {
	if c.Late {
		return c.TaskName() + "/" + c.Config + "/late"
	}
	return c.TaskName() + "/" + c.Config
}

// FirstUpdate is the index of the first update a Step makes.
func (c Case) FirstUpdate() int {
	if c.Late {
		return max(1, c.Work.Updates()*9/10)
	}
	return 1
}

// TaskName is the task with its variant, e.g. "cifar10-resnet20".
func (c Case) TaskName() string {
	if c.Variant != "" {
		return c.Task + "-" + c.Variant
	}
	return c.Task
}

// Classes is the number of classes of the network's output.
func (c Case) Classes() int { return classes(c.Arch) }

// Inputs is the width of one input example of a classifier.
func (c Case) Inputs() int {
	switch a := c.Arch.(type) {
	case *experiment.MLP:
		return a.In
	case *experiment.ConvNet:
		return a.In.Size()
	}
	panic(fmt.Sprintf("speed: unknown architecture %T", c.Arch))
}

func classes(a experiment.Arch) int {
	switch a := a.(type) {
	case *experiment.MLP:
		return a.Out
	case *experiment.ConvNet:
		return a.Classes
	case *experiment.LSTM:
		return a.Out
	}
	panic(fmt.Sprintf("speed: unknown architecture %T", a))
}

// Stepper is the case's task as a train.Stepper (a task with its own
// training loop), or nil for a task that trains with train.Classify.
func (c Case) Stepper() train.Stepper {
	t, err := harness.LookupTask(c.Task)
	if err != nil {
		return nil
	}
	s, _ := t.(train.Stepper)
	return s
}

// Build makes the case's model as the harness would for a run.
func (c Case) Build() (*experiment.Model, error) {
	cfg, err := harness.LookupConfig(c.Config)
	if err != nil {
		return nil, err
	}
	return cfg.Build(c.Arch, c.Hyper, c.Options, c.Env)
}

// ResNet20 is the variant that stands in for a deeper convolutional
// network: the paper profile's CIFAR-10 network is ResNet-110, whose step
// takes seconds, so ResNet-20 (3 blocks per stage, the same widths, input
// and batch) is measured for every configuration, and the network itself
// (variant "resnet<depth>") only when asked, and only as the plain network
// (configuration Reference).
const ResNet20 = "resnet20"

// Reference is the configuration measured on the full network when a
// stand-in measures the others: the plain network.
const Reference = "baseline"

// Cases lists the training steps of every registered task under every
// registered configuration that applies to it, under a profile. Tasks that
// do not implement train.Workloader (and so cannot say their batch and
// optimiser) are skipped. A convolutional network deeper than ResNet-20 is
// measured as ResNet-20 (Variant ResNet20) under every configuration, and
// at its own depth under Reference when full is set. A configuration whose hooks depend on the update (a
// StepStarter or a Perturber) is measured at the start of training and, as
// a second case, late in training (Late).
func Cases(profile experiment.Profile, full bool) ([]Case, error) {
	var out []Case
	for _, t := range harness.Tasks() {
		wl, ok := t.(train.Workloader)
		if !ok || !slices.Contains(t.Profiles(), profile.Base) {
			continue
		}
		work, err := wl.Workload(profile)
		if err != nil {
			return nil, err
		}
		sw, err := t.Sweep(profile)
		if err != nil {
			return nil, err
		}
		arch, err := t.Arch(profile)
		if err != nil {
			return nil, err
		}
		type variant struct {
			name string
			arch experiment.Arch
			own  bool
		}
		vs := []variant{{"", arch, true}}
		if cn, ok := arch.(*experiment.ConvNet); ok && cn.Blocks > 3 {
			r20 := *cn
			r20.Blocks = 3
			vs = []variant{{ResNet20, &r20, false}}
			if full {
				vs = append(vs, variant{fmt.Sprintf("resnet%d", cn.Depth()), arch, true})
			}
		}
		for _, v := range vs {
			for _, cfg := range harness.Configs() {
				if v.own && v.name != "" && cfg.Name() != Reference {
					continue
				}
				h := experiment.Hyper{"lr": minOf(sw.LR)}
				for _, ax := range cfg.Space(profile, v.arch) {
					h[ax.Name] = ax.Values[0]
				}
				opts, err := experiment.ResolveOptions(cfg.Options(), nil)
				if err != nil {
					return nil, err
				}
				c := Case{
					Task: t.Name(), Config: cfg.Name(), Variant: v.name, Profile: profile, Arch: v.arch, Own: v.own, Work: work,
					Hyper: h, Options: opts,
					Env: experiment.Env{Seed: 1, Updates: work.Updates(), InitialLoss: work.InitialLoss},
				}
				if c.Env.InitialLoss <= 0 {
					c.Env.InitialLoss = math.Log(float64(classes(v.arch)))
				}
				m, err := cfg.Build(v.arch, h, opts, c.Env)
				if errors.Is(err, experiment.ErrNotApplicable) {
					continue
				} else if err != nil {
					return nil, fmt.Errorf("speed: %s: %w", c.Name(), err)
				}
				out = append(out, c)
				if timed(m) {
					c.Late = true
					out = append(out, c)
				}
			}
		}
	}
	return out, nil
}

func minOf(xs []float64) float64 {
	m := math.Inf(1)
	for _, x := range xs {
		m = min(m, x)
	}
	return m
}

// timed reports whether a model's hooks depend on the update index.
func timed(m *experiment.Model) bool {
	for _, h := range m.Hooks {
		_, s := h.(experiment.StepStarter)
		_, p := h.(experiment.Perturber)
		if s || p {
			return true
		}
	}
	return false
}
