package experiment

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

type testSettings struct {
	Epochs int   `json:"epochs"`
	Hidden []int `json:"hidden"`
}

func testDefs() map[string]Definition[testSettings] {
	seeds := []uint64{1, 2, 3}
	return map[string]Definition[testSettings]{
		Quick: {Settings: testSettings{Epochs: 2, Hidden: []int{4, 4}}, Sweep: Sweep{Seeds: seeds[:2], LR: []float64{0.1}, Budget: 1}},
		Paper: {Settings: testSettings{Epochs: 20, Hidden: []int{64, 64}}, Sweep: Sweep{Seeds: seeds, TuneSeeds: TuneSeeds, LR: []float64{0.1, 0.3}, Budget: 2, Select: Selector{Metric: "loss"}}},
	}
}

func TestResolveBuiltinIsTheDefinition(t *testing.T) {
	for _, name := range []string{Quick, Paper} {
		d, err := Resolve("toy", MustBuiltin(name), testDefs())
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(testDefs()[name], d); diff != "" {
			t.Errorf("%s (-want +got):\n%s", name, diff)
		}
	}
}

func TestResolveOverlay(t *testing.T) {
	p, err := ParseProfile([]byte(`{"name": "short", "base": "paper", "tasks": {"toy": {"settings": {"epochs": 3}, "sweep": {"tune_seeds": [7], "budget": 1}}}}`), "f.json")
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "short" || p.Base != Paper || p.OnePoint {
		t.Fatalf("profile %+v", p)
	}
	d, err := Resolve("toy", p, testDefs())
	if err != nil {
		t.Fatal(err)
	}
	want := testDefs()[Paper]
	want.Settings.Epochs, want.Sweep.TuneSeeds, want.Sweep.Budget = 3, []uint64{7}, 1
	if diff := cmp.Diff(want, d); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	// The overlay wrote into fresh slices, never into the shared ones.
	if TuneSeeds[0] != 101 {
		t.Fatalf("TuneSeeds overwritten: %v", TuneSeeds)
	}
	// Another task is untouched.
	other, _ := Resolve("other", p, testDefs())
	if diff := cmp.Diff(testDefs()[Paper], other); diff != "" {
		t.Errorf("other task changed (-want +got):\n%s", diff)
	}
}

func TestProfileErrors(t *testing.T) {
	cases := []struct {
		name, file, want string
	}{
		{"unknown key", `{"name": "x", "base": "paper", "taks": {}}`, `unknown field "taks"`},
		{"builtin name", `{"name": "paper", "base": "paper"}`, `name "paper" is a built-in profile's`},
		{"bad name", `{"name": "../x", "base": "paper"}`, `name "../x"`},
		{"no name", `{"base": "paper"}`, `name ""`},
		{"bad base", `{"name": "x", "base": "papr"}`, `unknown profile "papr" (did you mean "paper"?)`},
		{"two values", `{"name": "x", "base": "paper"} {}`, "more than one JSON value"},
		{"type", `{"name": 3, "base": "paper"}`, "cannot unmarshal number"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseProfile([]byte(c.file), "f.json")
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want it to contain %q", err, c.want)
			}
		})
	}
	overlays := []struct {
		name, overlay, want string
	}{
		{"misspelt setting", `{"settings": {"epoch": 3}}`, `profile short: tasks.toy: json: unknown field "epoch"`},
		{"misspelt sweep key", `{"sweep": {"seed": [1]}}`, `unknown field "seed"`},
		{"wrong type", `{"settings": {"epochs": "3"}}`, "cannot unmarshal string"},
		{"outside", `{"settings": {}, "grid": {}}`, `unknown field "grid"`},
	}
	for _, c := range overlays {
		t.Run(c.name, func(t *testing.T) {
			p := Profile{Name: "short", Base: Paper, Tasks: map[string]json.RawMessage{"toy": json.RawMessage(c.overlay)}}
			_, err := Resolve("toy", p, testDefs())
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want it to contain %q", err, c.want)
			}
		})
	}
	if _, err := Resolve("toy", MustBuiltin(Reduced), testDefs()); err == nil || !strings.Contains(err.Error(), `task toy has no profile "reduced" (it has: quick, paper)`) {
		t.Fatalf("error %v", err)
	}
	if err := CheckProfileTasks(Profile{Name: "x", Tasks: map[string]json.RawMessage{"parity-smal": nil}}, []string{"parity", "parity-small"}); err == nil || !strings.Contains(err.Error(), `did you mean "parity-small"?`) {
		t.Fatalf("error %v", err)
	}
}

// hidden has a field outside JSON: Resolve must refuse it rather than run
// with the field zeroed.
type hidden struct {
	Epochs int `json:"epochs"`
	Depth  int `json:"-"`
}

func TestResolveRefusesFieldsOutsideJSON(t *testing.T) {
	defs := map[string]Definition[hidden]{Quick: {Settings: hidden{Epochs: 1, Depth: 6}}}
	if _, err := Resolve("toy", MustBuiltin(Quick), defs); err == nil || !strings.Contains(err.Error(), "does not survive JSON") {
		t.Fatalf("error %v", err)
	}
}

func TestScore(t *testing.T) {
	r := &Record{
		Final: map[string]Num{"train_eval_loss": 0.1},
		Curve: []Point{
			{Update: 0, Values: map[string]Num{"train_eval_loss": 9}},
			{Update: 100, Values: map[string]Num{"train_eval_loss": 0.5}},
			{Update: 200, Values: map[string]Num{"train_eval_loss": 0.3, "valid_acc": 0.9}},
			{Update: 300, Values: map[string]Num{"train_eval_loss": 0.1}},
		},
	}
	cases := []struct {
		metric string
		want   float64
		ok     bool
	}{
		{"train_eval_loss", 0.1, true},      // a final metric
		{"train_eval_loss_mean", 0.3, true}, // the mean after update 0
		{"valid_acc_mean", 0.9, true},       // over the points that have it
		{"test_acc", 0, false},              // neither
		{"test_acc_mean", 0, false},         // no curve of it
		{"train_eval_loss_meanx", 0, false}, // not the suffix
	}
	for _, c := range cases {
		got, ok := r.Score(c.metric)
		if ok != c.ok || (ok && math.Abs(got-c.want) > 1e-12) {
			t.Errorf("Score(%s) = %v, %v; want %v, %v", c.metric, got, ok, c.want, c.ok)
		}
	}
}
