package ptb

import (
	"context"
	"fmt"
	"math"
	"sync"

	"github.com/mollifying/mollify/experiment"
	"github.com/mollifying/mollify/nn"
	"github.com/mollifying/mollify/train"
)

// Settings are the task's data, network and training settings for a
// profile.
type Settings struct {
	// Level is "word" or "char".
	Level string `json:"level"`
	// Train, Valid and Test, when positive, keep only the first that many
	// tokens of each split; 0 keeps the whole split.
	Train int `json:"train_tokens,omitempty"`
	Valid int `json:"valid_tokens,omitempty"`
	Test  int `json:"test_tokens,omitempty"`
	// Embed and Hidden size the network; the vocabulary follows the level.
	Embed  int     `json:"embed"`
	Hidden []int   `json:"hidden"`
	Init   nn.Init `json:"init"`
	train.LMSettings
}

// defs are the task's built-in profiles. The paper and reduced profiles
// tune the learning rate over {0.5, 1, 2}, around Zaremba et al.'s 1: a
// configuration with constants of its own (mollified, annealed noise,
// gradient noise) gets three trials, so the plain LSTM must get three too
// (paper/TUNING.md §1). Selection minimises the best validation
// perplexity.
func defs() map[string]experiment.Definition[Settings] {
	// Zaremba et al.'s non-regularised "small" recipe with the paper's
	// three layers (paper/PROTOCOL.md).
	paper := func() Settings {
		return Settings{
			Level: "word", Embed: 200, Hidden: []int{200, 200, 200},
			Init: nn.Init{Kind: nn.Uniform, Scale: 0.1},
			LMSettings: train.LMSettings{
				Epochs: 13, Batch: 20, Steps: 20, EvalBatch: 1, Clip: 5,
				DecayAfter: 4, Decay: 0.5, TargetPPL: 140,
			},
		}
	}
	// The paper profile's model and data, 2 of its 13 epochs (before the
	// first learning-rate decay): a cheaper look at Table 2, labelled
	// reduced wherever it is reported.
	reduced := paper()
	reduced.Epochs = 2
	// Character-level PTB on prefixes of the splits with a small two-layer
	// LSTM: the same code path (embedding, stacked LSTM, truncated BPTT
	// with carried state, decay, clipping) within the CPU budget of the
	// quick profile.
	quick := Settings{
		Level: "char", Train: 24000, Valid: 3000, Test: 3000,
		Embed: 16, Hidden: []int{64, 64},
		Init: nn.Init{Kind: nn.Uniform, Scale: 0.1},
		LMSettings: train.LMSettings{
			Epochs: 3, Batch: 20, Steps: 20, EvalBatch: 10, EvalEvery: 30, Clip: 5,
			DecayAfter: 2, Decay: 0.5, Bits: true, TargetPPL: 15,
		},
	}
	sel := experiment.Selector{Metric: "best_valid_ppl"}
	lr := []float64{0.5, 1, 2}
	return map[string]experiment.Definition[Settings]{
		experiment.Quick:   {Settings: quick, Sweep: experiment.Sweep{Seeds: []uint64{1, 2}, TuneSeeds: []uint64{101}, LR: []float64{1}, Budget: 1, Select: sel}},
		experiment.Paper:   {Settings: paper(), Sweep: experiment.Sweep{Seeds: []uint64{1, 2, 3, 4, 5}, TuneSeeds: experiment.TuneSeeds, LR: lr, Budget: len(lr), Select: sel}},
		experiment.Reduced: {Settings: reduced, Sweep: experiment.Sweep{Seeds: []uint64{1, 2, 3}, TuneSeeds: []uint64{101}, LR: lr, Budget: len(lr), Select: sel}},
	}
}

// definitions resolves the task's profiles.
var definitions = experiment.Defined[Settings]{Task: Task{}.Name(), Defs: defs}

func settingsFor(p experiment.Profile) (Settings, error) { return definitions.Settings(p) }

