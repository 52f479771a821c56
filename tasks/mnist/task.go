package mnist

import (
	"context"
	"fmt"

	"github.com/mollifying/mollify/experiment"
	"github.com/mollifying/mollify/memo"
	"github.com/mollifying/mollify/nn"
	"github.com/mollifying/mollify/train"
)

// Settings are the task's sizes and training settings for a profile.
type Settings struct {
	// Split is the number of training, validation and test examples: the
	// first Split[0] of the official training set's first 50,000, the first
	// Split[1] of its last 10,000, and the first Split[2] of the official
	// test set.
	Split  [3]int  `json:"split"`
	Hidden []int   `json:"hidden"`
	Act    nn.Kind `json:"activation"`
	Init   nn.Init `json:"init"`
	train.Settings
}

// Official sizes and the paper profile's split of the training set.
const (
	officialTrain = 60000
	officialTest  = 10000
	trainPart     = 50000 // the rest of the official training set validates
)

// Task is deep MNIST with one hidden activation: a 20-layer MLP of 256 units
// that plain SGD finds hard to train when the units saturate.
type Task struct {
	// Act is nn.Tanh or nn.Sigmoid.
	Act nn.Kind
}

// The two registered variants.
var (
	Tanh    = Task{Act: nn.Tanh}
	Sigmoid = Task{Act: nn.Sigmoid}
)

var (
	_ experiment.Task     = Task{}
	_ experiment.Reporter = Task{}
	_ experiment.Coster   = Task{}
)

// defs are the task's built-in profiles.
func (t Task) defs() map[string]experiment.Definition[Settings] {
	common := func() Settings {
		return Settings{
			Act: t.Act, Init: nn.Glorot,
			Settings: train.Settings{Optimizer: "sgd", Momentum: 0.9, Batch: 100},
		}
	}
	// 10 epochs (5,000 updates): the deep sigmoid network's difficulty and
	// the mollified network's annealing both show within them
	// (paper/PROTOCOL.md), at a fifth of the cost of 50.
	paper := common()
	paper.Split = [3]int{trainPart, officialTrain - trainPart, officialTest}
	paper.Epochs = 10
	paper.EvalEvery = 250
	paper.TrainEval = 10000
	paper.EvalSubset = 2000
	paper.Hidden = layers(20, 256)
	// A first look within the CPU budget: the first 3000 training, 1000
	// validation and 1000 test images, the same depth of 20 at width 32, 5
	// epochs (150 updates).
	quick := common()
	quick.Split = [3]int{3000, 1000, 1000}
	quick.Epochs = 5
	quick.TrainEval = 1000
	quick.Hidden = layers(20, 32)
	sel := experiment.Selector{Metric: "best_valid_acc", Maximize: true}
	lr := []float64{0.003, 0.01, 0.03, 0.1, 0.3, 1}
	return map[string]experiment.Definition[Settings]{
		experiment.Quick: {Settings: quick, Sweep: experiment.Sweep{Seeds: []uint64{1, 2}, TuneSeeds: []uint64{101}, LR: []float64{0.03, 0.1}, Budget: 2, Select: sel}},
		experiment.Paper: {Settings: paper, Sweep: experiment.Sweep{
			Seeds: []uint64{1, 2, 3, 4, 5}, TuneSeeds: experiment.TuneSeeds,
			LR: lr, Budget: len(lr), Select: sel,
		}},
	}
}

func layers(depth, width int) []int {
	h := make([]int, depth)
	for i := range h {
		h[i] = width
	}
	return h
}

// definitions resolves the variant's profiles.
func (t Task) definitions() experiment.Defined[Settings] {
	return experiment.Defined[Settings]{Task: t.Name(), Defs: t.defs, Complete: func(s Settings) (Settings, error) {
		if s.Act != nn.Tanh && s.Act != nn.Sigmoid {
			return s, fmt.Errorf("activation %v, want tanh or sigmoid", s.Act)
		}
		return s, nil
	}}
}

func (t Task) settings(p experiment.Profile) (Settings, error) { return t.definitions().Settings(p) }

func (s Settings) arch() *experiment.MLP {
	return &experiment.MLP{In: Pixels, Hidden: s.Hidden, Out: 10, Act: s.Act, Init: s.Init}
}

// Name implements experiment.Task: "mnist-tanh" or "mnist-sigmoid".
func (t Task) Name() string { return "mnist-" + t.Act.String() }

// Summary implements experiment.Task.
func (t Task) Summary() string {
	return fmt.Sprintf("MNIST 50k/10k/10k, 20-layer %v MLP of 256 units, SGD with momentum, 10 epochs (deep MLP the paper targets; not in its main text)", t.Act)
}

// Profiles implements experiment.Task.
func (t Task) Profiles() []string { return t.definitions().Profiles() }

