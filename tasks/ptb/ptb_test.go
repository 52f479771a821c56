package ptb

import (
	"context"
	"encoding/json"
	"math"
	"testing"

	"github.com/mollifying/mollify/baselines"
	"github.com/mollifying/mollify/experiment"
	"github.com/mollifying/mollify/mollified"
	"github.com/mollifying/mollify/nn"
	"github.com/mollifying/mollify/train"
)

// tiny is a character-level run small enough for a unit test.
var tiny = Settings{
	Level: "char", Train: 3000, Valid: 400, Test: 400, Embed: 8, Hidden: []int{12, 12},
	Init:       nn.Init{Kind: nn.Uniform, Scale: 0.1},
	LMSettings: train.LMSettings{Epochs: 2, Batch: 5, Steps: 10, EvalBatch: 4, Clip: 5, DecayAfter: 1, Decay: 0.5, Bits: true, TargetPPL: 30},
}

// TestRunIsDeterministicAndLearns: a run is a pure function of its spec,
// and training lowers the validation perplexity from its initial value
// (the vocabulary size, 50, for an untrained network).
func TestRunIsDeterministicAndLearns(t *testing.T) {
	o, err := experiment.ResolveOptions(mollified.Config{}.Options(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		cfg experiment.Config
		h   experiment.Hyper
		o   experiment.Options
	}{
		{baselines.Baseline{}, experiment.Hyper{"lr": 1}, nil},
		{mollified.Config{}, experiment.Hyper{"lr": 1, mollified.HypC: 0.5, mollified.HypAnneal: 0.5, mollified.HypDelta: 0.05, mollified.HypEMA: 0.99}, o},
	} {
		t.Run(c.cfg.Name(), func(t *testing.T) {
			spec := experiment.RunSpec{Task: "ptb", Profile: "test", Config: c.cfg.Name(), Seed: 7, Hyper: c.h, Options: c.o}
			var out [2][]byte
			var rec *experiment.Record
			for i := range out {
				rec, err = run(context.Background(), spec, c.cfg, tiny, nil)
				if err != nil {
					t.Fatal(err)
				}
				if out[i], err = json.Marshal(rec); err != nil {
					t.Fatal(err)
				}
			}
			if string(out[0]) != string(out[1]) {
				t.Fatal("two runs of the same spec differ")
			}
			v0, v := float64(rec.Curve[0].Values[train.ValidPPL]), float64(rec.Final["best_valid_ppl"])
			if math.Abs(v0-50) > 1 || v > 0.6*v0 {
				t.Fatalf("validation perplexity %v → %v", v0, v)
			}
			if got := float64(rec.Final["best_valid_bpc"]); math.Abs(got-math.Log2(v)) > 1e-9 {
				t.Fatalf("bpc %v, want log2(ppl) = %v", got, math.Log2(v))
			}
		})
	}
}

func TestProfiles(t *testing.T) {
	for _, p := range (Task{}).Profiles() {
		s, err := settingsFor(experiment.MustBuiltin(p))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Validate(); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if err := s.arch().Validate(); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if (Task{}).Cost(experiment.MustBuiltin(p)) <= 0 {
			t.Fatalf("%s: no cost", p)
		}
	}
	if (Task{}).Cost(experiment.MustBuiltin("quick")) >= (Task{}).Cost(experiment.MustBuiltin("paper"))/1000 {
		t.Error("the quick profile is not much cheaper than the paper profile")
	}
	if _, err := settingsFor(experiment.Profile{Name: "huge", Base: "huge"}); err == nil {
		t.Error("unknown profile accepted")
	}
}

// TestWordLevelRun runs the word-level path (10,000-way softmax, evaluation
// in one column) on prefixes of the splits.
func TestWordLevelRun(t *testing.T) {
	s := Settings{
		Level: "word", Train: 4200, Valid: 300, Test: 300, Embed: 16, Hidden: []int{16, 16, 16},
		Init:       nn.Init{Kind: nn.Uniform, Scale: 0.1},
		LMSettings: train.LMSettings{Epochs: 1, Batch: 10, Steps: 20, EvalBatch: 1, Clip: 5, DecayAfter: 4, Decay: 0.5, TargetPPL: 140},
	}
	spec := experiment.RunSpec{Task: "ptb", Profile: "test", Config: "baseline", Seed: 1, Hyper: experiment.Hyper{"lr": 1}}
	rec, err := run(context.Background(), spec, baselines.Baseline{}, s, nil)
	if err != nil {
		t.Fatal(err)
	}
	v0, v := float64(rec.Curve[0].Values[train.ValidPPL]), float64(rec.Final[train.ValidPPL])
	t.Logf("validation perplexity %v → %v after %d updates", v0, v, rec.Updates)
	if math.Abs(v0-10000) > 200 || v > 3000 {
		t.Fatalf("validation perplexity %v → %v", v0, v)
	}
	if rec.Final["reached_target"] != 0 || rec.Final["updates_to_target"] != experiment.Num(rec.Updates+1) {
		t.Fatalf("target bookkeeping: %v, %v", rec.Final["reached_target"], rec.Final["updates_to_target"])
	}
}
