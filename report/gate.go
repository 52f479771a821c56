package report

import (
	"fmt"
	"maps"
	"math"
	"regexp"
	"slices"
	"strings"

	"github.com/mollifying/mollify/experiment"
	"github.com/mollifying/mollify/stats"
)

// Gate is the sanity gate of a task: whether its mollified final runs show
// the method's mechanism, check by check. A verdict on a claim computed
// while the gate does not pass says so beside it.
type Gate struct {
	// Applicable is false when the task has no mollified final runs.
	Applicable bool    `json:"applicable"`
	Passed     bool    `json:"passed"`
	Checks     []Check `json:"checks"`
}

// Check is one check of a [Gate].
type Check struct {
	Name   string `json:"name"`
	Passed bool   `json:"passed"`
	Detail string `json:"detail"`
	// Info marks a comparison reported for the reader that the gate does
	// not require on this task (see experiment.ReportSpec.PlainStuck).
	Info bool `json:"info,omitempty"`
}

// The thresholds of the gate's checks.
const (
	gateStartP  = 0.9 // mean p at the first evaluation, at least
	gateFallTo  = 0.1 // Σp at the end over Σp at the start, at most
	gateEarlyOf = 4   // the early part of training is the first 1/gateEarlyOf of the updates
)

var layerP = regexp.MustCompile(`^p[0-9]+$`)

// layers is the number of annealed layers a run traces (p1 ... pL).
func layers(v experiment.Values) int {
	n := 0
	for k := range v {
		if layerP.MatchString(k) {
			n++
		}
	}
	return n
}

// gate runs the checks on the task's mollified final runs:
//
//	(a) p starts near 1: the mean p at the first evaluation is at least 0.9;
//	(b) p falls: Σp at the last evaluation is at most 10% of the first;
//	(c) annealing stops inside the budget in every run (anneal_stop > 0);
//	(d) where the task has plain baseline runs, the trained network's curve
//	    (the task's curve metric) is better than the plain network's, averaged
//	    over the evaluations in the first quarter of training.
func gate(tr *TaskReport) Gate {
	m := tr.config(Method)
	if m == nil || len(m.Runs) == 0 {
		return Gate{}
	}
	g := Gate{Applicable: true, Passed: true}
	add := func(name string, ok bool, detail string) {
		g.Checks = append(g.Checks, Check{Name: name, Passed: ok, Detail: detail})
		g.Passed = g.Passed && ok
	}
	var start, fall []float64
	stopped, recorded := 0, 0
	for _, r := range m.Runs {
		if len(r.Curve) == 0 {
			continue
		}
		first, last := r.Curve[0].Values, r.Curve[len(r.Curve)-1].Values
		if L := layers(first); L > 0 {
			start = append(start, float64(first["p_sum"])/float64(L))
		}
		if s0 := float64(first["p_sum"]); s0 > 0 {
			fall = append(fall, float64(last["p_sum"])/s0)
		}
		if v, ok := r.Final[experiment.AnnealStop]; ok {
			recorded++
			if v > 0 {
				stopped++
			}
		}
	}
	if len(start) == 0 {
		add("p starts near 1", false, "the runs trace no p")
	} else {
		mean := stats.Mean(start)
		add("p starts near 1", mean >= gateStartP, fmt.Sprintf("mean p at the first evaluation %s (want ≥ %g)", fmtNum(mean), gateStartP))
	}
	if len(fall) > 0 {
		worst := slices.Max(fall)
		add("p falls", worst <= gateFallTo, fmt.Sprintf("Σp at the end over Σp at the start: at most %s over the runs (want ≤ %g)", fmtNum(worst), gateFallTo))
	}
	switch {
	case recorded < len(m.Runs):
		add("annealing stops inside the budget", false, fmt.Sprintf("%d of %d runs do not record when annealing stopped", len(m.Runs)-recorded, len(m.Runs)))
	default:
		add("annealing stops inside the budget", stopped == len(m.Runs), fmt.Sprintf("stopped in %d of %d runs", stopped, len(m.Runs)))
	}
	if b := tr.config("baseline"); b != nil && len(b.Runs) > 0 && tr.Spec.Curve != "" {
		mv, bv := earlyMean(m.Runs, tr.Spec.Curve), earlyMean(b.Runs, tr.Spec.Curve)
		if !math.IsNaN(mv) && !math.IsNaN(bv) {
			higher := HigherBetter(tr.Spec, tr.Spec.Curve)
			ok := mv > bv
			if !higher {
				ok = mv < bv
			}
			detail := fmt.Sprintf("%s over the first quarter of training: mollified %s, baseline %s", tr.Spec.Curve, fmtNum(mv), fmtNum(bv))
			if tr.Spec.PlainStuck {
				add("the trained network leads early", ok, detail)
			} else {
				g.Checks = append(g.Checks, Check{Name: "the trained network leads early", Passed: ok, Detail: detail + " (not required: the plain network is not stuck on this task)", Info: true})
			}
		}
	}
	return g
}

// earlyMean is the mean of metric over the evaluations after update 0 and
// within the first quarter of each run's updates, over runs.
func earlyMean(runs []*experiment.Record, metric string) float64 {
	var vs []float64
	for _, r := range runs {
		last := 0
		if len(r.Curve) > 0 {
			last = r.Curve[len(r.Curve)-1].Update
		}
		for _, p := range r.Curve {
			if p.Update == 0 || p.Update*gateEarlyOf > last {
				continue
			}
			if v, ok := p.Values[metric]; ok && !math.IsNaN(float64(v)) {
				vs = append(vs, float64(v))
			}
		}
	}
	if len(vs) == 0 {
		return math.NaN()
	}
	return stats.Mean(vs)
}

