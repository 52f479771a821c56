package report

import (
	"strings"
	"testing"

	"github.com/mollifying/mollify/experiment"
)

// mollRun is a mollified final run over 100 updates of 2 layers: p_sum
// from start to end, annealing stopped at stop, the curve metric "loss"
// at update 10 (early) given.
func mollRun(start, end float64, stop int, early float64) *experiment.Record {
	pt := func(t int, sum, loss float64) experiment.Point {
		return experiment.Point{Update: t, Values: experiment.Values{"p1": experiment.Num(sum / 2), "p2": experiment.Num(sum / 2), "p_sum": experiment.Num(sum), "loss": experiment.Num(loss)}}
	}
	r := &experiment.Record{Updates: 100, Curve: []experiment.Point{pt(0, start, 2), pt(10, start/2, early), pt(100, end, 0.1)}}
	r.Final = experiment.Values{"p_sum": experiment.Num(end), "anneal_stop": experiment.Num(stop), "k": 50, "loss": 0.1, "loss_p0": 0.1}
	return r
}

func plainRun(early float64) *experiment.Record {
	return &experiment.Record{Updates: 100, Final: experiment.Values{"loss": 1}, Curve: []experiment.Point{
		{Update: 0, Values: experiment.Values{"loss": 2}}, {Update: 10, Values: experiment.Values{"loss": experiment.Num(early)}}, {Update: 100, Values: experiment.Values{"loss": 1}}}}
}

func TestGate(t *testing.T) {
	for _, c := range []struct {
		name   string
		moll   *experiment.Record
		plain  float64
		stuck  bool // the task declares its plain network stuck early
		passed bool
		failed string
	}{
		{"mechanism at work", mollRun(1.9, 0, 60, 0.5), 2, true, true, ""},
		{"p starts low", mollRun(1.0, 0, 60, 0.5), 2, true, false, "p starts near 1"},
		{"p does not fall", mollRun(1.9, 1.0, 60, 0.5), 2, true, false, "p falls"},
		{"annealing never stops", mollRun(1.9, 0.1, 0, 0.5), 2, true, false, "annealing stops"},
		{"no early lead", mollRun(1.9, 0, 60, 2.5), 2, true, false, "leads early"},
		// Where the plain network trains, a lead is reported, not required.
		{"no early lead, not required", mollRun(1.9, 0, 60, 2.5), 2, false, true, "leads early"},
	} {
		t.Run(c.name, func(t *testing.T) {
			tr := &TaskReport{Name: "t", Spec: experiment.ReportSpec{Curve: "loss", PlainStuck: c.stuck, Metrics: []experiment.Metric{{Name: "loss", Label: "loss"}}}, Configs: []*ConfigReport{
				{Name: "baseline", Runs: []*experiment.Record{plainRun(c.plain)}, Seeds: []uint64{1}},
				{Name: Method, Runs: []*experiment.Record{c.moll}, Seeds: []uint64{1}},
			}}
			g := gate(tr)
			if !g.Applicable || g.Passed != c.passed || len(g.Checks) != 4 {
				t.Fatalf("gate %+v, want passed = %v with 4 checks", g, c.passed)
			}
			for _, ch := range g.Checks {
				if !ch.Passed && !strings.Contains(ch.Name, c.failed) {
					t.Errorf("check %q failed, want only %q to fail: %s", ch.Name, c.failed, ch.Detail)
				}
				if lead := strings.Contains(ch.Name, "leads early"); ch.Info != (lead && !c.stuck) {
					t.Errorf("check %q: reported only = %v on a task whose plain network is stuck = %v", ch.Name, ch.Info, c.stuck)
				}
				if ch.Info && strings.Contains(ch.Name, "leads early") && gateTable(g).Rows[3][1] != "no (reported only)" {
					t.Errorf("gate table row %v", gateTable(g).Rows[3])
				}
			}
			an := annealingTable(tr)
			if len(an.Rows) != 1 {
				t.Fatalf("annealing rows %v", an.Rows)
			}
			if stopped := c.moll.Final["anneal_stop"] > 0; stopped == (len(an.Notes) > 0) {
				t.Errorf("stopped %v, flag notes %v", stopped, an.Notes)
			}
			if rows := originalRows(tr); len(rows) != 1 || rows[0][0] != Method+" (p = 0)" {
				t.Errorf("original rows %v", rows)
			}
		})
	}
	if g := gate(&TaskReport{Configs: []*ConfigReport{{Name: "baseline"}}}); g.Applicable {
		t.Error("a task without mollified runs has a gate")
	}
}

func TestTrialNotes(t *testing.T) {
	tuned := func(trials, seeds int) []*experiment.Record {
		var out []*experiment.Record
		for i := range trials {
			for s := range seeds {
				out = append(out, &experiment.Record{Spec: experiment.RunSpec{Trial: i, Seed: uint64(101 + s)}})
			}
		}
		return out
	}
	tr := &TaskReport{Configs: []*ConfigReport{{Name: "baseline", Tuned: tuned(6, 3)}, {Name: Method, Tuned: tuned(6, 3)}}}
	if n := trialNotes(tr); len(n) != 1 || !strings.Contains(n[0], "baseline 6 × 3 seeds") {
		t.Errorf("equal budgets: %v", n)
	}
	tr.Configs[1].Tuned = tuned(8, 3)
	if n := trialNotes(tr); len(n) != 2 || !strings.Contains(n[1], "not equal") {
		t.Errorf("unequal budgets: %v", n)
	}
}
