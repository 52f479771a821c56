package gradcheck

import "github.com/mollifying/mollify/nn"

// CheckCarried checks a sequence layer (see nn.Sequencer) on the window x
// of batch sequences, after a first window warm has left a carried state:
// the state at the start of x is held fixed at what warm produced with the
// unperturbed parameters, as truncated back-propagation through time
// assumes. With warm nil the check starts from the zero state.
// opt.Reset, if set, is called after the state is restored, before every
// Forward of x.
func CheckCarried(l nn.Layer[float64], warm, x *nn.Mat[float64], batch int, opt Options) ([]Mismatch, error) {
	nn.ResetState(l, batch)
	reseed := opt.Reset
	if reseed == nil {
		reseed = func() {}
	}
	if warm != nil {
		reseed()
		l.Forward(warm, opt.Train)
	}
	nn.PushState(l)
	opt.Reset = func() {
		nn.PopState(l)
		nn.PushState(l)
		reseed()
	}
	return Check(l, x, opt)
}
