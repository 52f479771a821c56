package report

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/mollifying/mollify/experiment"
	"github.com/mollifying/mollify/stats"
	"github.com/mollifying/mollify/store"
)

// Method is the configuration every other is compared with.
const Method = "mollified"

// Report is the analysis of a results directory.
type Report struct {
	Tasks []*TaskReport
	// NotRun are the tasks the results' profile defines that have no
	// result file here (the paper profile's CIFAR-10, say): the summary and
	// the paper's tables list them as not run here, so that a reader sees
	// what the folder leaves out.
	NotRun     []NotRun
	Provenance []string
	Warnings   []string

	results     []*store.Result // what it was built from, for the exports
	configOrder []string        // the registry's order of configurations: their colours
}

// TaskReport is the analysis of one task.
type TaskReport struct {
	Name, Summary, Profile string
	Spec                   experiment.ReportSpec
	Configs                []*ConfigReport
	Tuning                 Table
	Results                Table
	Comparisons            Table
	Claims                 []Verdict
	// Gate is the sanity gate (mechanism checks) of the mollified runs;
	// GateTable and Annealing render it and their annealing.
	Gate                 Gate
	GateTable, Annealing Table
	// Figures lists the figure files written for this task, relative to
	// the results directory.
	Figures []string
	// Runs and RunSeconds count the task's result files and the sum of
	// their wall times (tuning included), from the files' provenance.
	Runs       int
	RunSeconds float64
}

// ConfigReport holds one configuration's final runs of a task.
type ConfigReport struct {
	Name     string
	Runs     []*experiment.Record
	Tuned    []*experiment.Record
	Selected experiment.Hyper
	Seeds    []uint64
}

// NotRun is a task of the results' profile without results here.
type NotRun struct {
	Name, Summary, Profile string
	Spec                   experiment.ReportSpec
}

// Verdict is the data's answer to a claim.
type Verdict struct {
	Claim   experiment.Claim
	Outcome string
	Detail  string
	// Diff is the claimed configuration minus the other on the claim's
	// metric (N = 0 when not run).
	Diff stats.Summary
}

// Table is a rendered-agnostic table.
type Table struct {
	Title  string
	Header []string
	Rows   [][]string
	Notes  []string
}

// Registry is what a report needs to know of the suite beyond the result
// files: how to find a task by name (for what to report), and the order of
// tasks and configurations. The command passes the harness's; the report
// imports no task.
type Registry struct {
	Task func(name string) (experiment.Task, error)
	// Profile resolves the profile name the runs record (built-in, or the
	// user profile the command was given); nil or an error leaves the
	// tuning table without its selection rule.
	Profile func(name string) (experiment.Profile, error)
	Tasks   []string
	Configs []string
}

// Build analyses results; reg resolves task names to tasks (for what to
// report); results of unknown tasks get every final metric.
func Build(results []*store.Result, reg Registry) (*Report, error) {
	if len(results) == 0 {
		return nil, fmt.Errorf("report: no result files")
	}
	byTask := map[string][]*store.Result{}
	var order []string
	prov := map[string]bool{}
	for _, r := range results {
		name := r.Record.Spec.Task
		if _, ok := byTask[name]; !ok {
			order = append(order, name)
		}
		byTask[name] = append(byTask[name], r)
		e := r.Env
		prov[fmt.Sprintf("revision %s, %s on %s (%s), GEMM %s", e.Revision, e.GoVersion, e.CPU, e.Platform, e.GEMM)] = true
	}
	// Tasks in registry order, then any others by name.
	rank := map[string]int{}
	for i, t := range reg.Tasks {
		rank[t] = i
	}
	slices.SortStableFunc(order, func(a, b string) int {
		ra, oka := rank[a]
		rb, okb := rank[b]
		switch {
		case oka && okb:
			return ra - rb
		case oka:
			return -1
		case okb:
			return 1
		}
		return strings.Compare(a, b)
	})
	rep := &Report{Provenance: slices.Sorted(maps.Keys(prov)), results: results, configOrder: reg.Configs}
	if len(prov) > 1 {
		rep.Warnings = append(rep.Warnings, "the results come from more than one code revision or machine (see Provenance)")
	}
	for _, name := range order {
		tr, err := buildTask(name, byTask[name], reg)
		if err != nil {
			return nil, err
		}
		rep.Tasks = append(rep.Tasks, tr)
	}
	rep.NotRun = notRun(rep.Tasks, reg)
	return rep, nil
}

