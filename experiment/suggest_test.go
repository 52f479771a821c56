package experiment

import "testing"

func TestDidYouMean(t *testing.T) {
	names := []string{"parity", "parity-small", "mnist-tanh", "mnist-sigmoid", "mollified", "mollified-res", "eval", "delta_on"}
	for _, c := range []struct{ in, want string }{
		{"mnist-tahn", ` (did you mean "mnist-tanh"?)`},
		{"molified", ` (did you mean "mollified"?)`},
		{"party", ` (did you mean "parity"?)`},
		{"evl", ` (did you mean "eval"?)`},
		{"delta-on", ` (did you mean "delta_on"?)`},
		{"dropout", ""},
		{"x", ""},
		{"parity", ""},
	} {
		if got := DidYouMean(c.in, names); got != c.want {
			t.Errorf("DidYouMean(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
