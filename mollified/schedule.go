package mollified

import (
	"fmt"
	"math"
	"strconv"

	"github.com/mollifying/mollify/experiment"
)

// StopMode is what happens when the expected number of skipped layers
// Σ_l p^l falls below δ (Sec. 7; paper/PROTOCOL.md choice 5).
type StopMode int

// Stop modes.
const (
	// StopZero ends annealing: p = 0 from then on, the original network.
	StopZero StopMode = iota
	// StopFreeze keeps p at the values it had when the threshold was met.
	StopFreeze
	// StopNever keeps following Eq. 29.
	StopNever
)

// Target is a layer whose p the schedule sets.
type Target interface {
	SetP(p float64)
}

// Schedule is the loss-driven annealing of Eq. 29:
//
//	p_t^l = 1 − exp(−k·v_t·l / (t·L))
//
// for hidden layer l = 1..L at update t = 1, 2, ..., with v_t an exponential
// moving average of the minibatch training loss. The p used at update t is
// computed from the average of the losses of updates 1..t−1; before any
// update the average is V0, the loss of an uninformed predictor.
type Schedule struct {
	// K is the k of Eq. 29.
	K float64
	// Decay is the moving-average weight of the past (0.99).
	Decay float64
	// Delta is the stop threshold δ on Σ_l p^l.
	Delta float64
	Stop  StopMode
	// Layers are the targets, lowest first: layer index l = position + 1.
	Layers []Target

	v         float64
	p         []float64
	stoppedAt int
}

// NewSchedule returns the schedule for the given layers with the loss average
// started at v0.
func NewSchedule(k, decay, delta, v0 float64, stop StopMode, layers []Target) *Schedule {
	if k < 0 || decay < 0 || decay >= 1 || delta < 0 || v0 < 0 {
		panic(fmt.Sprintf("mollified: bad schedule k=%v decay=%v delta=%v v0=%v", k, decay, delta, v0))
	}
	s := &Schedule{K: k, Decay: decay, Delta: delta, Stop: stop, Layers: layers, v: v0, p: make([]float64, len(layers))}
	for l := range s.p {
		// What update 1 will use, so that a trace before training shows it.
		s.p[l] = PAt(k, v0, 1, l+1, len(layers))
	}
	return s
}

// PAt evaluates Eq. 29 for layer l (1-based) of L at update t with loss
// average v.
func PAt(k, v float64, t, l, L int) float64 {
	if t < 1 || l < 1 || l > L {
		panic(fmt.Sprintf("mollified: Eq. 29 needs t ≥ 1 and 1 ≤ l ≤ L, got t=%d l=%d L=%d", t, l, L))
	}
	return -math.Expm1(-k * v * float64(l) / (float64(t) * float64(L)))
}

// V is the current loss average v_t.
func (s *Schedule) V() float64 { return s.v }

// StoppedAt is the update at which annealing stopped, or 0.
func (s *Schedule) StoppedAt() int { return s.stoppedAt }

// P returns the p of each layer set by the last StartStep.
func (s *Schedule) P() []float64 { return s.p }

// StartStep implements bench.StepStarter: it computes p for update t and
// sets it on every layer.
func (s *Schedule) StartStep(t int) {
	L := len(s.Layers)
	if s.stoppedAt == 0 {
		var sum float64
		for l := range L {
			s.p[l] = PAt(s.K, s.v, t, l+1, L)
			sum += s.p[l]
		}
		if s.Stop != StopNever && sum < s.Delta {
			s.stoppedAt = t
			if s.Stop == StopZero {
				clear(s.p)
			}
		}
	}
	for l, layer := range s.Layers {
		layer.SetP(s.p[l])
	}
}

// UseOriginal implements experiment.Originaler: it switches every target's
// evaluation to the original network (p = 0) or back to its configured
// mode, and reports whether the original differs from the network being
// trained, which it does while some p^l > 0.
func (s *Schedule) UseOriginal(on bool) bool {
	for _, l := range s.Layers {
		if o, ok := l.(originalSetter); ok {
			o.setOriginal(on)
		}
	}
	for _, p := range s.p {
		if p > 0 {
			return true
		}
	}
	return false
}

// ObserveLoss implements bench.LossObserver: v ← decay·v + (1−decay)·loss.
func (s *Schedule) ObserveLoss(_ int, loss float64) {
	s.v = s.Decay*s.v + (1-s.Decay)*loss
}

// TraceStop names the traced update at which annealing stopped (Σ_l p^l
// fell below δ), 0 while it has not; the run's final value says whether and
// when annealing ended within the budget. A schedule that never stops
// (StopNever) does not trace it.
const TraceStop = experiment.AnnealStop

// Trace implements experiment.Tracer: p per layer ("p1" ... "pL"), their
// sum, the loss average, and the update at which annealing stopped.
func (s *Schedule) Trace(add func(string, float64)) {
	var sum float64
	for l, p := range s.p {
		add("p"+strconv.Itoa(l+1), p)
		sum += p
	}
	add("p_sum", sum)
	add("v", s.v)
	if s.Stop != StopNever {
		add(TraceStop, float64(s.stoppedAt))
	}
}

// CalibrateK returns the k of Eq. 29 for which Σ_l p^l falls to δ exactly at
// update tStop when the loss average stays at v. Since p^l ≈ k·v·l/(t·L) for
// large t, the sum falls like 1/t: stopping needs t ≈ k·v·(L+1)/(2δ), which
// is why k is set from the stop time rather than from the time p^L reaches
// 1/2 (paper/METHOD.md §5), which leaves annealing unfinished for ~8 times as
// long.
func CalibrateK(tStop float64, layers int, delta, v float64) float64 {
	if tStop < 1 || layers < 1 || delta <= 0 || delta >= float64(layers) || v <= 0 {
		panic(fmt.Sprintf("mollified: cannot calibrate k for tStop=%v L=%d δ=%v v=%v", tStop, layers, delta, v))
	}
	sum := func(k float64) float64 {
		var s float64
		for l := 1; l <= layers; l++ {
			s += -math.Expm1(-k * v * float64(l) / (tStop * float64(layers)))
		}
		return s
	}
	lo, hi := 0.0, 1.0
	for sum(hi) < delta {
		hi *= 2
	}
	for range 200 {
		mid := (lo + hi) / 2
		if sum(mid) < delta {
			lo = mid
		} else {
			hi = mid
		}
	}
	return (lo + hi) / 2
}
