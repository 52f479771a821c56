package train

import (
	"context"
	"fmt"
	"testing"
)

// TestWorkloadMatchesClassify checks the counts of Workload against what
// Classify does.
func TestWorkloadMatchesClassify(t *testing.T) {
	for _, tc := range []struct {
		epochs, batch, every, trainEval int
	}{
		{5, 20, 0, 0},   // evaluate every epoch of 10 updates
		{3, 20, 5, 50},  // every 5 updates, 30 in all
		{3, 20, 7, 300}, // 30 is not a multiple of 7: one more at the end
		{2, 40, 100, 0}, // less often than the run is long
	} {
		t.Run(fmt.Sprintf("%+v", tc), func(t *testing.T) {
			s := Settings{Epochs: tc.epochs, Batch: tc.batch, EvalEvery: tc.every, TrainEval: tc.trainEval, Optimizer: "sgd"}
			d := data()
			w := Workload{Settings: s, Train: d.Train.Len(), Valid: d.Valid.Len(), Test: d.Test.Len()}
			rec, err := Classify(context.Background(), d, model(1), s, 0.1, 1, nil)
			if err != nil {
				t.Fatal(err)
			}
			if rec.Updates != w.Updates() || len(rec.Curve) != w.Evaluations() {
				t.Fatalf("Classify made %d updates and %d evaluations, Workload says %d and %d", rec.Updates, len(rec.Curve), w.Updates(), w.Evaluations())
			}
			wantEval := min(tc.trainEval, 200)
			if tc.trainEval == 0 {
				wantEval = 200
			}
			if got := w.EvalExamples(); got != wantEval+100 {
				t.Fatalf("EvalExamples = %d, want %d", got, wantEval+100)
			}
			if got := w.EvalChunk(); got != 500 {
				t.Fatalf("EvalChunk = %d, want max(batch, 500) = 500", got)
			}
		})
	}
}

// TestWorkloadOfOwnLoop: a task with its own loop states its epochs and
// the size of an evaluation directly.
func TestWorkloadOfOwnLoop(t *testing.T) {
	w := Workload{Settings: Settings{Epochs: 3, Batch: 20, TrainEval: 10}, Train: 1000, Valid: 50, Test: 60, PerEpoch: 7}
	if w.UpdatesPerEpoch() != 7 || w.Updates() != 21 || w.Evaluations() != 4 {
		t.Fatalf("%d updates per epoch, %d updates, %d evaluations; want 7, 21, 4", w.UpdatesPerEpoch(), w.Updates(), w.Evaluations())
	}
	if w.EvalExamples() != 10+50+60 {
		t.Fatalf("EvalExamples = %d without PerEval, want 120", w.EvalExamples())
	}
	w.PerEval, w.EvalEvery = 333, 5
	if w.EvalExamples() != 333 || w.Evaluations() != 1+4+1 {
		t.Fatalf("EvalExamples = %d, Evaluations = %d; want 333, 6", w.EvalExamples(), w.Evaluations())
	}
}
