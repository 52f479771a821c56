package copytask

import (
	"context"
	"fmt"
	"math"
	"sync"

	"github.com/mollifying/mollify/experiment"
	"github.com/mollifying/mollify/nn"
	"github.com/mollifying/mollify/rng"
	"github.com/mollifying/mollify/train"
)

// Settings are the copy task's sizes and training settings for a profile.
type Settings struct {
	Bits   int `json:"bits"`
	MaxLen int `json:"max_len"`
	// Curriculum sets the training lengths.
	Curriculum Curriculum `json:"curriculum"`
	// Valid and Test are the sizes of the fixed evaluation sets, whose
	// lengths are uniform on 1..MaxLen; DataSeed draws them.
	Valid    int     `json:"valid"`
	Test     int     `json:"test"`
	DataSeed uint64  `json:"data_seed"`
	Hidden   int     `json:"hidden"`
	Init     nn.Init `json:"init"`
	// ForgetBias is the initial forget-gate bias.
	ForgetBias float64 `json:"forget_bias"`
	Updates    int     `json:"updates"`
	Batch      int     `json:"batch"`
	EvalEvery  int     `json:"eval_every"`
	// Optimizer is "adam" or "sgd"; Clip bounds the gradient norm.
	Optimizer string  `json:"optimizer"`
	Clip      float64 `json:"clip"`
}

// DataSeed draws the validation and test sequences in every profile.
const DataSeed = 1402

// defs are the task's built-in profiles.
func defs() map[string]experiment.Definition[Settings] {
	common := func() Settings {
		return Settings{
			Curriculum: Curriculum{Start: 0.5, Slope: 3e-4, Long: 0.1},
			DataSeed:   DataSeed, Init: nn.Init{Kind: nn.Uniform, Scale: 0.08}, ForgetBias: 1,
			Optimizer: "adam", Clip: 10,
		}
	}
	// The NTM copy task's sizes (8 bits, lengths up to 20) with the
	// protocol's 1-layer LSTM of 128.
	paper := common()
	paper.Bits, paper.MaxLen = 8, 20
	paper.Hidden = 128
	paper.Valid, paper.Test = 512, 512
	paper.Updates, paper.Batch, paper.EvalEvery = 20000, 32, 500
	// Short sequences of 4-bit vectors and a small LSTM: the same code path
	// within the CPU budget of CI.
	quick := common()
	quick.Bits, quick.MaxLen = 4, 4
	quick.Hidden = 32
	quick.Curriculum.Slope = 2e-3
	quick.Valid, quick.Test = 128, 128
	quick.Updates, quick.Batch, quick.EvalEvery = 2000, 16, 100
	// Selection minimises the best validation cost (bits per sequence), a
	// smoother criterion than the bit error.
	sel := experiment.Selector{Metric: "best_valid_bps"}
	lr := []float64{0.0003, 0.001, 0.003, 0.01}
	return map[string]experiment.Definition[Settings]{
		experiment.Quick: {Settings: quick, Sweep: experiment.Sweep{Seeds: []uint64{1, 2}, TuneSeeds: []uint64{101}, LR: []float64{0.01}, Budget: 1, Select: sel}},
		experiment.Paper: {Settings: paper, Sweep: experiment.Sweep{Seeds: []uint64{1, 2, 3, 4, 5}, TuneSeeds: experiment.TuneSeeds, LR: lr, Budget: len(lr), Select: sel}},
	}
}

// definitions resolves the task's profiles.
var definitions = experiment.Defined[Settings]{Task: Task{}.Name(), Defs: defs}

func settingsFor(p experiment.Profile) (Settings, error) { return definitions.Settings(p) }

func (s Settings) gen() Generator { return Generator{Bits: s.Bits, MaxLen: s.MaxLen} }

func (s Settings) arch() *experiment.LSTM {
	return &experiment.LSTM{LSTMNetSpec: nn.LSTMNetSpec{In: s.gen().In(), Hidden: []int{s.Hidden}, Out: s.Bits, Init: s.Init, ForgetBias: s.ForgetBias}}
}

// Task is the copy task.
type Task struct{}

var _ experiment.Task = Task{}

// Name implements experiment.Task.
func (Task) Name() string { return "copy" }

