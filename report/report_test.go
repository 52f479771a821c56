package report

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mollifying/mollify/experiment"
	"github.com/mollifying/mollify/stats"
	"github.com/mollifying/mollify/store"
)

// fakeTask only describes what to report.
type fakeTask struct{}

func (fakeTask) Name() string       { return "fake" }
func (fakeTask) Summary() string    { return "a fake task" }
func (fakeTask) Profiles() []string { return []string{"quick"} }
func (fakeTask) Sweep(experiment.Profile) (experiment.Sweep, error) {
	return experiment.Sweep{Select: experiment.Selector{Metric: "loss"}}, nil
}
func (fakeTask) Arch(experiment.Profile) (experiment.Arch, error) { return &experiment.MLP{}, nil }
func (fakeTask) Settings(experiment.Profile) (any, error)         { return nil, nil }
func (fakeTask) Run(context.Context, experiment.Profile, experiment.RunSpec, experiment.Config, func(float64)) (*experiment.Record, error) {
	return nil, errors.New("not runnable")
}
func (fakeTask) Report() experiment.ReportSpec {
	return experiment.ReportSpec{
		Metrics: []experiment.Metric{{Name: "loss", Label: "loss"}, {Name: "acc", Label: "acc", HigherBetter: true}},
		Curve:   "loss", CurveLabel: "loss",
		Claims: []experiment.Claim{{ID: "c1", Text: "mollified has lower loss", Metric: "loss", Config: "mollified", Versus: "residual"}},
	}
}

// reg knows the fake task, and orders configurations as the suite does.
var reg = Registry{
	Task: func(name string) (experiment.Task, error) {
		if name == "fake" {
			return fakeTask{}, nil
		}
		return nil, errors.New("unknown")
	},
	Tasks:   []string{"fake"},
	Configs: []string{"baseline", "residual", "noisy", "anneal", "mollified"},
}

// results fabricates final runs: loss = base + 0.01·seed per configuration,
// with curves, plus a tuning run.
func results(seeds int, base map[string]float64) []*store.Result {
	var out []*store.Result
	for cfg, b := range base {
		for s := 1; s <= seeds; s++ {
			loss := b + 0.01*float64(s)
			rec := &experiment.Record{
				Spec:  experiment.RunSpec{Task: "fake", Profile: "quick", Config: cfg, Phase: experiment.Final, Seed: uint64(s), Hyper: experiment.Hyper{"lr": 0.1}},
				Final: experiment.Values{"loss": experiment.Num(loss), "acc": experiment.Num(1 - loss)},
				Curve: []experiment.Point{
					{Update: 0, Values: experiment.Values{"loss": 1, "p1": 1}},
					{Update: 10, Values: experiment.Values{"loss": experiment.Num(loss), "p1": 0}},
				},
			}
			out = append(out, &store.Result{Record: rec, Env: store.Env{Provenance: store.Provenance{Revision: "abc"}}})
		}
		tune := &experiment.Record{Spec: experiment.RunSpec{Task: "fake", Profile: "quick", Config: cfg, Phase: experiment.Tune, Seed: 9, Hyper: experiment.Hyper{"lr": 0.1}},
			Final: experiment.Values{"loss": experiment.Num(b)}}
		out = append(out, &store.Result{Record: tune, Env: store.Env{Provenance: store.Provenance{Revision: "abc"}}})
	}
	return out
}

