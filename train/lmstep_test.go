package train_test

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/mollifying/mollify/experiment"
	"github.com/mollifying/mollify/harness"
	"github.com/mollifying/mollify/nn"
	"github.com/mollifying/mollify/train"
)

// buildWith builds a under the configuration called name with the first
// value of each of its axes.
func buildWith(t *testing.T, name string, a experiment.Arch, env experiment.Env) *experiment.Model {
	t.Helper()
	cfg, err := harness.LookupConfig(name)
	if err != nil {
		t.Fatal(err)
	}
	h := experiment.Hyper{}
	for _, ax := range cfg.Space(experiment.MustBuiltin("quick"), a) {
		h[ax.Name] = ax.Values[0]
	}
	o, err := experiment.ResolveOptions(cfg.Options(), nil)
	if err != nil {
		t.Fatal(err)
	}
	m, err := cfg.Build(a, h, o, env)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// maxMove is the largest change of any weight from a to b.
func maxMove(a, b []*nn.Param[float32]) float64 {
	var d float64
	for i := range a {
		for j := range a[i].Value {
			d = max(d, math.Abs(float64(a[i].Value[j])-float64(b[i].Value[j])))
		}
	}
	return d
}

// TestLMStepMatchesLanguageModel trains the same model with NewLMStep on a
// fixed window and with LanguageModel on a training stream whose columns
// repeat the window's sequences, so that every update of the loop sees
// that window: the weights agree (the two run the same operations), and
// the updates moved them.
func TestLMStepMatchesLanguageModel(t *testing.T) {
	const updates = 5
	a := &experiment.LSTM{LSTMNetSpec: nn.LSTMNetSpec{Vocab: 7, Embed: 5, Hidden: []int{8, 6}, Out: 7, Init: nn.Init{Kind: nn.Uniform, Scale: 0.1}}}
	s := train.LMSettings{Epochs: 1, Batch: 3, Steps: 4, EvalBatch: 2, Clip: 0.5, DecayAfter: 4, Decay: 0.5}
	b := train.LMWindow(s, a.Vocab, rand.New(rand.NewPCG(1, 2)))
	// Column col of the stream is token i of the window's column cycle at
	// position i; the loop makes (cols−1)/Steps windows per epoch.
	cols := updates*s.Steps + 1
	stream := make([]int32, s.Batch*cols)
	for col := range s.Batch {
		for i := range cols {
			stream[col*cols+i] = int32(b.X.Data[(i%s.Steps)*s.Batch+col])
		}
	}
	c := &train.Corpus{Train: stream, Valid: stream[:40], Test: stream[:30], Vocab: a.Vocab}
	if got := s.WindowsPerEpoch(len(stream)); got != updates {
		t.Fatalf("%d windows per epoch, want %d", got, updates)
	}
	env := experiment.Env{Seed: 3, Updates: updates, InitialLoss: math.Log(7)}
	for _, cfg := range []string{"baseline", "noisy", "anneal", "mollified"} {
		t.Run(cfg, func(t *testing.T) {
			loop := buildWith(t, cfg, a, env)
			if _, err := train.LanguageModel(context.Background(), c, loop, s, 2, nil); err != nil {
				t.Fatal(err)
			}
			stepped := buildWith(t, cfg, a, env)
			run, err := train.NewLMStep(stepped, s, updates, 2, 1, b)
			if err != nil {
				t.Fatal(err)
			}
			for range updates {
				if l := run(); math.IsNaN(l) || l <= 0 {
					t.Fatalf("loss %v", l)
				}
			}
			if d := maxMove(loop.Net.Params(), stepped.Net.Params()); d > 1e-6 {
				t.Fatalf("weights differ by %g after %d updates", d, updates)
			}
			if d := maxMove(buildWith(t, cfg, a, env).Net.Params(), stepped.Net.Params()); d < 1e-3 {
				t.Fatalf("%d updates moved no weight by more than %g", updates, d)
			}
		})
	}
	if _, err := train.NewLMStep(buildWith(t, "baseline", a, env), s, updates, 2, 1, train.LMWindow(train.LMSettings{Batch: 2, Steps: 4}, 7, rand.New(rand.NewPCG(1, 1)))); err == nil {
		t.Error("a window of 2 columns accepted for settings of 3")
	}
}

// TestLMStepDecays: the step's learning rate follows the epochs of
// LMSettings.LR from update first on (a late first update trains with the
// decayed rate, so it moves the weights less than update 1 does).
func TestLMStepDecays(t *testing.T) {
	a := &experiment.LSTM{LSTMNetSpec: nn.LSTMNetSpec{Vocab: 7, Embed: 5, Hidden: []int{8}, Out: 7, Init: nn.Init{Kind: nn.Uniform, Scale: 0.1}}}
	s := train.LMSettings{Epochs: 10, Batch: 3, Steps: 4, EvalBatch: 2, DecayAfter: 1, Decay: 0.5}
	b := train.LMWindow(s, a.Vocab, rand.New(rand.NewPCG(1, 2)))
	env := experiment.Env{Seed: 3, Updates: 100, InitialLoss: math.Log(7)}
	move := func(first int) float64 {
		m := buildWith(t, "baseline", a, env)
		run, err := train.NewLMStep(m, s, 10, 1, first, b)
		if err != nil {
			t.Fatal(err)
		}
		run()
		return maxMove(buildWith(t, "baseline", a, env).Net.Params(), m.Net.Params())
	}
	early, late := move(1), move(91) // epoch 10: lr/2⁹
	if r := late / early; r > 1.0/256 || r < 1.0/1024 {
		t.Fatalf("update 91 moved the weights %g× as far as update 1, want ≈ 2⁻⁹", r)
	}
}
