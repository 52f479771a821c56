package report

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
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
