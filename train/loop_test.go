package train

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/mollifying/mollify/experiment"
	"github.com/mollifying/mollify/nn"
)

// scripted is a loop whose update t has loss losses[t-1] and whose
// evaluation after update t measures valid[t] (valid[0] before training).
func scripted(losses, valid []float64, epochs, perEpoch, every int) (*Loop, *[]int) {
	net := nn.NewDense[float32]("d", 2, 2, nn.Glorot, rand.New(rand.NewPCG(1, 1)))
	var batches []int
	t := 0
	l := &Loop{
		Model: &experiment.Model{Net: net}, Opt: &nn.SGD[float32]{},
		Epochs: epochs, PerEpoch: perEpoch, EvalEvery: every,
		Batch: func(u int) { t = u; batches = append(batches, u) },
		LR:    func(int) float64 { return 0 },
		Loss:  func() float64 { return losses[t-1] },
		Measure: func(v experiment.Values, suf string, _ bool) {
			v[ValidAcc+suf] = experiment.Num(valid[t])
		},
		Best:   &Best{Judge: ValidAcc, Maximize: true, Keep: []Kept{{Final: "best_valid_acc", Value: ValidAcc}}},
		Target: &Target{Metric: ValidAcc, Value: 0.5},
	}
	return l, &batches
}

func TestLoop(t *testing.T) {
	nan := math.NaN()
	for _, c := range []struct {
		name                 string
		losses, valid        []float64
		epochs, per, every   int
		points               []int
		updates              int
		diverged             bool
		best, bestAt, target float64
	}{
		{"evaluation points and best", []float64{1, 1, 1, 1, 1, 1}, []float64{0.1, 0.2, 0.6, 0.4, 0.7, 0.3, 0.2}, 2, 3, 2,
			[]int{0, 2, 4, 6}, 6, false, 0.7, 4, 2},
		{"every epoch by default", []float64{1, 1, 1, 1}, []float64{0, 0, 0.3, 0, 0.2}, 2, 2, 0,
			[]int{0, 2, 4}, 4, false, 0.3, 2, 5},
		{"divergence stops and evaluates once more", []float64{1, 1, nan, 1}, []float64{0.1, 0.2, 0.3, 0.9, 0.9}, 1, 4, 2,
			[]int{0, 2, 3}, 3, true, 0.9, 3, 3},
		{"no number gives -Inf", []float64{1, 1}, []float64{nan, nan, nan}, 1, 2, 1,
			[]int{0, 1, 2}, 2, false, math.Inf(-1), 0, 3},
	} {
		t.Run(c.name, func(t *testing.T) {
			l, batches := scripted(c.losses, c.valid, c.epochs, c.per, c.every)
			rec, err := l.Run(context.Background(), nil)
			if err != nil {
				t.Fatal(err)
			}
			var points []int
			for _, p := range rec.Curve {
				points = append(points, p.Update)
			}
			if !slices.Equal(points, c.points) || rec.Updates != c.updates || rec.Diverged != c.diverged || len(*batches) != c.updates {
				t.Fatalf("points %v updates %d diverged %v batches %v; want %v %d %v", points, rec.Updates, rec.Diverged, *batches, c.points, c.updates, c.diverged)
			}
			f := rec.Final
			if float64(f["best_valid_acc"]) != c.best || float64(f["best_valid_update"]) != c.bestAt || float64(f["updates_to_target"]) != c.target {
				t.Fatalf("best %v at %v, target %v; want %v at %v, %v", f["best_valid_acc"], f["best_valid_update"], f["updates_to_target"], c.best, c.bestAt, c.target)
			}
		})
	}
}

func TestLoopCancel(t *testing.T) {
	l, _ := scripted([]float64{1, 1, 1}, []float64{0, 0, 0, 0}, 1, 3, 1)
	ctx, cancel := context.WithCancel(context.Background())
	l.Batch = func(int) { cancel() }
	l.Loss = func() float64 { return 1 }
	if _, err := l.Run(ctx, nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled run: %v", err)
	}
	l.Loss = nil
	if _, err := l.Run(context.Background(), nil); err == nil {
		t.Fatal("a loop without a loss ran")
	}
}
