package speed

import (
	"time"

	"github.com/mollifying/mollify/experiment"
)

// RunCost is the estimated CPU time of one run of a task under a
// configuration: Updates × Step + Evals × EvalUnits × EvalPerUnit (data
// loading and batch gathering left out).
type RunCost struct {
	Step, EvalPerUnit         time.Duration
	Updates, Evals, EvalUnits int
	// Scaled names the stand-in network the step was measured on, when the
	// profile's own network was measured only under the reference
	// configuration (ResNet-110); "" when measured directly.
	Scaled string
}

// Run is the CPU time of one run.
func (c RunCost) Run() time.Duration {
	return time.Duration(c.Updates)*c.Step + time.Duration(float64(c.Evals)*float64(c.EvalUnits)*float64(c.EvalPerUnit))
}

// EstimateRuns measures, for every task × configuration of the profile for
// which want is true, one update (the slower of early and late for a
// configuration with a schedule) and the evaluation per example, each for
// about budget of CPU time, and returns the cost of one run by
// "task/config". A network measured only on a stand-in (a deep ResNet under
// every configuration but the reference) is scaled by the reference's ratio
// between its own network and the stand-in, as make bench does.
func EstimateRuns(profile experiment.Profile, want func(task, config string) bool, budget time.Duration) (map[string]RunCost, error) {
	cs, err := Cases(profile, true)
	if err != nil {
		return nil, err
	}
	type times struct{ step, eval float64 } // ns per update, ns per unit
	measured := map[string]times{}          // by case name without /late
	for _, c := range cs {
		// The reference is measured too where a wanted configuration was
		// measured only on a stand-in: its ratio scales it.
		if !want(c.Task, c.Config) && !(c.Config == Reference && scaled(cs, c.Task, want)) {
			continue
		}
		name := c.TaskName() + "/" + c.Config
		step, err := NewStep(c, 1)
		if err != nil {
			return nil, err
		}
		r := Measure(3, budget/6, func() { step.Run() })
		t := measured[name]
		t.step = max(t.step, float64(r.Mean()))
		if !c.Late {
			ev, err := NewEval(c, 1)
			if err != nil {
				return nil, err
			}
			re := Measure(2, budget/8, func() { ev.Run() })
			t.eval = float64(re.Mean()) / float64(max(ev.Examples(), 1))
		}
		measured[name] = t
	}
	out := map[string]RunCost{}
	for _, c := range cs {
		if c.Late || !want(c.Task, c.Config) || !c.Own && hasOwn(cs, c.Task, c.Config) {
			continue
		}
		key := c.Task + "/" + c.Config
		t := measured[c.TaskName()+"/"+c.Config]
		rc := RunCost{Updates: c.Work.Updates(), Evals: c.Work.Evaluations(), EvalUnits: c.Work.EvalExamples()}
		if !c.Own {
			// Scale the stand-in by the reference's own/stand-in ratio.
			own, stand := measured[ownName(cs, c.Task)], measured[c.TaskName()+"/"+Reference]
			if stand.step > 0 && stand.eval > 0 && own.step > 0 {
				t.step *= own.step / stand.step
				t.eval *= own.eval / stand.eval
				rc.Scaled = c.TaskName()
			}
		}
		rc.Step, rc.EvalPerUnit = time.Duration(t.step), time.Duration(t.eval)
		out[key] = rc
	}
	return out, nil
}

// scaled reports whether a wanted configuration of task has a case only on
// a stand-in network.
func scaled(cs []Case, task string, want func(task, config string) bool) bool {
	for _, c := range cs {
		if c.Task == task && !c.Own && want(task, c.Config) && !hasOwn(cs, task, c.Config) {
			return true
		}
	}
	return false
}

// hasOwn reports whether task/config has a case on the profile's own network.
func hasOwn(cs []Case, task, config string) bool {
	for _, c := range cs {
		if c.Task == task && c.Config == config && c.Own {
			return true
		}
	}
	return false
}

// ownName is the case name of the reference on the task's own network.
func ownName(cs []Case, task string) string {
	for _, c := range cs {
		if c.Task == task && c.Config == Reference && c.Own {
			return c.TaskName() + "/" + Reference
		}
	}
	return ""
}
