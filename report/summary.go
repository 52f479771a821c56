package report

import (
	"fmt"
	"strings"
)

// Summary is the table a report opens with: one row per claim of the paper
// that the results hold, with the paper's statement, our difference and its
// interval, the verdict, the profile and number of seeds, and the state of
// the task's sanity gate.
func (r *Report) Summary() Table {
	t := Table{Title: "Summary: the paper's claims against these results",
		Header: []string{"task", "claim (the paper)", "ours: Δ [95% interval]", "verdict", "profile", "seeds", "sanity gate"}}
	for _, tr := range r.Tasks {
		gate := "—"
		if tr.Gate.Applicable {
			gate = "passed"
			if !tr.Gate.Passed {
				gate = "not passed"
			}
		}
		for _, v := range tr.Claims {
			ours := "—"
			if v.Diff.N > 0 {
				ours = fmt.Sprintf("Δ %s = %s", v.Claim.Metric, fmtSummary(v.Diff))
			}
			t.Rows = append(t.Rows, []string{fmt.Sprintf("[%s](#%s)", tr.Name, anchor(tr)), v.Claim.Text, ours, v.Outcome, tr.Profile, fmt.Sprint(v.Diff.N), gate})
		}
	}
	t.Notes = append(t.Notes, "Δ is the claimed configuration minus the other, per seed when the seeds pair up; each task's section gives the details, the gate's checks and the tuning.")
	return t
}

// anchor is the Markdown anchor of a task's section heading.
func anchor(tr *TaskReport) string {
	h := strings.ToLower(fmt.Sprintf("%s (profile %s)", tr.Name, tr.Profile))
	var b strings.Builder
	for _, r := range h {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-', r == '_':
			b.WriteRune(r)
		case r == ' ':
			b.WriteByte('-')
		}
	}
	return b.String()
}
