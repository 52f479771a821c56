package mnist

import (
	"slices"
	"strings"
	"testing"

	"github.com/mollifying/mollify/experiment"
	"github.com/mollifying/mollify/nn"
)

func TestSplits(t *testing.T) {
	tr, te := official(t)
	d, err := Splits(tr, te, [3]int{trainPart, 10000, 10000})
	if err != nil {
		t.Fatal(err)
	}
	if d.Train.Len() != 50000 || d.Valid.Len() != 10000 || d.Test.Len() != 10000 || d.Classes != 10 {
		t.Fatalf("splits of %d/%d/%d, %d classes; want 50000/10000/10000, 10", d.Train.Len(), d.Valid.Len(), d.Test.Len(), d.Classes)
	}
	// Validation is the tail of the official training set, test the
	// official test set, in file order.
	check := func(name string, got []float32, label int32, want []byte, wantLabel byte) {
		t.Helper()
		if label != int32(wantLabel) {
			t.Errorf("%s: label %d, want %d", name, label, wantLabel)
		}
		for j, p := range want {
			if got[j] != float32(p)/255 {
				t.Fatalf("%s: pixel %d = %v, want %v/255", name, j, got[j], p)
			}
		}
	}
	check("train 0", d.Train.X.Row(0), d.Train.Y[0], tr.Image(0), tr.Labels[0])
	check("train 49999", d.Train.X.Row(49999), d.Train.Y[49999], tr.Image(49999), tr.Labels[49999])
	check("valid 0", d.Valid.X.Row(0), d.Valid.Y[0], tr.Image(50000), tr.Labels[50000])
	check("valid 9999", d.Valid.X.Row(9999), d.Valid.Y[9999], tr.Image(59999), tr.Labels[59999])
	check("test 9999", d.Test.X.Row(9999), d.Test.Y[9999], te.Image(9999), te.Labels[9999])
	lo, hi := slices.Min(d.Train.X.Data), slices.Max(d.Train.X.Data)
	if lo != 0 || hi != 1 {
		t.Errorf("training pixels in [%v, %v], want [0, 1]", lo, hi)
	}
	for _, bad := range [][3]int{{0, 10, 10}, {50001, 10, 10}, {10, 10001, 10}, {10, 10, 10001}} {
		if _, err := Splits(tr, te, bad); err == nil || !strings.Contains(err.Error(), "size") {
			t.Errorf("Splits(%v): error %v, want a size error", bad, err)
		}
	}
}

func TestVariants(t *testing.T) {
	if Tanh.Name() != "mnist-tanh" || Sigmoid.Name() != "mnist-sigmoid" {
		t.Errorf("names %q and %q", Tanh.Name(), Sigmoid.Name())
	}
	for _, task := range []Task{Tanh, Sigmoid} {
		for _, p := range task.Profiles() {
			a, err := task.Arch(experiment.MustBuiltin(p))
			if err != nil {
				t.Fatal(err)
			}
			if m, ok := a.(*experiment.MLP); !ok || m.In != Pixels || m.Out != 10 || len(m.Hidden) != 20 || m.Act != task.Act {
				t.Errorf("%s %s: arch %+v, want a 784-input, 20-layer %v MLP with 10 outputs", task.Name(), p, a, task.Act)
			}
			if _, err := task.Sweep(experiment.MustBuiltin(p)); err != nil {
				t.Fatal(err)
			}
			if task.Cost(experiment.MustBuiltin(p)) <= 0 {
				t.Errorf("%s %s: cost %v", task.Name(), p, task.Cost(experiment.MustBuiltin(p)))
			}
		}
		s, _ := task.settings(experiment.MustBuiltin("paper"))
		if len(s.Hidden) != 20 || s.Hidden[0] != 256 || s.Epochs != 10 || s.Split != [3]int{50000, 10000, 10000} || s.Act != task.Act {
			t.Errorf("%s paper settings %+v", task.Name(), s)
		}
	}
	if _, err := (Task{Act: nn.ReLU}).Arch(experiment.MustBuiltin("quick")); err == nil {
		t.Error("a ReLU variant was accepted")
	}
	if _, err := Tanh.Sweep(experiment.Profile{Name: "huge", Base: "huge"}); err == nil {
		t.Error("an unknown profile was accepted")
	}
}
