package main

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/mollifying/mollify/experiment"
	"github.com/mollifying/mollify/store"
)

// TestProbe: probing a stored LSTM run prints the gate table and gradient
// norms every -every updates and stops at -updates; probing the whole run
// ends with exactly the stored final metrics (the probe watches, it does not
// change what the run computes); -hyper reruns with another value and says
// which.
func TestProbe(t *testing.T) {
	rs, err := store.LoadResults(sweepQuick(t, "copy", "mollified"))
	if err != nil {
		t.Fatal(err)
	}
	isFinal := func(r *store.Result) bool { return r.Record.Spec.Phase == experiment.Final }
	final := rs[slices.IndexFunc(rs, isFinal)]
	ws, err := store.LoadResults(sweepQuick(t, "wordembed", "mollified"))
	if err != nil {
		t.Fatal(err)
	}
	wordembed := ws[slices.IndexFunc(ws, isFinal)]
	for _, tc := range []struct {
		name       string
		run        *store.Result
		args, want []string
		not        []string
	}{
		{"stopped early", final, []string{"-every", "2", "-updates", "4"},
			[]string{"after update 2: ", "after update 4: ", "p1=", "row 1 candidate", "saturated (|∂y/∂x| < 0.01)", "gradient norms of update 4 (after clipping): ", "stopped after 4 updates"},
			[]string{"after update 6", "final:"}},
		{"whole run", final, []string{"-every", "1000000"},
			[]string{"final: " + fmtValues(final.Record.Final) + "\n"}, []string{"after update"}},
		{"bidirectional layers", wordembed, []string{"-every", "2", "-updates", "2"},
			[]string{"row 1 candidate", "row 1 backward candidate", "row 2 backward cell"}, []string{"row 3 "}},
		{"another learning rate", final, []string{"-every", "2", "-updates", "2", "-hyper", "lr=0.5"},
			[]string{"lr=0.5 (stored ", "after update 2: "}, nil},
		{"another learning rate, whole run", final, []string{"-every", "1000000", "-hyper", "lr=0.5"},
			[]string{"final: "}, []string{"final: " + fmtValues(final.Record.Final) + "\n"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			args := append([]string{"probe", "-profile", "quick", "-run", tc.run.Path}, tc.args...)
			if code := run(context.Background(), args, &stdout, &stderr); code != 0 {
				t.Fatalf("probe %q: exit %d: %s", args, code, stderr.String())
			}
			out := stdout.String()
			for _, w := range tc.want {
				if row, ok := strings.CutPrefix(w, "row "); ok { // a table row, whatever its padding
					if !slices.ContainsFunc(strings.Split(out, "\n"), func(l string) bool { return strings.HasPrefix(strings.Join(strings.Fields(l), " "), row+" ") }) {
						t.Errorf("output lacks the row %q:\n%s", row, out)
					}
					continue
				}
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			for _, w := range tc.not {
				if row, ok := strings.CutPrefix(w, "row "); ok {
					if slices.ContainsFunc(strings.Split(out, "\n"), func(l string) bool { return strings.HasPrefix(strings.Join(strings.Fields(l), " "), row) }) {
						t.Errorf("output has the row %q:\n%s", row, out)
					}
					continue
				}
				if strings.Contains(out, w) {
					t.Errorf("output has %q:\n%s", w, out)
				}
			}
		})
	}
}
