package train_test

import (
	"context"
	"math"
	"testing"

	"github.com/mollifying/mollify/baselines"
	"github.com/mollifying/mollify/experiment"
	"github.com/mollifying/mollify/nn"
	"github.com/mollifying/mollify/train"
)

// patternCorpus repeats a fixed sentence over a vocabulary of 6: an LSTM
// can learn it almost perfectly.
func patternCorpus(n int) []int32 {
	pat := []int32{0, 1, 2, 3, 1, 4, 5, 2}
	s := make([]int32, n)
	for i := range s {
		s[i] = pat[i%len(pat)]
	}
	return s
}

func lmModel(t *testing.T, seed uint64) *experiment.Model {
	t.Helper()
	a := &experiment.LSTM{LSTMNetSpec: nn.LSTMNetSpec{Vocab: 6, Embed: 8, Hidden: []int{16}, Out: 6, Init: nn.Init{Kind: nn.Uniform, Scale: 0.1}}}
	m, err := baselines.Baseline{}.Build(a, nil, nil, experiment.Env{Seed: seed, Updates: 100, InitialLoss: math.Log(6)})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

var lmSettings = train.LMSettings{Epochs: 4, Batch: 4, Steps: 6, EvalBatch: 2, Clip: 5, DecayAfter: 2, Decay: 0.5}

func TestLanguageModelLearns(t *testing.T) {
	c := &train.Corpus{Train: patternCorpus(2000), Valid: patternCorpus(300), Test: patternCorpus(300), Vocab: 6}
	rec, err := train.LanguageModel(context.Background(), c, lmModel(t, 1), lmSettings, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	first, last := rec.Curve[0].Values, rec.Final
	t.Logf("valid ppl %v → %v over %d updates", first[train.ValidPPL], last[train.ValidPPL], rec.Updates)
	if float64(first[train.ValidPPL]) < 5 || float64(last[train.ValidPPL]) > 1.5 {
		t.Fatalf("valid perplexity went from %v to %v; want from ≈6 to below 1.5", first[train.ValidPPL], last[train.ValidPPL])
	}
	if want := lmSettings.Updates(2000); rec.Updates != want || want != 4*((500-1)/6) {
		t.Fatalf("%d updates, want %d", rec.Updates, want)
	}
	// Learning-rate schedule: 1, 1, 0.5, 0.25 over the four epochs.
	for i, want := range []float64{1, 1, 1, 0.5, 0.25} {
		if got := float64(rec.Curve[i].Values[train.LRValue]); got != want {
			t.Errorf("curve point %d: lr %v, want %v", i, got, want)
		}
	}
}

// TestLanguageModelEvaluationIsInvisible: evaluating after every update
// (which sets the training state aside) trains exactly the same network as
// evaluating once per epoch, and a run is a pure function of its inputs.
func TestLanguageModelEvaluationIsInvisible(t *testing.T) {
	c := &train.Corpus{Train: patternCorpus(1000), Valid: patternCorpus(100), Test: patternCorpus(120), Vocab: 6}
	s := lmSettings
	s.Epochs = 2
	a, err := train.LanguageModel(context.Background(), c, lmModel(t, 3), s, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	s.EvalEvery = 1
	b, err := train.LanguageModel(context.Background(), c, lmModel(t, 3), s, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	if a.Final[train.ValidPPL] != b.Final[train.ValidPPL] || a.Final[train.TestPPL] != b.Final[train.TestPPL] {
		t.Fatalf("final valid/test ppl %v/%v with per-epoch evaluation, %v/%v with per-update evaluation",
			a.Final[train.ValidPPL], a.Final[train.TestPPL], b.Final[train.ValidPPL], b.Final[train.TestPPL])
	}
	if len(b.Curve) != b.Updates+1 {
		t.Fatalf("%d curve points for %d updates", len(b.Curve), b.Updates)
	}
}

func TestLMSettingsValidate(t *testing.T) {
	for _, bad := range []func(*train.LMSettings){
		func(s *train.LMSettings) { s.Steps = 0 },
		func(s *train.LMSettings) { s.Decay = 0 },
		func(s *train.LMSettings) { s.EvalBatch = 0 },
		func(s *train.LMSettings) { s.Clip = -1 },
	} {
		s := lmSettings
		bad(&s)
		if s.Validate() == nil {
			t.Errorf("%+v accepted", s)
		}
	}
	c := &train.Corpus{Train: patternCorpus(20), Valid: patternCorpus(100), Test: patternCorpus(100), Vocab: 6}
	if _, err := train.LanguageModel(context.Background(), c, lmModel(t, 1), lmSettings, 1, nil); err == nil {
		t.Error("a training stream shorter than one window was accepted")
	}
}
