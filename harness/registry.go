package harness

import (
	"fmt"
	"strings"

	"github.com/mollifying/mollify/baselines"
	"github.com/mollifying/mollify/experiment"
	"github.com/mollifying/mollify/mollified"
	"github.com/mollifying/mollify/tasks/cifar10"
	"github.com/mollifying/mollify/tasks/copytask"
	"github.com/mollifying/mollify/tasks/mnist"
	"github.com/mollifying/mollify/tasks/parity"
	"github.com/mollifying/mollify/tasks/pentomino"
	"github.com/mollifying/mollify/tasks/ptb"
	"github.com/mollifying/mollify/tasks/wordembed"
)

// Tasks lists every task, in report order. Register a new task here.
func Tasks() []experiment.Task {
	return []experiment.Task{
		parity.Task{},
		parity.Small,
		parity.SmallWide,
		pentomino.Task{},
		mnist.Tanh,
		mnist.Sigmoid,
		cifar10.Task{},
		ptb.Task{},
		copytask.Task{},
		wordembed.Task{},
	}
}

// Configs lists every configuration, in report order. Register a new
// configuration here.
func Configs() []experiment.Config {
	return []experiment.Config{
		baselines.Baseline{},
		baselines.Residual{},
		baselines.Noisy{},
		baselines.Anneal{},
		baselines.GradNoise{},
		mollified.Config{},
		mollified.ResidualConfig{},
		baselines.StochDepth{},
	}
}

// LookupTask returns the task called name.
func LookupTask(name string) (experiment.Task, error) {
	var names []string
	for _, t := range Tasks() {
		if t.Name() == name {
			return t, nil
		}
		names = append(names, t.Name())
	}
	return nil, fmt.Errorf("unknown task %q%s (known tasks: %s)", name, experiment.DidYouMean(name, names), strings.Join(names, ", "))
}

// LookupConfig returns the configuration called name.
func LookupConfig(name string) (experiment.Config, error) {
	var names []string
	for _, c := range Configs() {
		if c.Name() == name {
			return c, nil
		}
		names = append(names, c.Name())
	}
	return nil, fmt.Errorf("unknown configuration %q%s (known configurations: %s)", name, experiment.DidYouMean(name, names), strings.Join(names, ", "))
}