func TestVerdicts(t *testing.T) {
	for _, c := range []struct {
		name  string
		seeds int
		base  map[string]float64
		want  string
	}{
		{"better", 5, map[string]float64{"mollified": 0.2, "residual": 0.5}, "reproduced"},
		{"worse", 5, map[string]float64{"mollified": 0.6, "residual": 0.5}, "not reproduced (the opposite holds)"},
		{"equal", 5, map[string]float64{"mollified": 0.5, "residual": 0.5}, "not reproduced (no clear difference)"},
		{"few seeds", 2, map[string]float64{"mollified": 0.2, "residual": 0.5}, "too few seeds"},
		{"missing", 5, map[string]float64{"mollified": 0.2}, "not run"},
	} {
		t.Run(c.name, func(t *testing.T) {
			rep, err := Build(results(c.seeds, c.base), reg)
			if err != nil {
				t.Fatal(err)
			}
			v := rep.Tasks[0].Claims[0]
			if !strings.HasPrefix(v.Outcome, c.want) {
				t.Fatalf("outcome %q (%s), want %q", v.Outcome, v.Detail, c.want)
			}
		})
	}
}

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	rep, err := Build(results(5, map[string]float64{"mollified": 0.2, "residual": 0.5, "baseline": 0.6}), reg)
	if err != nil {
		t.Fatal(err)
	}
	if err := rep.Write(dir); err != nil {
		t.Fatal(err)
	}
	md, err := os.ReadFile(filepath.Join(dir, "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"## fake (profile quick)", "**reproduced**", "| baseline", "0.230 [0.218, 0.242]", "figures/fake-curve.svg", "figures/fake-p.svg", "revision abc"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("report lacks %q:\n%s", want, md)
		}
	}
	for _, f := range []string{"fake-curve.svg", "fake-p.svg"} {
		b, err := os.ReadFile(filepath.Join(dir, "figures", f))
		if err != nil || !strings.Contains(string(b), "<svg") {
			t.Errorf("figure %s: %v", f, err)
		}
	}
	// The summary opens the report; the exports carry the same numbers.
	if i, j := strings.Index(string(md), "## Summary"), strings.Index(string(md), "## fake"); i < 0 || i > j || !strings.Contains(string(md), "[fake](#fake-profile-quick)") {
		t.Errorf("the summary does not open the report or link the task:\n%s", md)
	}
	var jr struct {
		Schema int
		NotRun []string `json:"not_run"`
		Tasks  []struct {
			Name   string
			Cells  []struct{ Config, Metric string }
			Claims []struct{ ID, Outcome string }
		}
	}
	b, err := os.ReadFile(filepath.Join(dir, "report.json"))
	if err != nil || json.Unmarshal(b, &jr) != nil || jr.Schema != JSONSchema || jr.NotRun == nil || len(jr.Tasks) != 1 || len(jr.Tasks[0].Claims) != 1 || jr.Tasks[0].Claims[0].Outcome != "reproduced" || len(jr.Tasks[0].Cells) == 0 {
		t.Errorf("report.json: %v\n%s", err, b)
	}
	// Every key is lower case (Go's json decoding would accept either, so
	// look at the raw object): the gate's as well as the others.
	var raw struct {
		Tasks []map[string]json.RawMessage
	}
	if err := json.Unmarshal(b, &raw); err != nil || len(raw.Tasks) != 1 {
		t.Fatalf("report.json: %v", err)
	}
	var gate map[string]json.RawMessage
	if err := json.Unmarshal(raw.Tasks[0]["gate"], &gate); err != nil || gate["passed"] == nil || gate["checks"] == nil || gate["Passed"] != nil {
		t.Errorf("report.json gate keys: %v %s", err, raw.Tasks[0]["gate"])
	}
	for name, header := range map[string]string{"summary.csv": "task,profile,config,metric,n,mean,lo,hi", "runs.csv": "task,profile,config,phase,trial,seed,hash,diverged,metric,value"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if lines := strings.Split(strings.TrimSpace(string(b)), "\n"); err != nil || lines[0] != header || len(lines) < 2 {
			t.Errorf("%s: %v\n%s", name, err, b)
		}
	}
	var out strings.Builder
	if err := rep.Print(&out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "claim c1: reproduced") {
		t.Errorf("printed report:\n%s", out.String())
	}
}

// TestVerdictConstantMetric: when every run of both configurations has the
// same value, the verdict says the metric does not separate them.
// TestVerdictTargetNotReached: a speed claim (updates to a target) where
// no final run of either configuration reaches the target is undecided, not
// "not reproduced"; when one side reaches it, the usual comparison holds.
func TestVerdictTargetNotReached(t *testing.T) {
	speed := experiment.Claim{ID: "s", Text: "mollified is faster", Metric: experiment.UpdatesToTarget, Config: "mollified", Versus: "residual"}
	runs := func(reached bool, updates float64) []*experiment.Record {
		var out []*experiment.Record
		for range 5 {
			hit := 0.0
			if reached {
				hit = 1
			}
			out = append(out, &experiment.Record{Final: experiment.Values{experiment.UpdatesToTarget: experiment.Num(updates), experiment.ReachedTarget: experiment.Num(hit)}})
		}
		return out
	}
	for _, c := range []struct {
		name        string
		moll, resid bool
		mollUpdates float64
		want        string
	}{
		{"neither", false, false, 1001, "undecided (neither reaches the target within the budget)"},
		{"only mollified", true, false, 500, "reproduced"},
		{"only the other", false, true, 1001, "not reproduced (the opposite holds)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			residUpdates := 1001.0
			if c.resid {
				residUpdates = 600
			}
			tr := &TaskReport{Name: "t", Spec: experiment.ReportSpec{Claims: []experiment.Claim{speed}, Metrics: []experiment.Metric{{Name: experiment.UpdatesToTarget}}},
				Configs: []*ConfigReport{
					{Name: "mollified", Runs: runs(c.moll, c.mollUpdates), Seeds: []uint64{1, 2, 3, 4, 5}},
					{Name: "residual", Runs: runs(c.resid, residUpdates), Seeds: []uint64{1, 2, 3, 4, 5}},
				}}
			if v := verdicts(tr)[0]; v.Outcome != c.want {
				t.Errorf("outcome %q (%s), want %q", v.Outcome, v.Detail, c.want)
			}
		})
	}
}

