package report

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mollifying/mollify/experiment"
	"github.com/mollifying/mollify/stats"
)

// TestHTML: the page inlines the figures as SVG (no file or network
// reference), escapes the cells, renders the notes' Markdown and links a
// summary row to its task's section.
func TestHTML(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "figures"), 0o755)
	os.WriteFile(filepath.Join(dir, "figures", "x-curve.svg"), []byte(`<?xml version="1.0"?>`+"\n"+`<svg width="10" height="10"><rect/></svg>`), 0o644)
	tr := &TaskReport{Name: "x", Profile: "quick", Figures: []string{"figures/x-curve.svg"},
		Results: Table{Title: "Final runs", Header: []string{"configuration", "acc"}, Rows: [][]string{{"<script>alert(1)</script>", "[x](#x-profile-quick)"}},
			Notes: []string{"**bold** and `code` & more"}}}
	page, err := (&Report{Tasks: []*TaskReport{tr}}).HTML(dir)
	if err != nil {
		t.Fatal(err)
	}
	s := string(page)
	for _, want := range []string{
		`<svg width="10" height="10"><rect/></svg>`,
		`&lt;script&gt;alert(1)&lt;/script&gt;`,
		`<a href="#x-profile-quick">x</a>`,
		`<strong>bold</strong> and <code>code</code> &amp; more`,
		`<section id="x-profile-quick">`,
		`data-rows="1"`,
	} {
		if !strings.Contains(s, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	for _, bad := range []string{"<?xml", "<script>alert", `src="http`, `href="http`, "<img"} {
		if strings.Contains(s, bad) {
			t.Errorf("page holds %s", bad)
		}
	}
}

// TestLaTeX: tables come out as booktabs tabulars with LaTeX's special
// characters escaped and the tables' symbols in math.
func TestLaTeX(t *testing.T) {
	tr := &TaskReport{Name: "x_y", Profile: "quick",
		Results: Table{Title: "Final runs", Header: []string{"configuration", "test acc ↑", "Δ"}, Rows: [][]string{{"mollified_res", "0.95 [0.9, 1]", "50% & #1 ✓"}}}}
	s := (&Report{Tasks: []*TaskReport{tr}}).LaTeX()
	for _, want := range []string{
		`\begin{tabular}{lll}`, `\toprule`, `\midrule`, `\bottomrule`,
		`configuration & test acc $\uparrow$ & $\Delta$ \\`,
		`mollified\_res & 0.95 [0.9, 1] & 50\% \& \#1 \checkmark \\`,
		`% x\_y (quick): Final runs`,
	} {
		if !strings.Contains(s, want) {
			t.Errorf("LaTeX lacks %s:\n%s", want, s)
		}
	}
}

func TestFmtSummary(t *testing.T) {
	for _, c := range []struct {
		s    stats.Summary
		want string
	}{
		{stats.Summary{N: 5, Mean: 0.94623, Lo: 0.93921, Hi: 0.95324}, "0.946 [0.939, 0.953]"},
		{stats.Summary{N: 5, Mean: -6.661e-17, Lo: -0.0021, Hi: 0.0019}, "0.0000 [-0.0021, 0.0019]"},
		{stats.Summary{N: 5, Mean: 1234.5, Lo: 1100, Hi: 1390}, "1234 [1100, 1390]"},
		{stats.Summary{N: 5, Mean: 201, Lo: 201, Hi: 201}, "201 [201, 201]"},
		{stats.Summary{N: 0}, "–"},
	} {
		if got := fmtSummary(c.s); got != c.want {
			t.Errorf("fmtSummary(%+v) = %q, want %q", c.s, got, c.want)
		}
	}
}

func TestTargetCell(t *testing.T) {
	run := func(updates, reached float64) *experiment.Record {
		return &experiment.Record{Final: experiment.Values{experiment.UpdatesToTarget: experiment.Num(updates), experiment.ReachedTarget: experiment.Num(reached)}}
	}
	for _, c := range []struct {
		runs     []*experiment.Record
		want     string
		censored bool
	}{
		{[]*experiment.Record{run(100, 1), run(100, 1)}, "100 [100, 100]", false},
		{[]*experiment.Record{run(2401, 0), run(2401, 0)}, "not reached (> 2400)", true},
		{[]*experiment.Record{run(1000, 1), run(2401, 0)}, "1000 [1000, 1000]; 1 of 2 reached", true},
	} {
		got, censored := targetCell(&ConfigReport{Name: "m", Runs: c.runs}, "t")
		if got != c.want || censored != c.censored {
			t.Errorf("targetCell = %q, %v; want %q, %v", got, censored, c.want, c.censored)
		}
	}
}

// TestDivergedNote: the final-runs table counts diverged runs and says where
// each diverged and how its values enter the statistics.
func TestDivergedNote(t *testing.T) {
	ok := &experiment.Record{Spec: experiment.RunSpec{Seed: 1}, Updates: 100, Final: experiment.Values{"loss": 0.5}}
	bad := &experiment.Record{Spec: experiment.RunSpec{Seed: 2}, Updates: 37, Diverged: true, Final: experiment.Values{"loss": experiment.Num(math.NaN())}}
	tr := &TaskReport{Name: "t", Spec: experiment.ReportSpec{Metrics: []experiment.Metric{{Name: "loss", Label: "loss"}}},
		Configs: []*ConfigReport{{Name: "baseline", Runs: []*experiment.Record{ok, bad}}}}
	tab := resultsTable(tr)
	if got := tab.Rows[0][len(tab.Rows[0])-1]; got != "1" {
		t.Errorf("diverged column %q, want 1", got)
	}
	if got := tab.Rows[0][2]; got != "NaN [–]" {
		t.Errorf("loss cell %q, want NaN [–]", got)
	}
	if !strings.Contains(strings.Join(tab.Notes, "\n"), "baseline seed 2 at update 37") {
		t.Errorf("notes lack where the run diverged: %v", tab.Notes)
	}
}

// TestPaperTables: a paper's table keeps the paper's rows and order, puts
// its number beside ours in its unit, and says which rows are not run.
func TestPaperTables(t *testing.T) {
	run := func(v float64) *experiment.Record {
		return &experiment.Record{Final: experiment.Values{"acc": experiment.Num(v)}}
	}
	tr := &TaskReport{Name: "t", Profile: "paper", Spec: experiment.ReportSpec{Paper: &experiment.PaperTable{Title: "Table 9", Metric: "acc", Scale: 100,
		Rows: []experiment.PaperRow{{Label: "Ours", Config: "mollified", Value: 92.5}, {Label: "Theirs", Config: "stochdepth", Value: 93}, {Label: "Old", Value: 90}}}},
		Configs: []*ConfigReport{{Name: "mollified", Runs: []*experiment.Record{run(0.9), run(0.9), run(0.9)}}}}
	pts := (&Report{Tasks: []*TaskReport{tr}}).PaperTables()
	if len(pts) != 1 || len(pts[0].Rows) != 3 {
		t.Fatalf("tables %+v", pts)
	}
	want := [][]string{
		{"Ours", "mollified", "92.5", "90 [90, 90]", "3", "—"},
		{"Theirs", "stochdepth", "93", "not run", "—", "—"},
		{"Old", "—", "90", "not compared here", "—", "—"},
	}
	for i, w := range want {
		if strings.Join(pts[0].Rows[i], "|") != strings.Join(w, "|") {
			t.Errorf("row %d = %q, want %q", i, pts[0].Rows[i], w)
		}
	}
}

// TestUnclaimedRow: a task the paper makes no claim on still gets a summary
// row: the mollified network beside the best other configuration, no verdict.
func TestUnclaimedRow(t *testing.T) {
	run := func(v float64) *experiment.Record {
		return &experiment.Record{Final: experiment.Values{"acc": experiment.Num(v)}}
	}
	tr := &TaskReport{Name: "t", Profile: "paper", Spec: experiment.ReportSpec{Metrics: []experiment.Metric{{Name: "acc", Label: "acc", HigherBetter: true}}},
		Configs: []*ConfigReport{
			{Name: "baseline", Runs: []*experiment.Record{run(0.1), run(0.1)}},
			{Name: "residual", Runs: []*experiment.Record{run(0.9), run(0.9)}},
			{Name: "mollified", Runs: []*experiment.Record{run(0.95), run(0.95)}},
			{Name: "mollified-res", Runs: []*experiment.Record{run(0.99), run(0.99)}},
		}}
	s := (&Report{Tasks: []*TaskReport{tr}}).Summary()
	if len(s.Rows) != 1 || s.Rows[0][3] != "no claim" || !strings.Contains(s.Rows[0][2], "mollified 0.95") || !strings.Contains(s.Rows[0][2], "best other (residual) 0.9") {
		t.Fatalf("rows %q", s.Rows)
	}
}
