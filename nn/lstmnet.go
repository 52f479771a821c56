package nn

import (
	"fmt"
	"math/rand/v2"
)

// LSTMNetSpec describes a recurrent network: an input stage, a stack of LSTM
// layers, optionally a reduction of each sequence to its final state, and a
// linear output layer.
type LSTMNetSpec struct {
	// Vocab > 0 makes the inputs token ids (one column, see [Embedding])
	// embedded in Embed dimensions; otherwise they are In-wide vectors.
	Vocab int `json:"vocab,omitempty"`
	Embed int `json:"embed,omitempty"`
	In    int `json:"in,omitempty"`
	// Hidden is the width of each LSTM layer, lowest first.
	Hidden []int `json:"hidden"`
	// Bidirectional makes every layer a [Bidirectional] pair of Hidden[l]
	// units each way.
	Bidirectional bool `json:"bidirectional,omitempty"`
	// Summary maps each sequence to one output row through [SeqEnds]
	// (sequence to vector); otherwise the output layer applies at every
	// step (sequence to sequence).
	Summary bool `json:"summary,omitempty"`
	// Out is the width of the linear output layer.
	Out int `json:"out"`
	// Init draws every weight matrix (embedding, LSTM, output).
	Init Init `json:"init"`
	// ForgetBias is the initial bias of the forget gates.
	ForgetBias float64 `json:"forget_bias"`
}

// Validate reports the first bad field.
func (s LSTMNetSpec) Validate() error {
	switch {
	case s.Vocab < 0:
		return fmt.Errorf("vocab = %d, want ≥ 0", s.Vocab)
	case s.Vocab > 0 && s.Embed <= 0:
		return fmt.Errorf("embed = %d with a vocabulary of %d, want > 0", s.Embed, s.Vocab)
	case s.Vocab == 0 && s.In <= 0:
		return fmt.Errorf("in = %d without a vocabulary, want > 0", s.In)
	case len(s.Hidden) == 0:
		return fmt.Errorf("hidden is empty, want at least one LSTM layer")
	case s.Out <= 0:
		return fmt.Errorf("out = %d, want > 0", s.Out)
	}
	for i, h := range s.Hidden {
		if h <= 0 {
			return fmt.Errorf("hidden[%d] = %d, want > 0", i, h)
		}
	}
	return nil
}

// GateMaker returns the gate functions of one LSTM layer: name is the
// layer's name ("lstm2", or "lstm2.bwd" for the backward half of a
// bidirectional layer), layer its 0-based depth and units its width.
type GateMaker[T Float] func(name string, layer, units int) [NumGates]GateFunc[T]

// LSTMNet is a network built from an [LSTMNetSpec].
type LSTMNet[T Float] struct {
	*Sequential[T]
	// LSTMs holds the LSTM layers, lowest first; a bidirectional layer
	// contributes its forward half and then its backward half.
	LSTMs []*LSTM[T]
	// Depth gives the 0-based depth of each entry of LSTMs.
	Depth []int
}

// NewLSTMNet builds the network of s. Weights are drawn from initRnd in a
// fixed order (embedding, then per depth the forward and backward layers'
// Wx and Wh, then the output layer), so networks that differ only in their
// gates start from the same weights. gates may be nil for the plain LSTM.
func NewLSTMNet[T Float](s LSTMNetSpec, gates GateMaker[T], initRnd *rand.Rand) (*LSTMNet[T], error) {
	if err := s.Validate(); err != nil {
		return nil, fmt.Errorf("nn: LSTM network: %w", err)
	}
	if gates == nil {
		gates = func(string, int, int) [NumGates]GateFunc[T] { return PlainGates[T]() }
	}
	net := &LSTMNet[T]{Sequential: NewSequential[T]()}
	add := func(l Layer[T]) { net.Layers = append(net.Layers, l) }
	in := s.In
	if s.Vocab > 0 {
		add(NewEmbedding[T]("emb", s.Vocab, s.Embed, s.Init, initRnd))
		in = s.Embed
	}
	newLayer := func(name string, depth, in, units int) *LSTM[T] {
		l := NewLSTM[T](name, in, units, s.Init, initRnd)
		l.SetForgetBias(s.ForgetBias)
		l.Gates = gates(name, depth, units)
		net.LSTMs = append(net.LSTMs, l)
		net.Depth = append(net.Depth, depth)
		return l
	}
	for i, h := range s.Hidden {
		name := fmt.Sprintf("lstm%d", i+1)
		if s.Bidirectional {
			f := newLayer(name+".fwd", i, in, h)
			b := newLayer(name+".bwd", i, in, h)
			add(NewBidirectional(f, b))
			in = 2 * h
		} else {
			add(newLayer(name, i, in, h))
			in = h
		}
	}
	if s.Summary {
		head := in
		if s.Bidirectional {
			head = in / 2
		}
		add(&SeqEnds[T]{Head: head})
	}
	add(NewDense[T]("out", in, s.Out, s.Init, initRnd))
	net.SkipInputGrad()
	return net, nil
}

// Sublayers implements [Container].
func (n *LSTMNet[T]) Sublayers() []Layer[T] { return n.Sequential.Layers }
