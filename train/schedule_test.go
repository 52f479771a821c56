package train

import (
	"math"
	"strings"
	"testing"
)

func TestLRStepDecay(t *testing.T) {
	s := Settings{Epochs: 8, LRDecayEpochs: []int{4, 6}, LRDecayFactor: 0.1}
	const perEpoch = 10
	for _, c := range []struct {
		t    int
		want float64
	}{
		{1, 0.1}, {40, 0.1}, // epochs 0..3
		{41, 0.01}, {60, 0.01}, // epochs 4..5
		{61, 0.001}, {80, 0.001}, // epochs 6..7
	} {
		if got := s.LR(0.1, c.t, perEpoch); math.Abs(got-c.want) > 1e-15 {
			t.Errorf("update %d: lr %v, want %v", c.t, got, c.want)
		}
	}
	if got := (Settings{}).LR(0.3, 1000, 7); got != 0.3 {
		t.Errorf("no decay epochs: lr %v, want 0.3 exactly", got)
	}
}

func TestValidateSchedule(t *testing.T) {
	base := Settings{Epochs: 10, Batch: 4, Optimizer: "sgd"}
	for _, c := range []struct {
		epochs []int
		factor float64
		field  string
	}{
		{[]int{5}, 0, "lr_decay_factor"},
		{[]int{5}, 1, "lr_decay_factor"},
		{[]int{0}, 0.1, "lr_decay_epochs"},
		{[]int{10}, 0.1, "lr_decay_epochs"},
		{[]int{6, 5}, 0.1, "lr_decay_epochs"},
	} {
		s := base
		s.LRDecayEpochs, s.LRDecayFactor = c.epochs, c.factor
		err := s.Validate()
		if err == nil || !strings.Contains(err.Error(), c.field) {
			t.Errorf("%v × %v: error %v, want one naming %s", c.epochs, c.factor, err, c.field)
		}
	}
	s := base
	s.LRDecayEpochs, s.LRDecayFactor = []int{5, 8}, 0.1
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
}