// HigherBetter tells a metric's direction: the task's declaration, else
// lower for losses, perplexities, bits and errors.
func HigherBetter(spec experiment.ReportSpec, name string) bool {
	for _, m := range spec.Metrics {
		if m.Name == name {
			return m.HigherBetter
		}
	}
	for _, w := range []string{"loss", "ppl", "bps", "bpc", "err"} {
		if strings.Contains(name, w) {
			return false
		}
	}
	return true
}

// gateNote is what a verdict carries while the gate does not pass.
func (g Gate) note() string {
	var failed []string
	for _, c := range g.Checks {
		if !c.Passed {
			failed = append(failed, c.Name+" ("+c.Detail+")")
		}
	}
	return "sanity gate not passed: " + strings.Join(failed, "; ")
}

// gateTable renders the gate.
func gateTable(g Gate) Table {
	if !g.Applicable {
		return Table{}
	}
	verdict := "passed"
	if !g.Passed {
		verdict = "not passed"
	}
	t := Table{Title: "Sanity gate: " + verdict, Header: []string{"check", "holds", "numbers"}}
	for _, c := range g.Checks {
		holds := yesNo(c.Passed)
		if c.Info {
			holds += " (reported only)"
		}
		t.Rows = append(t.Rows, []string{c.Name, holds, c.Detail})
	}
	t.Notes = append(t.Notes, "The gate checks that the mollified final runs show the method's mechanism before any verdict is read (paper/TUNING.md §5).")
	return t
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// annealingTable lists, per mollified final run, where p started, where it
// ended and when annealing stopped; it flags runs whose annealing did not
// stop within the budget.
func annealingTable(tr *TaskReport) Table {
	t := Table{Title: "Annealing of the mollified runs", Header: []string{"configuration", "seed", "mean p at start", "Σp at the end", "annealing stopped at", "k"}}
	for _, c := range tr.Configs {
		notStopped := 0
		for i, r := range c.Runs {
			if len(r.Curve) == 0 {
				continue
			}
			first := r.Curve[0].Values
			L := layers(first)
			stop, ok := r.Final[experiment.AnnealStop]
			if L == 0 || !ok {
				continue
			}
			at := fmtNum(float64(stop))
			if stop == 0 {
				notStopped++
				at = fmt.Sprintf("did not stop within %d updates", r.Updates)
			}
			t.Rows = append(t.Rows, []string{c.Name, fmt.Sprint(c.Seeds[i]), fmtNum(float64(first["p_sum"]) / float64(L)), fmtNum(float64(r.Final["p_sum"])), at, fmtNum(float64(r.Final["k"]))})
		}
		if notStopped > 0 {
			t.Notes = append(t.Notes, fmt.Sprintf("**%s: annealing did not stop in %d of %d runs**: their final numbers are those of a network still partly mollified; the original network's are the rows marked p = 0.", c.Name, notStopped, len(c.Runs)))
		}
	}
	return t
}

// originalRows are the final-table rows of the original network (p = 0)
// of configurations that record it apart (values named with the suffix
// experiment.OriginalSuffix).
func originalRows(tr *TaskReport) [][]string {
	var rows [][]string
	for _, c := range tr.Configs {
		if len(c.Runs) == 0 {
			continue
		}
		has := false
		for _, m := range tr.Spec.Metrics {
			_, ok := c.Runs[0].Final[m.Name+experiment.OriginalSuffix]
			has = has || ok
		}
		if !has {
			continue
		}
		row := []string{c.Name + " (p = 0)", fmt.Sprint(len(c.Runs))}
		for _, m := range tr.Spec.Metrics {
			name := m.Name + experiment.OriginalSuffix
			if _, ok := c.Runs[0].Final[name]; !ok {
				row = append(row, "–")
				continue
			}
			row = append(row, fmtMetric(name, stats.Summarize(c.Values(name), tr.Name+"/"+c.Name+"/"+name)))
		}
		rows = append(rows, append(row, ""))
	}
	return rows
}

// trialNotes say how many trials and tuning seeds each configuration had,
// and warn when the configurations of a task had different budgets.
func trialNotes(tr *TaskReport) []string {
	counts := map[string]int{}
	seeds := map[string]int{}
	for _, c := range tr.Configs {
		trials := map[int]map[uint64]bool{}
		for _, r := range c.Tuned {
			if trials[r.Spec.Trial] == nil {
				trials[r.Spec.Trial] = map[uint64]bool{}
			}
			trials[r.Spec.Trial][r.Spec.Seed] = true
		}
		if len(trials) == 0 {
			continue
		}
		counts[c.Name] = len(trials)
		n := len(c.Tuned)
		seeds[c.Name] = n / len(trials)
	}
	if len(counts) == 0 {
		return nil
	}
	var parts []string
	for _, c := range tr.Configs {
		if n, ok := counts[c.Name]; ok {
			parts = append(parts, fmt.Sprintf("%s %d × %d seeds", c.Name, n, seeds[c.Name]))
		}
	}
	notes := []string{"Tuning budget: trials × tuning seeds per configuration: " + strings.Join(parts, ", ") + "."}
	distinct := map[int]bool{}
	for _, n := range counts {
		distinct[n] = true
	}
	if len(distinct) > 1 {
		notes = append(notes, fmt.Sprintf("**The configurations had different numbers of trials (%v)**: the tuning budgets were not equal.", slices.Sorted(maps.Keys(distinct))))
	}
	return notes
}