// notRun lists, in registry order, the tasks that define the results'
// profile and have no result here. With results of several profiles there
// is no one profile to speak of, and the list is empty.
func notRun(tasks []*TaskReport, reg Registry) []NotRun {
	profiles := map[string]bool{}
	ran := map[string]bool{}
	for _, tr := range tasks { // buildTask made each task's profile one
		profiles[tr.Profile] = true
		ran[tr.Name] = true
	}
	if len(profiles) != 1 || reg.Task == nil {
		return nil
	}
	name := tasks[0].Profile
	base := name // a built-in profile is its own base
	if reg.Profile != nil {
		if p, err := reg.Profile(name); err == nil {
			base = p.Base
		}
	}
	var out []NotRun
	for _, tn := range reg.Tasks {
		if ran[tn] {
			continue
		}
		t, err := reg.Task(tn)
		if err != nil || !slices.Contains(t.Profiles(), base) {
			continue
		}
		nr := NotRun{Name: tn, Profile: name}
		nr.Summary, nr.Spec = describe(t)
		out = append(out, nr)
	}
	return out
}

// describe is what a report says of a task, run or not: its one-line
// summary and, when it declares one, its report spec.
func describe(t experiment.Task) (summary string, spec experiment.ReportSpec) {
	if r, ok := t.(experiment.Reporter); ok {
		spec = r.Report()
	}
	return t.Summary(), spec
}

func buildTask(name string, rs []*store.Result, reg Registry) (*TaskReport, error) {
	tr := &TaskReport{Name: name}
	profiles := map[string]bool{}
	configs := map[string]*ConfigReport{}
	for _, r := range rs {
		s := r.Record.Spec
		profiles[s.Profile] = true
		tr.Runs++
		tr.RunSeconds += r.Env.WallSeconds
		c := configs[s.Config]
		if c == nil {
			c = &ConfigReport{Name: s.Config}
			configs[s.Config] = c
		}
		if s.Phase == experiment.Final {
			c.Runs = append(c.Runs, r.Record)
			c.Seeds = append(c.Seeds, s.Seed)
			c.Selected = s.Hyper
		} else {
			c.Tuned = append(c.Tuned, r.Record)
		}
	}
	if len(profiles) != 1 {
		return nil, fmt.Errorf("report: task %s has results of several profiles %v; report one directory per profile", name, slices.Sorted(maps.Keys(profiles)))
	}
	if err := onePointEach(rs); err != nil {
		return nil, err
	}
	tr.Profile = slices.Collect(maps.Keys(profiles))[0]
	var sel experiment.Selector
	if t, err := reg.Task(name); err == nil {
		tr.Summary, tr.Spec = describe(t)
		if reg.Profile != nil {
			if p, err := reg.Profile(tr.Profile); err == nil {
				if sw, err := t.Sweep(p); err == nil {
					sel = sw.Select
				}
			}
		}
	}
	if len(tr.Spec.Metrics) == 0 {
		tr.Spec.Metrics = genericMetrics(rs)
	}
	tr.Configs = orderConfigs(configs, reg.Configs)
	for _, c := range tr.Configs {
		sortBySeed(c)
	}
	tr.Tuning = tuningTable(tr, sel)
	tr.Tuning.Notes = append(tr.Tuning.Notes, trialNotes(tr)...)
	tr.Results = resultsTable(tr)
	if rows := originalRows(tr); len(rows) > 0 {
		tr.Results.Rows = append(tr.Results.Rows, rows...)
		tr.Results.Notes = append(tr.Results.Notes, "Rows marked p = 0: the original network measured beside the network being trained (the same runs); once annealing has stopped the two are the same network. The early-stopping metrics (best valid) always judge the original network.")
	}
	tr.Comparisons = comparisonTable(tr)
	tr.Gate = gate(tr)
	tr.GateTable = gateTable(tr.Gate)
	tr.Annealing = annealingTable(tr)
	tr.Claims = verdicts(tr)
	if tr.Gate.Applicable && !tr.Gate.Passed {
		for i := range tr.Claims {
			tr.Claims[i].Detail += "; " + tr.Gate.note()
		}
	}
	return tr, nil
}