// Sweep implements experiment.Task. Tuning maximises the best validation
// accuracy.
func (t Task) Sweep(p experiment.Profile) (experiment.Sweep, error) { return t.definitions().Sweep(p) }

// Arch implements experiment.Task.
func (t Task) Arch(p experiment.Profile) (experiment.Arch, error) {
	s, err := t.settings(p)
	if err != nil {
		return nil, err
	}
	return s.arch(), nil
}

// Run implements experiment.Task.
func (t Task) Run(ctx context.Context, p experiment.Profile, spec experiment.RunSpec, cfg experiment.Config, progress func(float64)) (*experiment.Record, error) {
	s, err := t.settings(p)
	if err != nil {
		return nil, err
	}
	data, err := cachedData(s.Split)
	if err != nil {
		return nil, err
	}
	return train.RunTask(ctx, spec, cfg, s.arch(), data, s.Settings, s, progress)
}

// CheckData implements experiment.DataChecker: it finds and reads the
// MNIST files (kept for the runs).
func (Task) CheckData(experiment.Profile) error {
	_, err := loadOfficial()
	return err
}

// loadOfficial reads the files once per process and folder (the folder
// depends on $MOLLIFY_MNIST_DIR).
func loadOfficial() ([2]*Set, error) {
	dir, err := Dir()
	if err != nil {
		return [2]*Set{}, err
	}
	return officialSets.Get(dir, func() ([2]*Set, error) {
		tr, te, err := Load(dir)
		return [2]*Set{tr, te}, err
	})
}

var officialSets memo.Map[string, [2]*Set]

var cache memo.Map[[3]int, *train.Data]

// cachedData returns the splits of the given sizes, built once per process.
func cachedData(split [3]int) (*train.Data, error) {
	return cache.Get(split, func() (*train.Data, error) {
		sets, err := loadOfficial()
		if err != nil {
			return nil, err
		}
		return Splits(sets[0], sets[1], split)
	})
}

// Splits cuts the official sets into training (the first sizes[0] of
// examples 0..49,999 of the official training set), validation (the first
// sizes[1] of examples 50,000..59,999) and test (the first sizes[2] of the
// official test set), with pixels scaled to [0, 1].
func Splits(official, test *Set, sizes [3]int) (*train.Data, error) {
	valid := official.N() - trainPart
	if official.N() != officialTrain || test.N() != officialTest {
		return nil, fmt.Errorf("mnist: sets of %d and %d examples, want %d and %d", official.N(), test.N(), officialTrain, officialTest)
	}
	limits := [3]int{trainPart, valid, test.N()}
	for i, n := range sizes {
		if n <= 0 || n > limits[i] {
			return nil, fmt.Errorf("mnist: split %d has size %d, want 1..%d", i, n, limits[i])
		}
	}
	return &train.Data{
		Train:   split(official, 0, sizes[0]),
		Valid:   split(official, trainPart, sizes[1]),
		Test:    split(test, 0, sizes[2]),
		Classes: 10,
	}, nil
}

func split(s *Set, from, n int) train.Split {
	x := nn.NewMat[float32](n, Pixels)
	y := make([]int32, n)
	for i := range n {
		row := x.Row(i)
		for j, p := range s.Image(from + i) {
			row[j] = float32(p) / 255
		}
		y[i] = int32(s.Labels[from+i])
	}
	return train.Split{X: x, Y: y}
}

// Cost implements experiment.Coster.
func (t Task) Cost(p experiment.Profile) float64 {
	s, err := t.settings(p)
	if err != nil {
		return 0
	}
	return s.MLPCost(s.arch(), s.Split)
}

// Report implements experiment.Reporter. The paper makes no MNIST claim in its
// main text, so the report lists measurements only. The deep sigmoid
// network is the one whose plain form is stuck early in training (paper/
// PROTOCOL.md), so its sanity gate requires the mollified network to lead.
func (t Task) Report() experiment.ReportSpec {
	return experiment.ReportSpec{
		Metrics: []experiment.Metric{
			{Name: "test_acc_at_best_valid", Label: "test acc (best valid)", HigherBetter: true},
			{Name: train.TestAcc, Label: "final test acc", HigherBetter: true},
			{Name: train.TrainEvalLoss, Label: "final train loss"},
			{Name: "best_valid_acc", Label: "best valid acc", HigherBetter: true},
		},
		Curve: train.TrainEvalLoss, CurveLabel: "training loss (evaluation mode)", LogY: true,
		Curve2: train.ValidAcc, Curve2Label: "validation accuracy",
		PlainStuck: t.Act == nn.Sigmoid,
	}
}

// Settings implements experiment.Task.
func (t Task) Settings(p experiment.Profile) (any, error) { return t.settings(p) }

// FinalMetrics implements experiment.Finals.
func (Task) FinalMetrics() []string {
	return train.ClassifyFinals()
}
