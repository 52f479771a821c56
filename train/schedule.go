package train

import (
	"fmt"
	"math/rand/v2"
)

// LR is the learning rate of update t (1-based) for a run with base rate lr
// and perEpoch updates per epoch: lr·LRDecayFactor^k, where k is the number
// of LRDecayEpochs that are at most the 0-based epoch of update t. So the
// stochastic-depth recipe's "0.1, then 0.01 at epoch 250 and 0.001 at 375"
// is lr = 0.1, LRDecayEpochs = [250, 375], LRDecayFactor = 0.1, and epochs
// 0..249 run at 0.1. Without decay epochs it returns lr itself.
func (s Settings) LR(lr float64, t, perEpoch int) float64 {
	epoch := (t - 1) / perEpoch
	for _, e := range s.LRDecayEpochs {
		if epoch >= e {
			lr *= s.LRDecayFactor
		}
	}
	return lr
}

func (s Settings) validateSchedule() error {
	if len(s.LRDecayEpochs) == 0 {
		return nil
	}
	if !(s.LRDecayFactor > 0 && s.LRDecayFactor < 1) {
		return fmt.Errorf("lr_decay_factor = %v, want a factor in (0, 1) with lr_decay_epochs %v", s.LRDecayFactor, s.LRDecayEpochs)
	}
	for i, e := range s.LRDecayEpochs {
		if e <= 0 || e >= s.Epochs || (i > 0 && e <= s.LRDecayEpochs[i-1]) {
			return fmt.Errorf("lr_decay_epochs = %v, want increasing epochs in [1, %d)", s.LRDecayEpochs, s.Epochs)
		}
	}
	return nil
}

// Augmenter transforms a training example (data augmentation). Augment
// writes the transformed src into dst (same length), drawing what it needs
// from r; it must draw the same number of values whatever the data, so that
// the stream stays a function of the seed alone.
type Augmenter interface {
	Augment(dst, src []float32, r *rand.Rand)
}
