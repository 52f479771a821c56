package nn

// Layer is one differentiable stage of a network.
//
// Forward computes the output for a batch; train selects training behaviour
// (noise, batch statistics). The returned matrix is owned by the layer and
// valid until its next Forward. The layer may keep a reference to x for
// Backward, so x must not change until then.
//
// Backward takes dL/dy for the most recent Forward, adds the parameter
// gradients into their Grad slices, and returns dL/dx, owned by the layer.
type Layer[T Float] interface {
	Forward(x *Mat[T], train bool) *Mat[T]
	Backward(dy *Mat[T]) *Mat[T]
	Params() []*Param[T]
}

// InputGradSkipper is implemented by layers that can skip computing dL/dx.
// The first layer of a network has no use for it, and for wide inputs it is
// a third of the layer's cost.
type InputGradSkipper interface {
	SkipInputGrad()
}

// Sequential chains layers.
type Sequential[T Float] struct {
	Layers []Layer[T]
}

// NewSequential returns the chain of layers.
func NewSequential[T Float](layers ...Layer[T]) *Sequential[T] {
	return &Sequential[T]{Layers: layers}
}

// SkipInputGrad implements [InputGradSkipper] by passing the request to the
// first layer when it can honour it. Call it on a network's outermost layer
// only: a nested chain's input gradient is needed by its parent.
func (s *Sequential[T]) SkipInputGrad() {
	if len(s.Layers) > 0 {
		if k, ok := s.Layers[0].(InputGradSkipper); ok {
			k.SkipInputGrad()
		}
	}
}

// Forward implements [Layer].
func (s *Sequential[T]) Forward(x *Mat[T], train bool) *Mat[T] {
	for _, l := range s.Layers {
		x = l.Forward(x, train)
	}
	return x
}

// Backward implements [Layer]. It returns nil when the first layer skipped
// its input gradient.
func (s *Sequential[T]) Backward(dy *Mat[T]) *Mat[T] {
	for i := len(s.Layers) - 1; i >= 0; i-- {
		dy = s.Layers[i].Backward(dy)
		if dy == nil && i > 0 {
			panic("nn: a hidden layer returned no input gradient")
		}
	}
	return dy
}

// Params implements [Layer].
func (s *Sequential[T]) Params() []*Param[T] {
	var ps []*Param[T]
	for _, l := range s.Layers {
		ps = append(ps, l.Params()...)
	}
	return ps
}