// orderConfigs lists configurations in registry order, unknown ones last.
func orderConfigs(m map[string]*ConfigReport, order []string) []*ConfigReport {
	var out []*ConfigReport
	for _, c := range order {
		if r, ok := m[c]; ok {
			out = append(out, r)
			delete(m, c)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, m[k])
	}
	return out
}

func sortBySeed(c *ConfigReport) {
	idx := make([]int, len(c.Runs))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return c.Seeds[idx[a]] < c.Seeds[idx[b]] })
	runs, seeds := make([]*experiment.Record, len(idx)), make([]uint64, len(idx))
	for k, i := range idx {
		runs[k], seeds[k] = c.Runs[i], c.Seeds[i]
	}
	c.Runs, c.Seeds = runs, seeds
	sort.Slice(c.Tuned, func(a, b int) bool {
		x, y := c.Tuned[a].Spec, c.Tuned[b].Spec
		if x.Trial != y.Trial {
			return x.Trial < y.Trial
		}
		return x.Seed < y.Seed
	})
}

func genericMetrics(rs []*store.Result) []experiment.Metric {
	names := map[string]bool{}
	for _, r := range rs {
		for k := range r.Record.Final {
			names[k] = true
		}
	}
	var out []experiment.Metric
	for _, k := range slices.Sorted(maps.Keys(names)) {
		out = append(out, experiment.Metric{Name: k, Label: k, HigherBetter: strings.Contains(k, "acc")})
	}
	return out
}

// Values returns one value per final run of metric name.
func (c *ConfigReport) Values(name string) []float64 {
	out := make([]float64, 0, len(c.Runs))
	for _, r := range c.Runs {
		v, ok := r.Final[name]
		if !ok {
			v = experiment.Num(math.NaN())
		}
		out = append(out, float64(v))
	}
	return out
}

// ineligible says why a trial cannot be chosen: some seed diverged, or
// some seed's annealing did not stop within its budget; "" if neither.
func ineligible(rs []*experiment.Record) string {
	var diverged, unstopped int
	for _, r := range rs {
		switch {
		case r.Diverged:
			diverged++
		case !r.Eligible():
			unstopped++
		}
	}
	var why []string
	if diverged > 0 {
		why = append(why, fmt.Sprintf("%d of %d seeds diverged", diverged, len(rs)))
	}
	if unstopped > 0 {
		why = append(why, fmt.Sprintf("annealing did not stop in %d of %d seeds", unstopped, len(rs)))
	}
	return strings.Join(why, "; ")
}

