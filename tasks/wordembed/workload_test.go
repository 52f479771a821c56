package wordembed

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/mollifying/mollify/baselines"
	"github.com/mollifying/mollify/experiment"
	"github.com/mollifying/mollify/mollified"
	"github.com/mollifying/mollify/nn"
	"github.com/mollifying/mollify/tasks/ptb"
)

// TestShapeOfTheData checks the constants the workload states against the
// profiles' word sets. The split does not depend on the target vectors, so
// the words are built with stand-in vectors (no SGNS training).
func TestShapeOfTheData(t *testing.T) {
	tx, err := ptb.Load(ptb.Dir())
	if err != nil {
		t.Fatal(err)
	}
	_, vocab, err := ptb.WordCorpus(tx)
	if err != nil {
		t.Fatal(err)
	}
	if len(vocab)-2 != vocabWords {
		t.Fatalf("%d usable words, vocabWords = %d", len(vocab)-2, vocabWords)
	}
	for _, p := range (Task{}).Profiles() {
		s, _ := settingsFor(experiment.MustBuiltin(p))
		vec := &Vectors{Dim: 3, W: make([]float64, 3*len(vocab))}
		for i := range vec.W {
			vec.W[i] = float64(i%5) + 0.5
		}
		d := build(vocab, vec, s)
		batches, length := s.shape()
		var lenSum int
		for _, g := range d.Groups {
			lenSum += len(d.Train[g[0]].Chars) * ((len(g) + s.Batch - 1) / s.Batch)
		}
		per := updates(s, d) / s.Epochs
		if per != batches || int(math.Round(float64(lenSum)/float64(per))) != length {
			t.Errorf("%s: %d batches per epoch of mean length %.2f; the constants say %d and %d", p, per, float64(lenSum)/float64(per), batches, length)
		}
		if got := [3]int{len(d.Train), len(d.Valid), len(d.Test)}; got != s.splitSizes() {
			t.Errorf("%s: splits of %v words, splitSizes says %v", p, got, s.splitSizes())
		}
		w, err := Task{}.Workload(experiment.MustBuiltin(p))
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Validate(); err != nil || w.Updates() != updates(s, d) {
			t.Errorf("%s: workload of %d updates (%v), the data make %d", p, w.Updates(), err, updates(s, d))
		}
	}
}

// tinyData is a word set whose training words all have one length, so
// that an epoch is one batch of all of them.
func tinyData(s Settings, n int) *Data {
	r := rand.New(rand.NewPCG(5, 6))
	d := &Data{Train: randomWords(s, n, 4, r), Valid: randomWords(s, 3, 3, r), Test: randomWords(s, 2, 5, r)}
	g := make([]int, n)
	for i := range g {
		g[i] = i
	}
	d.Groups = [][]int{g}
	d.Chars = make([]string, QuickChars)
	return d
}

// TestStepMatchesLoop trains the same model with Step on a fixed batch and
// with the run's loop on a training set that is that batch: the loop sees
// the words in a shuffled order, so the sums differ in rounding only. The
// mollified network draws its noise and skips per row in row order, so
// that the shuffle would give them to other words: under it the batch
// repeats one word.
func TestStepMatchesLoop(t *testing.T) {
	s, _ := settingsFor(experiment.MustBuiltin("quick"))
	s.Epochs, s.TrainEval = 4, 5
	arch := s.arch(QuickChars)
	for _, cfg := range []experiment.Config{baselines.Baseline{}, baselines.Noisy{}, baselines.Anneal{}, mollified.Config{}} {
		t.Run(cfg.Name(), func(t *testing.T) {
			d := tinyData(s, s.Batch)
			if cfg.Name() == "mollified" {
				for i := range d.Train {
					d.Train[i] = d.Train[0]
				}
			}
			b, err := Task{}.StepBatch(experiment.MustBuiltin("quick"), 1, rand.New(rand.NewPCG(1, 1)))
			if err != nil {
				t.Fatal(err)
			}
			b.Steps = 4
			fill(b.X, b.Y, d.Train, d.Groups[0])
			h := experiment.Hyper{"lr": 0.01}
			for _, ax := range cfg.Space(experiment.MustBuiltin("quick"), arch) {
				h[ax.Name] = ax.Values[0]
			}
			o, err := experiment.ResolveOptions(cfg.Options(), nil)
			if err != nil {
				t.Fatal(err)
			}
			spec := experiment.RunSpec{Task: "wordembed", Profile: "test", Config: cfg.Name(), Seed: 2, Hyper: h, Options: o}
			var loopNet nn.Layer[float32]
			if _, err := run(context.Background(), spec, capture{cfg, &loopNet}, s, d, nil); err != nil {
				t.Fatal(err)
			}
			build := func() *experiment.Model {
				m, err := cfg.Build(arch, h, o, experiment.Env{Seed: spec.Seed, Updates: s.Epochs, InitialLoss: 0.5})
				if err != nil {
					t.Fatal(err)
				}
				return m
			}
			m := build()
			step, err := s.step(m, 0.01, 1, b)
			if err != nil {
				t.Fatal(err)
			}
			for range s.Epochs {
				step()
			}
			got, want := m.Net.Params(), loopNet.Params()
			for i := range got {
				for j := range got[i].Value {
					g, w := float64(got[i].Value[j]), float64(want[i].Value[j])
					if math.Abs(g-w) > 1e-4*(1+math.Abs(w)) {
						t.Fatalf("%s[%d] = %v after Step, %v after the loop", got[i].Name, j, g, w)
					}
				}
			}
			var moved float64
			for i, p := range build().Net.Params() {
				for j, v := range p.Value {
					moved = max(moved, math.Abs(float64(v)-float64(got[i].Value[j])))
				}
			}
			if moved < 1e-3 {
				t.Fatalf("%d updates moved no weight by more than %g", s.Epochs, moved)
			}
		})
	}
}

// capture is a configuration that builds as its Config does and keeps the
// network it built.
type capture struct {
	experiment.Config
	net *nn.Layer[float32]
}

func (c capture) Build(a experiment.Arch, h experiment.Hyper, o experiment.Options, env experiment.Env) (*experiment.Model, error) {
	m, err := c.Config.Build(a, h, o, env)
	if err == nil {
		*c.net = m.Net
	}
	return m, err
}

// TestWorkloadMatchesRun checks the counts of the workload against a run.
func TestWorkloadMatchesRun(t *testing.T) {
	s, _ := settingsFor(experiment.MustBuiltin("quick"))
	s.Epochs, s.Batch, s.EvalEvery, s.TrainEval = 3, 4, 5, 3
	d := tinyData(s, 10) // one length group of 10 words: 3 batches per epoch
	w := s.workload(3)
	spec := experiment.RunSpec{Task: "wordembed", Profile: "test", Config: "baseline", Seed: 2, Hyper: experiment.Hyper{"lr": 0.01}}
	rec, err := run(context.Background(), spec, baselines.Baseline{}, s, d, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Updates != w.Updates() || len(rec.Curve) != w.Evaluations() {
		t.Fatalf("run made %d updates and %d evaluations, Workload says %d and %d", rec.Updates, len(rec.Curve), w.Updates(), w.Evaluations())
	}
}