// Summary implements experiment.Task.
func (Task) Summary() string {
	return "copy task: random binary vectors, length curriculum, 1-layer LSTM (paper/BASELINES.md §4; not in the paper's main text)"
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

// evalSet is a fixed set of sequences in batches.
type evalSet []*Batch

var (
	evalMu    sync.Mutex
	evalCache = map[string][2]evalSet{}
)

// evalSets draws the validation and test sets once per process, in batches
// of the training batch size, lengths uniform on 1..MaxLen.
func evalSets(s Settings) [2]evalSet {
	key := fmt.Sprint(s.Bits, s.MaxLen, s.Valid, s.Test, s.Batch, s.DataSeed)
	evalMu.Lock()
	defer evalMu.Unlock()
	if v, ok := evalCache[key]; ok {
		return v
	}
	var out [2]evalSet
	for k, n := range [2]int{s.Valid, s.Test} {
		r := rng.New(s.DataSeed, [2]string{"copy/valid", "copy/test"}[k])
		for lo := 0; lo < n; lo += s.Batch {
			lens := make([]int, min(s.Batch, n-lo))
			for i := range lens {
				lens[i] = 1 + r.IntN(s.MaxLen)
			}
			b := &Batch{}
			s.gen().Fill(b, lens, r)
			out[k] = append(out[k], b)
		}
	}
	evalCache[key] = out
	return out
}

// Metric names of the copy task.
const (
	TrainBPS    = "train_bps"     // bits per sequence (BCE summed over a sequence's targets, in bits), training mode, mean since the last evaluation
	ValidBPS    = "valid_bps"     // the same on the validation set, evaluation mode
	ValidBitErr = "valid_bit_err" // fraction of target bits wrong
	TestBPS     = "test_bps"
	TestBitErr  = "test_bit_err"
	LenBound    = "len_bound" // the curriculum's current upper bound on training lengths
)

// Run implements experiment.Task.
func (Task) Run(ctx context.Context, p experiment.Profile, spec experiment.RunSpec, cfg experiment.Config, progress func(float64)) (*experiment.Record, error) {
	s, err := settingsFor(p)
	if err != nil {
		return nil, err
	}
	return run(ctx, spec, cfg, s, progress)
}

// run trains on fresh sequences every update, drawn from the run's stream
// "copy/train" with lengths from the curriculum. The loss of an update is
// the binary cross-entropy of the target bits, averaged over them (the
// loss hooks see it in nats per bit; an uninformed predictor scores ln 2).
// Every EvalEvery updates the network is evaluated on the fixed validation
// and test sets.
func run(ctx context.Context, spec experiment.RunSpec, cfg experiment.Config, s Settings, progress func(float64)) (*experiment.Record, error) {
	gen := s.gen()
	r := rng.New(spec.Seed, "copy/train")
	lens := make([]int, s.Batch)
	draw := func(t int, b *Batch) {
		for i := range lens {
			lens[i] = s.Curriculum.Len((t-1)*s.Batch+i, s.MaxLen, r)
		}
		gen.Fill(b, lens, r)
	}
	return loop(ctx, spec, cfg, s, draw, progress)
}

// loop is run's training loop; draw lays out the batch of update t in b.
func loop(ctx context.Context, spec experiment.RunSpec, cfg experiment.Config, s Settings, draw func(t int, b *Batch), progress func(float64)) (*experiment.Record, error) {
	env := experiment.Env{Seed: spec.Seed, Updates: s.Updates, InitialLoss: math.Ln2}
	model, err := cfg.Build(s.arch(), spec.Hyper, spec.Options, env)
	if err != nil {
		return nil, fmt.Errorf("copy: %s: %w", cfg.Name(), err)
	}
	opt, err := s.optimizer()
	if err != nil {
		return nil, err
	}
	net := model.Net
	sets := evalSets(s)
	var b Batch
	var bce nn.SigmoidBCE[float32]
	var sum float64 // the last update's summed cross-entropy, in nats
	lr := spec.Hyper.Get("lr")
	loop := &train.Loop{
		Model: model, Opt: opt, Clip: s.Clip,
		Epochs: 1, PerEpoch: s.Updates, EvalEvery: s.EvalEvery,
		Batch: func(t int) { draw(t, &b) },
		LR:    func(int) float64 { return lr },
		Loss: func() float64 {
			var n int
			sum, n = forwardBackward(net, &bce, &b)
			return sum / float64(n)
		},
		// The curve's training cost is in bits per sequence.
		Running: func(loss float64) float64 {
			if math.IsNaN(loss) || math.IsInf(loss, 0) {
				return math.NaN()
			}
			return sum / math.Ln2 / float64(s.Batch)
		},
		RunningValues: func(v experiment.Values, mean float64) { v[TrainBPS] = experiment.Num(mean) },
		Extra: func(v experiment.Values, t int) {
			v[LenBound] = experiment.Num(s.Curriculum.UpperBound(t*s.Batch, s.MaxLen))
		},
		Measure: func(v experiment.Values, suf string, _ bool) {
			vb, ve := score(net, sets[0], &bce)
			tb, te := score(net, sets[1], &bce)
			v[ValidBPS+suf], v[ValidBitErr+suf] = experiment.Num(vb), experiment.Num(ve)
			v[TestBPS+suf], v[TestBitErr+suf] = experiment.Num(tb), experiment.Num(te)
		},
		Best: &train.Best{Judge: ValidBPS, Keep: []train.Kept{
			{Final: "best_valid_bps", Value: ValidBPS},
			{Final: "test_bit_err_at_best_valid", Value: TestBitErr},
		}},
		Target: &train.Target{Metric: ValidBitErr, Value: 0, Below: true},
	}
	return loop.Run(ctx, progress)
}

// forwardBackward is the forward and backward pass of an update on b: new
// sequences, the binary cross-entropy of the target bits back-propagated
// as their mean; it returns the summed cross-entropy and the number of
// target bits.
func forwardBackward(net nn.Layer[float32], bce *nn.SigmoidBCE[float32], b *Batch) (sum float64, n int) {
	nn.ResetState(net, len(b.Lens))
	sum, n, _ = bce.Forward(net.Forward(b.X, true), b.Y, b.Mask)
	net.Backward(bce.Backward(1 / float64(n)))
	return sum, n
}

// optimizer is the optimiser of a run.
func (s Settings) optimizer() (nn.Optimizer[float32], error) {
	switch s.Optimizer {
	case "adam":
		return nn.NewAdam[float32](), nil
	case "sgd":
		return &nn.SGD[float32]{}, nil
	}
	return nil, fmt.Errorf("copy: optimizer = %q, want adam or sgd", s.Optimizer)
}

// score returns the bits per sequence and the bit error of net on set, in
// evaluation mode.
func score(net nn.Layer[float32], set evalSet, bce *nn.SigmoidBCE[float32]) (bps, bitErr float64) {
	var sum float64
	var bits, wrong, seqs int
	for _, b := range set {
		nn.ResetState(net, len(b.Lens))
		s, n, w := bce.Forward(net.Forward(b.X, false), b.Y, b.Mask)
		sum += s
		bits += n
		wrong += w
		seqs += len(b.Lens)
	}
	return sum / math.Ln2 / float64(seqs), float64(wrong) / float64(bits)
}

// Cost implements experiment.Coster: multiply-adds of training (3 per weight
// per step) and evaluation, at the mean sequence length.
func (Task) Cost(p experiment.Profile) float64 {
	s, err := settingsFor(p)
	if err != nil {
		return 0
	}
	weights := 4*s.Hidden*(s.gen().In()+s.Hidden) + s.Hidden*s.Bits
	steps := float64(s.MaxLen + 2) // a batch runs to its longest sequence, ≈ 2·MaxLen+2; mean ≈ MaxLen+2
	trainSteps := 3 * float64(s.Updates*s.Batch) * 2 * steps
	evalSteps := float64(s.Updates/s.EvalEvery+1) * float64(s.Valid+s.Test) * 2 * steps
	return (trainSteps + evalSteps) * float64(weights)
}

// Report implements experiment.Reporter. The paper's main text has no copy
// task, so there is no claim to check; the table compares how fast and how
// well each configuration learns it.
func (Task) Report() experiment.ReportSpec {
	return experiment.ReportSpec{
		Metrics: []experiment.Metric{
			{Name: "test_bit_err_at_best_valid", Label: "test bit error (best valid)"},
			{Name: "best_valid_bps", Label: "best valid bits/sequence"},
			{Name: "updates_to_target", Label: "updates to zero valid bit error"},
		},
		Curve: ValidBitErr, CurveLabel: "validation bit error",
	}
}

// Settings implements experiment.Task.
func (Task) Settings(p experiment.Profile) (any, error) { return settingsFor(p) }

// FinalMetrics implements experiment.Finals.
func (Task) FinalMetrics() []string {
	return []string{"train_bps", "valid_bps", "valid_bit_err", "test_bps", "test_bit_err", "best_valid_bps", "best_valid_update", "test_bit_err_at_best_valid", "len_bound", experiment.UpdatesToTarget, experiment.ReachedTarget}
}