func tuningTable(tr *TaskReport, sel experiment.Selector) Table {
	t := Table{Title: "Tuning", Header: []string{"configuration", "trial", "hyper-parameters", "selection score", "chosen"}}
	if sel.Metric != "" {
		dir := "lowest"
		if sel.Maximize {
			dir = "highest"
		}
		unit := ""
		if percent(sel.Metric) {
			unit = " (in %)"
		}
		t.Notes = append(t.Notes, fmt.Sprintf("Selection: %s %s%s, mean over the tuning seeds; the final runs use the chosen point on other seeds.", dir, sel.Metric, unit))
	}
	for _, c := range tr.Configs {
		trials := map[int][]*experiment.Record{}
		for _, r := range c.Tuned {
			trials[r.Spec.Trial] = append(trials[r.Spec.Trial], r)
		}
		for _, i := range slices.Sorted(maps.Keys(trials)) {
			rs := trials[i]
			var vals []float64
			for _, r := range rs {
				v := math.NaN()
				if x, ok := r.Score(sel.Metric); ok && r.Eligible() {
					v = x
				}
				vals = append(vals, v)
			}
			score := fmtNum(displayScale(sel.Metric) * stats.Mean(vals))
			if why := ineligible(rs); why != "" {
				score += " (" + why + ")"
			}
			chosen := ""
			if c.Selected != nil && maps.Equal(rs[0].Spec.Hyper, c.Selected) {
				chosen = "✓"
			}
			t.Rows = append(t.Rows, []string{c.Name, fmt.Sprint(i), rs[0].Spec.Hyper.String(), score, chosen})
		}
		t.Notes = append(t.Notes, edgeNotes(c)...)
	}
	return t
}

// edge is a chosen value at the smallest or largest of the values a
// configuration tried on one axis (of three values or more): the best
// point may lie outside the grid.
type edge struct {
	config, axis string
	value        float64
	lo, hi       float64
}

// short is the edge as the summary table shows it.
func (e edge) short() string {
	side := "lowest"
	if e.value == e.hi {
		side = "highest"
	}
	return fmt.Sprintf("%s %s = %s (%s tried)", e.config, e.axis, fmtNum(e.value), side)
}

// edges lists, axis by axis, the configuration's chosen values that sit at
// an edge of the values its tuning trials tried.
func edges(c *ConfigReport) []edge {
	if c == nil || c.Selected == nil {
		return nil
	}
	var out []edge
	for _, axis := range slices.Sorted(maps.Keys(c.Selected)) {
		tried := map[float64]bool{}
		for _, r := range c.Tuned {
			if v, ok := r.Spec.Hyper[axis]; ok {
				tried[v] = true
			}
		}
		if len(tried) < 3 {
			continue
		}
		vals := slices.Sorted(maps.Keys(tried))
		lo, hi, v := vals[0], vals[len(vals)-1], c.Selected[axis]
		if v == lo || v == hi {
			out = append(out, edge{config: c.Name, axis: axis, value: v, lo: lo, hi: hi})
		}
	}
	return out
}

// edgeNotes warns, for each axis on which a configuration tried at least
// three values, when the chosen value is the smallest or largest of them:
// the best point may then lie outside the grid, and a wider grid could
// change the comparison.
func edgeNotes(c *ConfigReport) []string {
	var notes []string
	for _, e := range edges(c) {
		notes = append(notes, fmt.Sprintf("%s: the chosen %s = %s is at the edge of the values tried (%s to %s); the best value may lie outside the grid.", e.config, e.axis, fmtNum(e.value), fmtNum(e.lo), fmtNum(e.hi)))
	}
	return notes
}

// edgesOf lists the edge picks of the named configurations, as the summary
// shows them.
func edgesOf(tr *TaskReport, configs ...string) []string {
	var out []string
	for _, name := range configs {
		for _, e := range edges(tr.config(name)) {
			out = append(out, e.short())
		}
	}
	return out
}

