package wordembed

import (
	"context"
	"encoding/json"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/mollifying/mollify/baselines"
	"github.com/mollifying/mollify/experiment"
	"github.com/mollifying/mollify/mollified"
)

// TestSGNSLearns: on a corpus where words come in fixed pairs, training
// lowers the loss per pair well below its starting value.
func TestSGNSLearns(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	const vocab = 40
	tokens := make([]int32, 0, 20000)
	for len(tokens) < 20000 {
		a := int32(2 * r.IntN(vocab/2)) // word a is always followed by a+1
		tokens = append(tokens, a, a+1)
	}
	s := SGNS{Dim: 10, Window: 1, Negative: 5, Epochs: 3, LR: 0.025}
	v, err := s.Train(tokens, vocab, rand.New(rand.NewPCG(2, 2)))
	if err != nil {
		t.Fatal(err)
	}
	if v.Loss[9] > 0.8*v.Loss[0] {
		t.Fatalf("loss per pair %v → %v", v.Loss[0], v.Loss[9])
	}
	// The same seed gives the same vectors.
	w, err := s.Train(tokens, vocab, rand.New(rand.NewPCG(2, 2)))
	if err != nil {
		t.Fatal(err)
	}
	for i := range v.W {
		if v.W[i] != w.W[i] {
			t.Fatal("two trainings with the same seed differ")
		}
	}
	if _, err := (SGNS{Dim: 0, Window: 1, Negative: 1, Epochs: 1, LR: 1}).Train(tokens, vocab, r); err == nil {
		t.Error("dim 0 accepted")
	}
}

func TestBatchesGroupLengths(t *testing.T) {
	groups := [][]int{{0, 1, 2, 3, 4}, {5, 6}, {7}}
	got := batches(groups, 2, rand.New(rand.NewPCG(1, 1)), nil)
	seen := map[int]bool{}
	for _, b := range got {
		if len(b) > 2 {
			t.Fatalf("batch %v larger than 2", b)
		}
		g := -1
		for _, i := range b {
			gi := map[bool]int{true: 0, false: 1}[i < 5]
			if i == 7 {
				gi = 2
			}
			if g >= 0 && gi != g {
				t.Fatalf("batch %v mixes groups", b)
			}
			g = gi
			seen[i] = true
		}
	}
	if len(seen) != 8 || len(got) != 5 {
		t.Fatalf("%d batches covering %d words", len(got), len(seen))
	}
}

// TestRunLearnsAndIsDeterministic trains baseline and mollified networks on
// a small word set: the loss on the training words falls, and a run is a
// pure function of its spec.
func TestRunLearnsAndIsDeterministic(t *testing.T) {
	s, err := settingsFor(experiment.MustBuiltin("quick"))
	if err != nil {
		t.Fatal(err)
	}
	s.Words, s.Epochs, s.Hidden, s.Embed, s.TrainEval = 300, 3, []int{12}, 6, 100
	d, err := load(s)
	if err != nil {
		t.Fatal(err)
	}
	mo, err := experiment.ResolveOptions(mollified.Config{}.Options(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		cfg experiment.Config
		h   experiment.Hyper
		o   experiment.Options
	}{
		{baselines.Baseline{}, experiment.Hyper{"lr": 0.01}, nil},
		{mollified.Config{}, experiment.Hyper{"lr": 0.01, mollified.HypC: 0.5, mollified.HypAnneal: 0.5, mollified.HypDelta: 0.05, mollified.HypEMA: 0.99}, mo},
	} {
		t.Run(c.cfg.Name(), func(t *testing.T) {
			spec := experiment.RunSpec{Task: "wordembed", Profile: "test", Config: c.cfg.Name(), Seed: 5, Hyper: c.h, Options: c.o}
			var out [2][]byte
			var rec *experiment.Record
			for i := range out {
				rec, err = run(context.Background(), spec, c.cfg, s, d, nil)
				if err != nil {
					t.Fatal(err)
				}
				out[i], _ = json.Marshal(rec)
			}
			if string(out[0]) != string(out[1]) {
				t.Fatal("two runs of the same spec differ")
			}
			l0, l := float64(rec.Curve[0].Values[TrainEvalLoss]), float64(rec.Final[TrainEvalLoss])
			t.Logf("training loss %v → %v", l0, l)
			if l > 0.9*l0 {
				t.Fatalf("training loss %v → %v: not learning", l0, l)
			}
		})
	}
}

func TestTargetsAreUnitVectors(t *testing.T) {
	s, _ := settingsFor(experiment.MustBuiltin("quick"))
	d, err := load(s)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Chars) != QuickChars {
		t.Fatalf("%d characters, want %d", len(d.Chars), QuickChars)
	}
	for _, w := range append(append(append([]Word(nil), d.Train...), d.Valid...), d.Test...) {
		var n float64
		for _, v := range w.Target {
			n += float64(v) * float64(v)
		}
		if math.Abs(n-1) > 1e-5 || len(w.Chars) != len([]rune(w.Text)) {
			t.Fatalf("%q: |t|² = %v, %d chars", w.Text, n, len(w.Chars))
		}
	}
	a, err := (Task{}).Arch(experiment.MustBuiltin("quick"))
	if err != nil {
		t.Fatal(err)
	}
	if err := a.(*experiment.LSTM).Validate(); err != nil {
		t.Fatal(err)
	}
}