func TestVerdictConstantMetric(t *testing.T) {
	rs := results(5, map[string]float64{"mollified": 0.5, "residual": 0.5})
	for _, r := range rs {
		r.Record.Final["loss"] = 7
	}
	rep, err := Build(rs, reg)
	if err != nil {
		t.Fatal(err)
	}
	v := rep.Tasks[0].Claims[0]
	if !strings.HasPrefix(v.Outcome, "not reproduced (no clear difference)") || !strings.Contains(v.Detail, "loss = 7, so this metric does not separate them") {
		t.Errorf("verdict %q: %s", v.Outcome, v.Detail)
	}
}

// TestEdgeNotes: a chosen value at the end of three or more values tried is
// flagged; one inside the range, or an axis with two values, is not.
func TestEdgeNotes(t *testing.T) {
	tuned := func(lrs ...float64) []*experiment.Record {
		var rs []*experiment.Record
		for i, lr := range lrs {
			rs = append(rs, &experiment.Record{Spec: experiment.RunSpec{Trial: i, Hyper: experiment.Hyper{"lr": lr, "c": 0.5}}})
		}
		return rs
	}
	for _, c := range []struct {
		name   string
		tried  []float64
		chosen float64
		want   int
	}{
		{"smallest", []float64{0.01, 0.1, 1}, 0.01, 1},
		{"largest", []float64{0.01, 0.1, 1}, 1, 1},
		{"inside", []float64{0.01, 0.1, 1}, 0.1, 0},
		{"two values", []float64{0.01, 0.1}, 0.01, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			cr := &ConfigReport{Name: "x", Tuned: tuned(c.tried...), Selected: experiment.Hyper{"lr": c.chosen, "c": 0.5}}
			notes := edgeNotes(cr)
			if len(notes) != c.want {
				t.Fatalf("notes %q, want %d", notes, c.want)
			}
			if c.want == 1 && !strings.Contains(notes[0], "lr = ") {
				t.Errorf("note %q does not name the axis", notes[0])
			}
		})
	}
}

func TestMixedProfilesRejected(t *testing.T) {
	rs := results(2, map[string]float64{"mollified": 0.2})
	rs[0].Record.Spec.Profile = "paper"
	if _, err := Build(rs, reg); err == nil || !strings.Contains(err.Error(), "several profiles") {
		t.Fatalf("err = %v", err)
	}
}

// TestMixedDesignsRejected: final runs of two points, or tuning runs of one
// trial at two points, are runs of two designs in one folder.
func TestMixedDesignsRejected(t *testing.T) {
	for _, c := range []struct {
		name string
		edit func(rs []*store.Result)
		want string
	}{
		{"one design", func([]*store.Result) {}, ""},
		{"finals of two points", func(rs []*store.Result) { rs[0].Record.Spec.Hyper = experiment.Hyper{"lr": 0.2} }, "final runs of two points"},
		{"finals with other options", func(rs []*store.Result) { rs[1].Record.Spec.Options = experiment.Options{"eval": "p0"} }, "final runs of two points"},
		{"a trial at two points", func(rs []*store.Result) {
			tune := *rs[2].Record
			tune.Spec.Seed, tune.Spec.Hyper = 10, experiment.Hyper{"lr": 0.3}
			rs[2] = &store.Result{Record: &tune, Path: "runs/fake/mollified/tune-x.json"}
		}, "tuning runs of trial 0 of two points"},
	} {
		t.Run(c.name, func(t *testing.T) {
			rs := results(2, map[string]float64{"mollified": 0.2})
			rs = append(rs, rs[2]) // the tuning run, on a second seed below
			c.edit(rs)
			_, err := Build(rs, reg)
			if c.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "mollify prune") {
				t.Fatalf("err = %v, want one naming %q and the fix", err, c.want)
			}
		})
	}
}

func TestFmtNum(t *testing.T) {
	for _, c := range []struct {
		v    float64
		want string
	}{
		{180001, "180001"},
		{2401, "2401"},
		{0.69347, "0.6935"},
		{1e-5, "1e-05"},
		{123456.5, "1.235e+05"},
		{math.NaN(), "NaN"},
	} {
		if got := fmtNum(c.v); got != c.want {
			t.Errorf("fmtNum(%v) = %q, want %q", c.v, got, c.want)
		}
	}
}