func resultsTable(tr *TaskReport) Table {
	t := Table{Title: "Final runs", Header: []string{"configuration", "seeds"}}
	for _, m := range tr.Spec.Metrics {
		arrow := "↓"
		if m.HigherBetter {
			arrow = "↑"
		}
		t.Header = append(t.Header, metricLabel(m)+" "+arrow)
	}
	t.Header = append(t.Header, "diverged")
	small, censored, anyCensored := false, false, false
	var diverged []string
	for _, c := range tr.Configs {
		if len(c.Runs) == 0 {
			continue
		}
		row := []string{c.Name, fmt.Sprint(len(c.Runs))}
		for _, m := range tr.Spec.Metrics {
			s := stats.Summarize(c.Values(m.Name), tr.Name+"/"+c.Name+"/"+m.Name)
			cell := fmtMetric(m.Name, s)
			if m.Name == experiment.UpdatesToTarget {
				cell, censored = targetCell(c, tr.Name)
				anyCensored = anyCensored || censored
			}
			row = append(row, cell)
			small = small || s.N < stats.MinN
		}
		div := 0
		for _, r := range c.Runs {
			if r.Diverged {
				div++
				diverged = append(diverged, fmt.Sprintf("%s seed %d at update %d", c.Name, r.Spec.Seed, r.Updates))
			}
		}
		row = append(row, fmt.Sprint(div))
		t.Rows = append(t.Rows, row)
	}
	t.Notes = append(t.Notes, fmt.Sprintf("Each cell: mean over seeds [%d%% percentile-bootstrap interval, %d resamples, seeds resampled].", int(stats.Confidence*100), stats.Resamples))
	if small {
		t.Notes = append(t.Notes, fmt.Sprintf("Fewer than %d seeds: the intervals are shown but are not reliable.", stats.MinN))
	}
	if len(diverged) > 0 {
		t.Notes = append(t.Notes, fmt.Sprintf("Diverged (loss NaN or infinite; the run stops there and is evaluated once more): %s. A diverged run's values are those of that last evaluation and are kept in the statistics, so a metric it made non-finite prints NaN without an interval.", strings.Join(diverged, ", ")))
	}
	if anyCensored {
		t.Notes = append(t.Notes, "Updates to the target: a run that did not reach it within its budget is censored; the cell gives the mean over the runs that reached it and how many did, or \"not reached\" with the budget. Comparisons count a censored run as the budget + 1, a bound in its favour.")
	}
	return t
}

// targetCell is the updates-to-target cell of a configuration: runs that
// did not reach the target are censored, not averaged as if their budget
// + 1 were a count.
func targetCell(c *ConfigReport, task string) (cell string, censored bool) {
	var reached []float64
	budget := 0.0
	for _, r := range c.Runs {
		v, ok := r.Final[experiment.UpdatesToTarget]
		if !ok {
			continue
		}
		if hit, ok := r.Final[experiment.ReachedTarget]; ok && hit == 0 {
			budget = float64(v) - 1
			continue
		}
		reached = append(reached, float64(v))
	}
	n := len(reached)
	total := n
	for _, r := range c.Runs {
		if hit, ok := r.Final[experiment.ReachedTarget]; ok && hit == 0 {
			total++
		}
	}
	switch {
	case total == 0:
		return "–", false
	case n == total:
		return fmtSummary(stats.Summarize(reached, task+"/"+c.Name+"/"+experiment.UpdatesToTarget)), false
	case n == 0:
		return fmt.Sprintf("not reached (> %.0f)", budget), true
	}
	return fmt.Sprintf("%s; %d of %d reached", fmtSummary(stats.Summarize(reached, task+"/"+c.Name+"/"+experiment.UpdatesToTarget)), n, total), true
}

