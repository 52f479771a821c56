package nn

import "github.com/mollifying/mollify/gemm"

// A same convolution (stride 1, K = 2·Pad+1, so the output is as large as
// the input) is computed without the K·K-fold column matrix of im2col.
//
// The rows of the image: for each input channel c and horizontal tap kj,
// the row matrix E holds the channel's plane shifted horizontally by
// kj − Pad (zero where the window leaves the image) with Pad zero rows
// above and below, one flat row of L = (H+2·Pad)·W values:
//
//	E[c·K+kj][r·W + w] = x[c][r−Pad][w+kj−Pad]   (0 outside the image).
//
// The im2col rows of the taps (ki, ·) are then E itself, shifted by ki
// image rows: col[(c·K+ki)·K+kj][h·W+w] = E[c·K+kj][(h+ki)·W + w]. So the
// column matrix of vertical tap ki is a plain strided matrix (C·K rows of
// H·W values, leading dimension L, starting at ki·W), and the convolution is
// K products with the weight rows of tap ki (gathered once per pass into
// Wp, (C·K)×Cout per ki):
//
//	y = Σ_ki Wp[ki]ᵀ · E_ki,   dWp[ki] += E_ki · dyᵀ
//
// E is K times the input's size instead of K·K times (3 against 9 for a
// ResNet), and one contiguous copy per row. The input gradient is the
// same convolution of dy with the flipped weights (Wf[ki][o·K+kj][c] =
// W[(c·K + K−1−ki)·K + K−1−kj][o]; pad K−1−Pad = Pad), so it needs no
// col2im either.
//
// Arithmetic: y sums the K partial products of the ki (in that order), each
// one fused multiply-add chain of the gemm, instead of one chain over all
// C·K·K taps; the input gradient likewise. The weight gradient of every
// element is the same chain as im2col's (each belongs to one ki): it is
// accumulated over the batch in Wp's order and added to W.Grad at the end
// (the same bits when W.Grad is zero, as after ZeroGrad).

// sameBufs are the buffers of a same convolution.
type sameBufs[T Float] struct {
	rows []T // E, of the input (forward, weight gradient) or of dy
	wp   []T // Wp, Wf or dWp
}

// same reports whether c is a same convolution with a kernel wider than a
// pixel (a 1×1 one is direct).
func (c *Conv2D[T]) same() bool {
	return c.Stride == 1 && c.K == 2*c.Pad+1 && c.K > 1
}

func grow[T Float](b []T, n int) []T {
	if cap(b) < n {
		return make([]T, n)
	}
	return b[:n]
}

// expandRows writes E (see above) of image x, in-shaped, for a same
// convolution of k taps and padding pad. It writes only the rows' bodies:
// the Pad zero rows above and below each must already be zero, as they are
// in a buffer used only by expandRows for one geometry (E of the input and
// of dy have rows of the same length).
func expandRows[T Float](x []T, in Shape, k, pad int, e []T) {
	w, hw := in.W, in.H*in.W
	l, top := (in.H+2*pad)*w, pad*w
	for c := range in.C {
		plane := x[c*hw : (c+1)*hw]
		for kj := range k {
			body := e[(c*k+kj)*l+top : (c*k+kj)*l+top+hw]
			wlo, whi := window(w, w, 1, pad, kj)
			if wlo >= whi {
				clear(body)
				continue
			}
			// body[i] = plane[i+d] for i in [first, last), but for the
			// columns outside [wlo, whi) between two image rows.
			first, last, d := wlo, (in.H-1)*w+whi, kj-pad
			copy(body[first:last], plane[first+d:last+d])
			for i := range first {
				body[i] = 0
			}
			for i := last; i < hw; i++ {
				body[i] = 0
			}
			if g := w - whi + wlo; g > 0 {
				for i := whi; i+g <= last; i += w {
					for j := i; j < i+g; j++ {
						body[j] = 0
					}
				}
			}
		}
	}
}

