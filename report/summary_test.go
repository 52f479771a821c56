package report

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/mollifying/mollify/experiment"
	"github.com/mollifying/mollify/store"
)

// otherTask is a fake task with its own name, profiles and report.
type otherTask struct {
	fakeTask
	name     string
	profiles []string
	spec     experiment.ReportSpec
}

func (o otherTask) Name() string                  { return o.name }
func (o otherTask) Profiles() []string            { return o.profiles }
func (o otherTask) Report() experiment.ReportSpec { return o.spec }

// TestNotRun: the tasks that define the results' profile (through a user
// profile's base too) and have no result are listed as not run here in the
// summary and the paper's tables; tasks of other profiles are not, and
// results of several profiles list nothing.
func TestNotRun(t *testing.T) {
	other := otherTask{name: "other", profiles: []string{"quick", "paper"}, spec: experiment.ReportSpec{
		Claims: []experiment.Claim{{ID: "o1", Text: "other claim", Metric: "acc", Config: "mollified", Versus: "baseline"}},
		Paper:  &experiment.PaperTable{Title: "Table 7", Metric: "acc", Rows: []experiment.PaperRow{{Label: "Mollified", Config: "mollified", Value: 1}, {Label: "Old", Value: 2}}},
	}}
	elsewhere := otherTask{name: "elsewhere", profiles: []string{"paper"}}
	tasks := map[string]experiment.Task{"fake": fakeTask{}, "other": other, "elsewhere": elsewhere}
	r := Registry{
		Task: func(name string) (experiment.Task, error) {
			if t, ok := tasks[name]; ok {
				return t, nil
			}
			return nil, errors.New("unknown")
		},
		Profile: func(name string) (experiment.Profile, error) {
			if name == "mine" {
				return experiment.Profile{Name: "mine", Base: "quick"}, nil
			}
			return experiment.Builtin(name)
		},
		Tasks:   []string{"elsewhere", "fake", "other"},
		Configs: reg.Configs,
	}
	withProfile := func(name string) []*store.Result {
		rs := results(3, map[string]float64{"mollified": 0.2, "residual": 0.5})
		for _, x := range rs {
			x.Record.Spec.Profile = name
		}
		return rs
	}
	mixed := func() []*store.Result {
		rs := withProfile("quick")
		for _, x := range withProfile("paper") {
			x.Record.Spec.Task = "elsewhere"
			rs = append(rs, x)
		}
		return rs
	}
	for _, tc := range []struct {
		name    string
		results []*store.Result
		want    []string
	}{
		{"built-in profile", withProfile("quick"), []string{"other"}},
		{"user profile on the quick base", withProfile("mine"), []string{"other"}},
		{"profile no other task defines", withProfile("reduced"), nil},
		// Two tasks of two profiles (the report rejects one task with two)
		// name no one profile, so nothing is listed.
		{"results of two profiles", mixed(), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := Build(tc.results, r)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, nr := range rep.NotRun {
				got = append(got, nr.Name)
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("not run %q, want %q", got, tc.want)
			}
			s := rep.Summary()
			row := slices.IndexFunc(s.Rows, func(r []string) bool { return r[0] == "other" })
			notes := strings.Join(s.Notes, "\n")
			pts := rep.PaperTables()
			if tc.want == nil {
				if row >= 0 || strings.Contains(notes, "Not run here") || len(pts) != 0 {
					t.Errorf("summary %q, notes %s, paper tables %d", s.Rows, notes, len(pts))
				}
				return
			}
			if row < 0 || s.Rows[row][1] != "other claim" || s.Rows[row][3] != "not run here" || s.Rows[row][5] != "0" {
				t.Errorf("summary rows %q", s.Rows)
			}
			if !strings.Contains(notes, "-tasks other`") || strings.Contains(notes, "elsewhere") {
				t.Errorf("notes %s", notes)
			}
			if len(pts) != 1 || !strings.Contains(pts[0].Title, "Table 7") || pts[0].Rows[0][3] != "not run here" || pts[0].Rows[1][3] != "not compared here" {
				t.Errorf("paper tables %+v", pts)
			}
		})
	}
}

// TestSummaryCost: the summary's notes give the folder's runs and the sum
// of their wall times, over every task.
func TestSummaryCost(t *testing.T) {
	rep := &Report{Tasks: []*TaskReport{{Name: "a", Runs: 3, RunSeconds: 3 * 3600}, {Name: "b", Runs: 2, RunSeconds: 1800}}}
	notes := strings.Join(rep.Summary().Notes, "\n")
	if !strings.Contains(notes, "the folder's 5 runs (tuning included) took 3.5 h of run time in all") {
		t.Errorf("notes:\n%s", notes)
	}
}