func (tr *TaskReport) config(name string) *ConfigReport {
	for _, c := range tr.Configs {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func comparisonTable(tr *TaskReport) Table {
	t := Table{Title: "Mollified against each configuration", Header: []string{"versus"}}
	m := tr.config(Method)
	if m == nil || len(m.Runs) == 0 {
		return Table{}
	}
	for _, mt := range tr.Spec.Metrics {
		t.Header = append(t.Header, "Δ "+metricLabel(mt), "P(better)")
	}
	for _, c := range tr.Configs {
		if c.Name == Method || len(c.Runs) == 0 {
			continue
		}
		row := []string{c.Name}
		for _, mt := range tr.Spec.Metrics {
			cmp := stats.Compare(m.Values(mt.Name), c.Values(mt.Name), m.Seeds, c.Seeds, mt.HigherBetter, tr.Name+"/"+c.Name+"/"+mt.Name)
			row = append(row, fmtMetric(mt.Name, cmp.Diff), fmtNum(cmp.PImprove))
		}
		t.Rows = append(t.Rows, row)
	}
	t.Notes = append(t.Notes, "Δ = mollified − other, per seed when the seeds pair up (they start from the same weights); P(better) = probability that a mollified run beats a run of the other configuration (ties count half).")
	return t
}

func verdicts(tr *TaskReport) []Verdict {
	var out []Verdict
	for _, cl := range tr.Spec.Claims {
		v := Verdict{Claim: cl}
		x, y := tr.config(cl.Config), tr.config(cl.Versus)
		var metric experiment.Metric
		for _, m := range tr.Spec.Metrics {
			if m.Name == cl.Metric {
				metric = m
			}
		}
		switch {
		case x == nil || y == nil || len(x.Runs) == 0 || len(y.Runs) == 0:
			v.Outcome, v.Detail = "not run", fmt.Sprintf("needs final runs of %s and %s", cl.Config, cl.Versus)
		default:
			cmp := stats.Compare(x.Values(cl.Metric), y.Values(cl.Metric), x.Seeds, y.Seeds, metric.HigherBetter, tr.Name+"/claim/"+cl.ID)
			d := cmp.Diff
			better := func(v float64) bool { return (v > 0) == metric.HigherBetter && v != 0 }
			dir := "in the claimed direction"
			if !better(d.Mean) {
				dir = "against the claim"
				if d.Mean == 0 {
					dir = "no difference"
				}
			}
			v.Diff = d
			v.Detail = fmt.Sprintf("Δ %s = %s (%s), P(better) = %s, n = %d", cl.Metric, fmtDelta(cl.Metric, d), dir, fmtNum(cmp.PImprove), d.N)
			if c, ok := constant(append(x.Values(cl.Metric), y.Values(cl.Metric)...)); ok {
				v.Detail += fmt.Sprintf("; every run of both has %s = %s, so this metric does not separate them", cl.Metric, fmtNum(c))
			}
			switch {
			case d.N < stats.MinN:
				v.Outcome = fmt.Sprintf("too few seeds to decide (n = %d < %d)", d.N, stats.MinN)
			case cl.Metric == experiment.UpdatesToTarget && noneReached(x) && noneReached(y):
				// Both sides censored at the budget: the data cannot say
				// which is faster, only that neither gets there.
				v.Outcome = "undecided (neither reaches the target within the budget)"
			case math.IsNaN(d.Lo):
				v.Outcome = "undecided (diverged runs)"
			case better(d.Lo) && better(d.Hi):
				v.Outcome = "reproduced"
			case !better(d.Lo) && !better(d.Hi) && d.Lo != 0 && d.Hi != 0:
				v.Outcome = "not reproduced (the opposite holds)"
			default:
				v.Outcome = "not reproduced (no clear difference)"
			}
		}
		out = append(out, v)
	}
	return out
}

// noneReached reports whether every final run of c records that it did
// not reach the target (updates_to_target is then the budget + 1).
func noneReached(c *ConfigReport) bool {
	for _, r := range c.Runs {
		if hit, ok := r.Final[experiment.ReachedTarget]; !ok || hit != 0 {
			return false
		}
	}
	return len(c.Runs) > 0
}

// constant reports whether all of vs (at least one) are the same number.
func constant(vs []float64) (float64, bool) {
	if len(vs) == 0 {
		return 0, false
	}
	for _, v := range vs[1:] {
		if v != vs[0] {
			return 0, false
		}
	}
	return vs[0], true
}

// percent reports whether metric name is an accuracy: a fraction in the
// result files and the exports, printed as a percentage (the paper's unit)
// in every table of the report, so that its numbers and the paper's read
// alike.
func percent(name string) bool {
	base := strings.TrimSuffix(name, experiment.OriginalSuffix)
	return strings.HasSuffix(base, "_acc") || strings.Contains(base, "_acc_")
}

// displayScale is the factor from metric name's stored unit to the
// report's: 100 for an accuracy (see percent), else 1.
func displayScale(name string) float64 {
	if percent(name) {
		return 100
	}
	return 1
}

// metricLabel is a metric's column label with its unit.
func metricLabel(m experiment.Metric) string {
	if percent(m.Name) {
		return m.Label + " (%)"
	}
	return m.Label
}

// fmtMetric formats a summary of metric name in the report's unit for it.
func fmtMetric(name string, s stats.Summary) string {
	k := displayScale(name)
	s.Mean, s.Lo, s.Hi, s.Min, s.Max = k*s.Mean, k*s.Lo, k*s.Hi, k*s.Min, k*s.Max
	return fmtSummary(s)
}

// fmtDelta formats a difference of metric name, with its unit where the
// column does not give it.
func fmtDelta(name string, s stats.Summary) string {
	if percent(name) {
		return fmtMetric(name, s) + " percentage points"
	}
	return fmtSummary(s)
}

func fmtNum(v float64) string {
	if math.IsNaN(v) {
		return "NaN"
	}
	if v == math.Trunc(v) && math.Abs(v) < 1e9 {
		// Whole numbers (update counts, budgets + 1) in full: 180001,
		// not 1.8e+05, which would hide "never reached".
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.4g", v)
}

// fmtSummary prints mean [lo, hi] rounded to the interval's precision: two
// significant digits of its width, so that digits that noise decides are
// not printed (and a difference of 1e-17 prints as 0).
func fmtSummary(s stats.Summary) string {
	if s.N == 0 {
		return "–"
	}
	if math.IsNaN(s.Lo) {
		return fmtNum(s.Mean) + " [–]"
	}
	w := s.Hi - s.Lo
	if !(w > 0) || math.IsInf(w, 0) {
		return fmt.Sprintf("%s [%s, %s]", fmtNum(s.Mean), fmtNum(s.Lo), fmtNum(s.Hi))
	}
	d := max(0, 1-int(math.Floor(math.Log10(w))))
	if d > 8 {
		return fmt.Sprintf("%.3g [%.3g, %.3g]", s.Mean, s.Lo, s.Hi)
	}
	f := func(v float64) string {
		out := strconv.FormatFloat(v, 'f', d, 64)
		if strings.Trim(out, "-0.") == "" {
			out = strings.TrimPrefix(out, "-") // no "-0.000"
		}
		return out
	}
	return fmt.Sprintf("%s [%s, %s]", f(s.Mean), f(s.Lo), f(s.Hi))
}

// onePointEach checks that a task's runs come from one design: the final
// runs of a configuration share one point, and so do the tuning runs of
// each trial. A folder in which a grid or design changed holds runs of
// both; their statistics would mix two protocols.
func onePointEach(rs []*store.Result) error {
	type slot struct {
		config string
		phase  experiment.Phase
		trial  int
	}
	first := map[slot]experiment.RunSpec{}
	for _, r := range rs {
		s := r.Record.Spec
		k := slot{s.Config, s.Phase, s.Trial}
		point := s
		point.Seed = 0
		f, ok := first[k]
		if !ok {
			first[k] = point
			continue
		}
		if f.Hash() != point.Hash() {
			what := "final runs"
			if s.Phase == experiment.Tune {
				what = fmt.Sprintf("tuning runs of trial %d", s.Trial)
			}
			return fmt.Errorf("report: %s/%s has %s of two points ([%v] and [%v], or other settings or options): the folder holds runs of an earlier design; "+
				"`mollify prune -delete` with the sweep's flags removes the runs the current design would not make (%s is one)", s.Task, s.Config, what, f.Hyper, s.Hyper, r.Path)
		}
	}
	return nil
}