// gatherTaps sets dst[ki][(c·K+kj)·n + o] = w[((c·K+ki)·K+kj)·n + o] for
// the weights w of c channels and n filters; flip takes the tap
// (K−1−ki, K−1−kj) and transposes each tap's c×n block instead:
// dst[ki][(o·K+kj)·c + ch] = w[((ch·K+K−1−ki)·K+K−1−kj)·n + o].
func gatherTaps[T Float](dst, w []T, ch, k, n int, flip bool) {
	for ki := range k {
		d := dst[ki*ch*k*n : (ki+1)*ch*k*n]
		for c := range ch {
			for kj := range k {
				if !flip {
					copy(d[(c*k+kj)*n:(c*k+kj+1)*n], w[((c*k+ki)*k+kj)*n:])
					continue
				}
				src := w[((c*k+k-1-ki)*k+k-1-kj)*n:]
				for o := range n {
					d[(o*k+kj)*ch+c] = src[o]
				}
			}
		}
	}
}

func (c *Conv2D[T]) forwardSame(x *Mat[T]) *Mat[T] {
	n, cin, cout, k, p := x.Rows, c.In.C, c.Out.C, c.K, c.Out.Plane()
	w, l := c.In.W, (c.In.H+2*c.Pad)*c.In.W
	b := &c.same_
	if len(b.rows) < max(cin, cout)*k*l {
		b.rows = make([]T, max(cin, cout)*k*l) // zero: see expandRows
	}
	b.wp = grow(b.wp, len(c.W.Value))
	gatherTaps(b.wp, c.W.Value, cin, k, cout, false)
	y := c.y.Reshape(n, c.Out.Size())
	e := b.rows[:cin*k*l]
	for i := range n {
		expandRows(x.Row(i), c.In, k, c.Pad, e)
		yi := y.Row(i)
		for ki := range k {
			beta := T(1)
			if ki == 0 {
				beta = 0
			}
			gemm.Do(true, false, cout, p, cin*k, 1, b.wp[ki*cin*k*cout:], cout, e[ki*w:], l, beta, yi, p)
		}
		c.addBias(yi)
	}
	return y
}

func (c *Conv2D[T]) backwardSame(dy, r *Mat[T]) *Mat[T] {
	n, cin, cout, k, p := dy.Rows, c.In.C, c.Out.C, c.K, c.Out.Plane()
	w, l := c.In.W, (c.In.H+2*c.Pad)*c.In.W
	b := &c.same_
	// The weight gradient, in Wp's order.
	dwp := b.wp
	clear(dwp)
	e := b.rows[:cin*k*l]
	for i := range n {
		dyi := dy.Row(i)
		expandRows(c.x.Row(i), c.In, k, c.Pad, e)
		for ki := range k {
			gemm.Do(false, true, cin*k, cout, p, 1, e[ki*w:], l, dyi, p, 1, dwp[ki*cin*k*cout:], cout)
		}
		c.addBiasGrad(dyi)
	}
	g := c.W.Grad
	for ki := range k {
		d := dwp[ki*cin*k*cout : (ki+1)*cin*k*cout]
		for ch := range cin {
			for kj := range k {
				AddTo(g[((ch*k+ki)*k+kj)*cout:((ch*k+ki)*k+kj+1)*cout], d[(ch*k+kj)*cout:(ch*k+kj+1)*cout])
			}
		}
	}
	if c.skipDX {
		return nil
	}
	// The input gradient: the same convolution of dy with the flipped
	// weights.
	gatherTaps(b.wp, c.W.Value, cin, k, cout, true)
	dx := c.dx.Reshape(n, c.In.Size())
	ed := b.rows[:cout*k*l]
	for i := range n {
		expandRows(dy.Row(i), c.Out, k, c.Pad, ed)
		dxi := dx.Row(i)
		if r != nil {
			copy(dxi, r.Row(i))
		}
		for ki := range k {
			beta := T(1)
			if ki == 0 && r == nil {
				beta = 0
			}
			gemm.Do(true, false, cin, p, cout*k, 1, b.wp[ki*cout*k*cin:], cin, ed[ki*w:], l, beta, dxi, p)
		}
	}
	return dx
}
