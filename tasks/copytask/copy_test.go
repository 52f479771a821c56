package copytask

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"testing"

	"github.com/mollifying/mollify/baselines"
	"github.com/mollifying/mollify/experiment"
)

func TestGeneratorLayout(t *testing.T) {
	g := Generator{Bits: 3, MaxLen: 4}
	var b Batch
	lens := []int{2, 4, 1}
	g.Fill(&b, lens, rand.New(rand.NewPCG(1, 1)))
	const batch = 3
	if b.X.Rows != (2*4+2)*batch || b.X.Cols != 5 || b.Y.Cols != 3 {
		t.Fatalf("shapes %v %v", b.X, b.Y)
	}
	for s, n := range lens {
		if b.X.Row(s)[3] != 1 || b.X.Row((n+1)*batch + s)[4] != 1 {
			t.Fatalf("sequence %d: delimiters missing", s)
		}
		targets := 0
		for step := range 10 {
			row := step*batch + s
			if b.Mask[row] {
				targets++
				src := b.X.Row((step-n-1)*batch + s)
				for j := range 3 {
					if b.Y.Row(row)[j] != src[j] {
						t.Fatalf("sequence %d step %d: target %v, input was %v", s, step, b.Y.Row(row), src)
					}
				}
			} else {
				for _, v := range b.Y.Row(row) {
					if v != 0 {
						t.Fatalf("sequence %d step %d: unmasked target %v", s, step, b.Y.Row(row))
					}
				}
			}
			if step > n+1 {
				for _, v := range b.X.Row(row) {
					if v != 0 {
						t.Fatalf("sequence %d step %d: input after EOS", s, step)
					}
				}
			}
		}
		if targets != n {
			t.Fatalf("sequence %d: %d target steps, want %d", s, targets, n)
		}
	}
}

func TestCurriculum(t *testing.T) {
	c := Curriculum{Start: 0.5, Slope: 0.01, Long: 0.1}
	if c.UpperBound(0, 20) != 10 || c.UpperBound(500, 20) != 15 || c.UpperBound(5000, 20) != 20 {
		t.Fatalf("upper bounds %d %d %d", c.UpperBound(0, 20), c.UpperBound(500, 20), c.UpperBound(5000, 20))
	}
	r := rand.New(rand.NewPCG(2, 2))
	long := 0
	for range 10000 {
		n := c.Len(0, 20, r)
		if n < 1 || n > 20 || (n > 10 && n < 18) {
			t.Fatalf("length %d at the start of the curriculum", n)
		}
		if n >= 18 {
			long++
		}
	}
	if long < 800 || long > 1200 {
		t.Fatalf("%d long examples of 10000, want ≈ 1000", long)
	}
}

// TestRunLearnsAndIsDeterministic trains the plain LSTM on very short
// sequences: the bit error must fall well below chance, and a second run of
// the same spec must give the same record.
func TestRunLearnsAndIsDeterministic(t *testing.T) {
	s, err := settingsFor(experiment.MustBuiltin("quick"))
	if err != nil {
		t.Fatal(err)
	}
	s.Bits, s.MaxLen, s.Hidden, s.Updates, s.EvalEvery = 2, 2, 16, 300, 100
	spec := experiment.RunSpec{Task: "copy", Profile: "test", Config: "baseline", Seed: 3, Hyper: experiment.Hyper{"lr": 0.02}}
	var out [2][]byte
	var rec *experiment.Record
	for i := range out {
		rec, err = run(context.Background(), spec, baselines.Baseline{}, s, nil)
		if err != nil {
			t.Fatal(err)
		}
		out[i], _ = json.Marshal(rec)
	}
	if string(out[0]) != string(out[1]) {
		t.Fatal("two runs of the same spec differ")
	}
	e0, e := float64(rec.Curve[0].Values[ValidBitErr]), float64(rec.Final[ValidBitErr])
	t.Logf("valid bit error %v → %v", e0, e)
	if e > 0.2 {
		t.Fatalf("valid bit error %v → %v: not learning", e0, e)
	}
}

func TestProfiles(t *testing.T) {
	for _, p := range (Task{}).Profiles() {
		s, err := settingsFor(experiment.MustBuiltin(p))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.arch().Validate(); err != nil {
			t.Fatal(err)
		}
	}
}