// vocabSize is the vocabulary of a level: PTB's 10k words, or the 50
// symbols of the character files.
func vocabSize(level string) int {
	if level == "char" {
		return 50
	}
	return 10000
}

func (s Settings) arch() *experiment.LSTM {
	v := vocabSize(s.Level)
	return &experiment.LSTM{LSTMNetSpec: nn.LSTMNetSpec{Vocab: v, Embed: s.Embed, Hidden: s.Hidden, Out: v, Init: s.Init}}
}

// Task is the PTB language-modelling task.
type Task struct{}

var _ experiment.Task = Task{}

// Name implements experiment.Task.
func (Task) Name() string { return "ptb" }

// Summary implements experiment.Task.
func (Task) Summary() string {
	return "PTB word-level language model, 3-layer LSTM without regularisation (paper Sec. 9, Table 2); quick: character-level on a prefix"
}

// Profiles implements experiment.Task.
func (Task) Profiles() []string { return definitions.Profiles() }

// Sweep implements experiment.Task.
func (Task) Sweep(p experiment.Profile) (experiment.Sweep, error) { return definitions.Sweep(p) }

// Arch implements experiment.Task.
func (Task) Arch(p experiment.Profile) (experiment.Arch, error) {
	s, err := settingsFor(p)
	if err != nil {
		return nil, err
	}
	return s.arch(), nil
}

// Run implements experiment.Task.
func (Task) Run(ctx context.Context, p experiment.Profile, spec experiment.RunSpec, cfg experiment.Config, progress func(float64)) (*experiment.Record, error) {
	s, err := settingsFor(p)
	if err != nil {
		return nil, err
	}
	return run(ctx, spec, cfg, s, progress)
}

func run(ctx context.Context, spec experiment.RunSpec, cfg experiment.Config, s Settings, progress func(float64)) (*experiment.Record, error) {
	c, err := corpus(s)
	if err != nil {
		return nil, err
	}
	env := experiment.Env{Seed: spec.Seed, Updates: s.Updates(len(c.Train)), InitialLoss: math.Log(float64(c.Vocab))}
	model, err := cfg.Build(s.arch(), spec.Hyper, spec.Options, env)
	if err != nil {
		return nil, fmt.Errorf("ptb: %s: %w", cfg.Name(), err)
	}
	rec, err := train.LanguageModel(ctx, c, model, s.LMSettings, spec.Hyper.Get("lr"), progress)
	if err != nil {
		return nil, err
	}
	rec.Spec, rec.Settings = spec, s
	return rec, nil
}

var (
	corpusMu    sync.Mutex
	corpusCache = map[string]*train.Corpus{}
)

// corpus loads, checks and tokenises the files once per process and level,
// and cuts the profile's prefixes.
// CheckData implements experiment.DataChecker: it reads the PTB files
// (the module's copy, or $MOLLIFY_PTB's) and checks their checksums; the
// corpus is kept for the runs.
func (Task) CheckData(p experiment.Profile) error {
	s, err := settingsFor(p)
	if err != nil {
		return err
	}
	_, err = corpus(s)
	return err
}

func corpus(s Settings) (*train.Corpus, error) {
	dir := Dir()
	corpusMu.Lock()
	defer corpusMu.Unlock()
	key := dir + "\x00" + s.Level
	c, ok := corpusCache[key]
	if !ok {
		t, err := Load(dir)
		if err != nil {
			return nil, err
		}
		if s.Level == "char" {
			c, _, err = CharCorpus(t)
		} else {
			c, _, err = WordCorpus(t)
		}
		if err != nil {
			return nil, err
		}
		if c.Vocab != vocabSize(s.Level) {
			return nil, fmt.Errorf("ptb: %s vocabulary of %d, want %d", s.Level, c.Vocab, vocabSize(s.Level))
		}
		corpusCache[key] = c
	}
	cut := func(x []int32, n int) []int32 {
		if n > 0 && n < len(x) {
			return x[:n]
		}
		return x
	}
	return &train.Corpus{Train: cut(c.Train, s.Train), Valid: cut(c.Valid, s.Valid), Test: cut(c.Test, s.Test), Vocab: c.Vocab}, nil
}