// TestAccuracyInPercent: accuracies print as percentages in every table
// (the paper's unit), differences in percentage points, and every other
// metric in its own unit.
func TestAccuracyInPercent(t *testing.T) {
	s := stats.Summary{N: 5, Mean: 0.954, Lo: 0.943, Hi: 0.962}
	cases := []struct {
		metric, cell, delta, label string
	}{
		{"test_acc_at_best_valid", "95.4 [94.3, 96.2]", "95.4 [94.3, 96.2] percentage points", "test acc (%)"},
		{"best_valid_acc", "95.4 [94.3, 96.2]", "95.4 [94.3, 96.2] percentage points", "test acc (%)"},
		{"train_eval_acc_p0", "95.4 [94.3, 96.2]", "95.4 [94.3, 96.2] percentage points", "test acc (%)"},
		{"train_eval_loss", "0.954 [0.943, 0.962]", "0.954 [0.943, 0.962]", "test acc"},
		{"accuracy_like_name", "0.954 [0.943, 0.962]", "0.954 [0.943, 0.962]", "test acc"},
	}
	for _, c := range cases {
		if got := fmtMetric(c.metric, s); got != c.cell {
			t.Errorf("fmtMetric(%s) = %q, want %q", c.metric, got, c.cell)
		}
		if got := fmtDelta(c.metric, s); got != c.delta {
			t.Errorf("fmtDelta(%s) = %q, want %q", c.metric, got, c.delta)
		}
		if got := metricLabel(experiment.Metric{Name: c.metric, Label: "test acc"}); got != c.label {
			t.Errorf("metricLabel(%s) = %q, want %q", c.metric, got, c.label)
		}
	}
}

// TestStylesDistinct: the first configurations of the registry's order
// (as many as there are palette entries) get distinct colours and, with
// them, distinct markers; a name outside the order still gets a style.
func TestStylesDistinct(t *testing.T) {
	order := []string{"baseline", "residual", "noisy", "anneal", "gradnoise", "mollified", "mollified-res", "stochdepth"}
	seen := map[string]string{}
	for _, name := range order {
		st := styleOf(name, order)
		r, g, b, a := st.colour.RGBA()
		key := fmt.Sprint(r, g, b, a, fmt.Sprintf("%T", st.glyph))
		if other, ok := seen[key]; ok {
			t.Fatalf("%s and %s are drawn alike", name, other)
		}
		seen[key] = name
		if st != styleOf(name, order) {
			t.Fatalf("%s: style not fixed", name)
		}
	}
	if st := styleOf("my-baseline", order); st.colour == nil || st.glyph == nil {
		t.Fatal("no style for a configuration outside the registry")
	}
}

// TestSummaryEdges: the summary row of a claim names the compared
// configurations' picks at a grid edge, and "none" when there is none.
func TestSummaryEdges(t *testing.T) {
	tuned := func(kappas ...float64) []*experiment.Record {
		var rs []*experiment.Record
		for i, k := range kappas {
			rs = append(rs, &experiment.Record{Spec: experiment.RunSpec{Trial: i, Hyper: experiment.Hyper{"lr": 0.1, "kappa": k}}})
		}
		return rs
	}
	for _, c := range []struct {
		name   string
		chosen float64
		want   string
	}{
		{"at the lowest", 0.03, "mollified kappa = 0.03 (lowest tried)"},
		{"at the highest", 1, "mollified kappa = 1 (highest tried)"},
		{"inside", 0.1, "none"},
	} {
		t.Run(c.name, func(t *testing.T) {
			tr := &TaskReport{Name: "t", Profile: "paper",
				Configs: []*ConfigReport{
					{Name: "mollified", Tuned: tuned(0.03, 0.1, 1), Selected: experiment.Hyper{"lr": 0.1, "kappa": c.chosen}},
					{Name: "residual", Tuned: tuned(0.1), Selected: experiment.Hyper{"lr": 0.1, "kappa": 0.1}},
				},
				Claims: []Verdict{{Claim: experiment.Claim{Metric: "acc", Config: "mollified", Versus: "residual"}, Outcome: "reproduced"}}}
			s := (&Report{Tasks: []*TaskReport{tr}}).Summary()
			if got := s.Rows[0][len(s.Rows[0])-1]; got != c.want {
				t.Errorf("edge cell %q, want %q", got, c.want)
			}
		})
	}
}
