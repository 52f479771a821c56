package experiment

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Schema is the version of the result-file layout. Bumping it invalidates
// every cached result, which is what a change of meaning requires.
const Schema = 1

// Phase separates tuning runs from the final runs that tables report.
type Phase string

// The phases of a sweep.
const (
	Tune  Phase = "tune"
	Final Phase = "final"
)

// RunSpec is everything a run depends on besides the code.
type RunSpec struct {
	Schema  int    `json:"schema"`
	Task    string `json:"task"`
	Profile string `json:"profile"`
	Config  string `json:"config"`
	Phase   Phase  `json:"phase"`
	// Settings fingerprints the task's settings for the profile (see
	// [Fingerprint]).
	Settings string  `json:"settings"`
	Seed     uint64  `json:"seed"`
	Hyper    Hyper   `json:"hyper"`
	Options  Options `json:"options"`
	// Trial is the tuning trial index (0 for final runs).
	Trial int `json:"trial"`
}

// Hash is a stable identifier of the spec: the first 16 hex digits of the
// SHA-256 of its JSON encoding (map keys are sorted by encoding/json, so the
// encoding is canonical).
func (s RunSpec) Hash() string {
	b, err := json.Marshal(s)
	if err != nil {
		panic("experiment: cannot encode run spec: " + err.Error())
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}

// String is a short human name, e.g. "parity/mollified final seed 3".
func (s RunSpec) String() string {
	if s.Phase == Tune {
		return fmt.Sprintf("%s/%s tune#%d seed %d [%v]", s.Task, s.Config, s.Trial, s.Seed, s.Hyper)
	}
	return fmt.Sprintf("%s/%s %s seed %d", s.Task, s.Config, s.Phase, s.Seed)
}

// Num is a float64 that survives JSON when it is not finite (a diverged
// loss): NaN and ±Inf are written as the strings "NaN", "+Inf", "-Inf".
type Num float64

// MarshalJSON implements json.Marshaler.
func (n Num) MarshalJSON() ([]byte, error) {
	f := float64(n)
	switch {
	case math.IsNaN(f):
		return []byte(`"NaN"`), nil
	case math.IsInf(f, 1):
		return []byte(`"+Inf"`), nil
	case math.IsInf(f, -1):
		return []byte(`"-Inf"`), nil
	}
	return strconv.AppendFloat(nil, f, 'g', -1, 64), nil
}

// UnmarshalJSON implements json.Unmarshaler.
func (n *Num) UnmarshalJSON(b []byte) error {
	switch string(b) {
	case `"NaN"`:
		*n = Num(math.NaN())
		return nil
	case `"+Inf"`:
		*n = Num(math.Inf(1))
		return nil
	case `"-Inf"`:
		*n = Num(math.Inf(-1))
		return nil
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return fmt.Errorf("experiment: bad number %s", b)
	}
	*n = Num(f)
	return nil
}

// Values is a set of named measurements.
type Values map[string]Num

// Point is one evaluation during training.
type Point struct {
	// Update is the number of parameter updates made so far.
	Update int `json:"update"`
	// Epoch is Update measured in passes over the training set.
	Epoch  float64 `json:"epoch"`
	Values Values  `json:"values"`
}

// Record is the deterministic outcome of a run: everything in it is a
// function of the spec and the code, so two executions of the same spec
// produce the same bytes.
type Record struct {
	Spec RunSpec `json:"spec"`
	// Hash is Spec.Hash(), the run's identity (and its file name).
	Hash string `json:"hash"`
	// Settings are the task's resolved training settings (sizes, epochs,
	// optimiser), recorded for the reader; they follow from the spec.
	Settings any `json:"settings"`
	// Params is the number of trainable scalars.
	Params int `json:"params"`
	// Updates is the number of updates made (fewer than planned if the run
	// diverged).
	Updates int     `json:"updates"`
	Curve   []Point `json:"curve"`
	// Final holds the run's summary metrics (see the task's docs).
	Final Values `json:"final"`
	// Diverged is set when the training loss became NaN or infinite; the
	// run stopped there.
	Diverged bool `json:"diverged"`
}

// AnnealStop names the final value of a run whose configuration anneals
// towards the original network (mollified): the update at which annealing
// stopped, 0 when it did not stop within the run's budget. Configurations
// whose annealing cannot stop (a schedule told never to stop) do not
// record it.
const AnnealStop = "anneal_stop"

// UpdatesToTarget and ReachedTarget name the final values of a run with a
// target (a validation or training metric to reach): the update at which it
// was first reached, or the budget + 1 when it was not, and 1 or 0.
const (
	UpdatesToTarget = "updates_to_target"
	ReachedTarget   = "reached_target"
)

// Eligible reports whether tuning may choose the run's point: the run did
// not diverge and, if it records [AnnealStop], its annealing stopped within
// the budget. A mollified run still partly mollified at its end has not
// delivered the network the method promises (the original one, p = 0), so
// its scores are not those of the method (paper/TUNING.md §1).
func (r *Record) Eligible() bool {
	if r.Diverged {
		return false
	}
	if v, ok := r.Final[AnnealStop]; ok && v == 0 {
		return false
	}
	return true
}

// MeanSuffix ends the name of a score derived from a curve: "X_mean" is
// the mean of X over a run's evaluation points after update 0, that is the
// area under X's curve over the budget divided by the budget when the
// points are evenly spaced. Selecting on it rewards reaching a value early
// as well as the value reached (paper/TUNING.md §1): the metric of a claim
// about convergence speed.
const MeanSuffix = "_mean"

// Score returns the value of a selection metric: a final metric, or a
// curve's mean (see [MeanSuffix]) when the run records no final metric of
// that name. ok is false when the run has neither.
func (r *Record) Score(metric string) (v float64, ok bool) {
	if x, has := r.Final[metric]; has {
		return float64(x), true
	}
	base, derived := strings.CutSuffix(metric, MeanSuffix)
	if !derived {
		return 0, false
	}
	var sum float64
	n := 0
	for _, p := range r.Curve {
		if x, has := p.Values[base]; has && p.Update > 0 {
			sum += float64(x)
			n++
		}
	}
	if n == 0 {
		return 0, false
	}
	return sum / float64(n), true
}

// Series returns the curve of one value, skipping points that lack it.
func (r *Record) Series(name string) (updates []int, values []float64) {
	for _, p := range r.Curve {
		if v, ok := p.Values[name]; ok {
			updates = append(updates, p.Update)
			values = append(values, float64(v))
		}
	}
	return updates, values
}

// Fingerprint identifies a value by the first 16 hex digits of the SHA-256
// of its JSON encoding.
func Fingerprint(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8]), nil
}