// Cost implements experiment.Coster: multiply-adds of training (3 per weight
// per token) and of the evaluations (1 per weight per token), with the
// profile's nominal split sizes.
func (Task) Cost(p experiment.Profile) float64 {
	s, err := settingsFor(p)
	if err != nil {
		return 0
	}
	v := vocabSize(s.Level)
	weights := s.Hidden[len(s.Hidden)-1] * v
	in := s.Embed
	for _, h := range s.Hidden {
		weights += 4 * h * (in + h)
		in = h
	}
	sizes := s.sizes()
	trainTok := float64(s.Updates(sizes[0]) * s.Batch * s.Steps)
	evals := float64(s.Epochs + 1)
	if s.EvalEvery > 0 {
		evals = float64(s.Updates(sizes[0])/s.EvalEvery + 1)
	}
	evalTok := evals * float64(sizes[1]+sizes[2])
	return (3*trainTok + evalTok) * float64(weights)
}

// sizes are the numbers of tokens of the training, validation and test
// streams a run reads: the files' (the word counts are checked when the
// files are read, the character counts by TestWorkloadLRAndSizes), or the profile's
// prefixes.
func (s Settings) sizes() [3]int {
	all := map[string][3]int{"word": {929589, 73760, 82430}, "char": {5017482, 393042, 442423}}[s.Level]
	for i, want := range [3]int{s.Train, s.Valid, s.Test} {
		if want > 0 && want < all[i] {
			all[i] = want
		}
	}
	return all
}

// Report implements experiment.Reporter: Table 2 compares test perplexities;
// the text adds that the mollified LSTM converges faster.
func (Task) Report() experiment.ReportSpec {
	return experiment.ReportSpec{
		Metrics: []experiment.Metric{
			{Name: "test_ppl_at_best_valid", Label: "test perplexity (best valid)"},
			{Name: "best_valid_ppl", Label: "best valid perplexity"},
			{Name: "updates_to_target", Label: "updates to target valid perplexity"},
		},
		Curve: train.ValidPPL, CurveLabel: "validation perplexity", LogY: true,
		Paper: &experiment.PaperTable{Title: "Table 2: PTB word-level test perplexity, 3-layer LSTM", Metric: "test_ppl_at_best_valid", Scale: 1, Rows: []experiment.PaperRow{
			{Label: "LSTM", Config: "baseline", Value: 119.4},
			{Label: "Mollified LSTM", Config: "mollified", Value: 115.7},
		}},
		Claims: []experiment.Claim{
			{ID: "ptb-table2", Text: "Table 2: the mollified LSTM reaches a lower test perplexity than the plain LSTM (115.7 vs 119.4)", Metric: "test_ppl_at_best_valid", Config: "mollified", Versus: "baseline"},
			{ID: "ptb-speed", Text: "Sec. 9: the mollified LSTM converges faster than the plain LSTM (fewer updates to the target validation perplexity)", Metric: "updates_to_target", Config: "mollified", Versus: "baseline"},
		},
	}
}

// Settings implements experiment.Task.
func (Task) Settings(p experiment.Profile) (any, error) { return settingsFor(p) }

// FinalMetrics implements experiment.Finals.
func (Task) FinalMetrics() []string {
	return []string{"train_loss", "train_ppl", "valid_loss", "valid_ppl", "valid_bpc", "test_loss", "test_ppl", "test_bpc", "best_valid_ppl", "best_valid_bpc", "best_valid_update", "test_ppl_at_best_valid", "test_bpc_at_best_valid", "lr", experiment.UpdatesToTarget, experiment.ReachedTarget}
}
