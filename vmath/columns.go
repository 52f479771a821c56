package vmath

import "fmt"

// The column kernels are the per-row loops of dense batch normalisation
// (nn.BatchNorm): each works on one row of a batch, feature j in lane j,
// in float64 as the layer does, with exactly the operations of the Go loops
// below (products converted explicitly, so that no compiler fuses them into
// an FMA). The AVX-512 path runs whole vectors of 8 features and the Go
// loops the rest; both round the same way, so every path gives the same
// bits (TestColumnsSameBits). Without AVX-512 the Go loops run everything.

// ColAdd sets acc[j] += float64(x[j]).
func ColAdd(acc []float64, x []float32) {
	n := len(x)
	checkCols("ColAdd", n, len(acc))
	full := colFull(n)
	if full > 0 {
		colAdd512(&acc[0], &x[0], full)
	}
	colAddGo(acc[full:n], x[full:])
}

func colAddGo(acc []float64, x []float32) {
	acc = acc[:len(x)]
	for j, v := range x {
		acc[j] += float64(v)
	}
}

// ColAddSqDev sets acc[j] += d·d with d = float64(x[j]) − mean[j].
func ColAddSqDev(acc, mean []float64, x []float32) {
	n := len(x)
	checkCols("ColAddSqDev", n, len(acc), len(mean))
	full := colFull(n)
	if full > 0 {
		colAddSqDev512(&acc[0], &mean[0], &x[0], full)
	}
	colAddSqDevGo(acc[full:n], mean[full:n], x[full:])
}

func colAddSqDevGo(acc, mean []float64, x []float32) {
	acc, mean = acc[:len(x)], mean[:len(x)]
	for j, v := range x {
		d := float64(v) - mean[j]
		acc[j] += float64(d * d)
	}
}

// ColAddDot sets s[j] += float64(a[j]) and sp[j] += float64(a[j])·float64(b[j]).
func ColAddDot(s, sp []float64, a, b []float32) {
	n := len(a)
	checkCols("ColAddDot", n, len(s), len(sp), len(b))
	full := colFull(n)
	if full > 0 {
		colAddDot512(&s[0], &sp[0], &a[0], &b[0], full)
	}
	colAddDotGo(s[full:n], sp[full:n], a[full:], b[full:n])
}

func colAddDotGo(s, sp []float64, a, b []float32) {
	s, sp, b = s[:len(a)], sp[:len(a)], b[:len(a)]
	for j, v := range a {
		s[j] += float64(v)
		sp[j] += float64(float64(v) * float64(b[j]))
	}
}

// ColNormalize is batch normalisation's forward pass over one row: with
// v = (float64(x[j]) − mean[j])·inv[j], h[j] = float32(v) and
// y[j] = float32(float64(g[j])·v + float64(b[j])).
func ColNormalize(h, y, x []float32, mean, inv []float64, g, b []float32) {
	n := len(x)
	checkCols("ColNormalize", n, len(h), len(y), len(mean), len(inv), len(g), len(b))
	full := colFull(n)
	if full > 0 {
		colNormalize512(&h[0], &y[0], &x[0], &mean[0], &inv[0], &g[0], &b[0], full)
	}
	colNormalizeGo(h[full:n], y[full:n], x[full:], mean[full:n], inv[full:n], g[full:n], b[full:n])
}

func colNormalizeGo(h, y, x []float32, mean, inv []float64, g, b []float32) {
	n := len(x)
	h, y, mean, inv, g, b = h[:n], y[:n], mean[:n], inv[:n], g[:n], b[:n]
	for j, xv := range x {
		v := float64((float64(xv) - mean[j]) * inv[j])
		h[j] = float32(v)
		y[j] = float32(float64(float64(g[j])*v) + float64(b[j]))
	}
}

// ColNormalizeGrad is batch normalisation's backward pass over one row in
// training mode: dx[j] = float32(sc[j]·((float64(dy[j]) − sh[j]) −
// (inv·float64(h[j]))·sdx[j])).
func ColNormalizeGrad(dx, dy, h []float32, sc, sh, sdx []float64, inv float64) {
	n := len(dy)
	checkCols("ColNormalizeGrad", n, len(dx), len(h), len(sc), len(sh), len(sdx))
	full := colFull(n)
	if full > 0 {
		colNormalizeGrad512(&dx[0], &dy[0], &h[0], &sc[0], &sh[0], &sdx[0], inv, full)
	}
	colNormalizeGradGo(dx[full:n], dy[full:], h[full:n], sc[full:n], sh[full:n], sdx[full:n], inv)
}

func colNormalizeGradGo(dx, dy, h []float32, sc, sh, sdx []float64, inv float64) {
	n := len(dy)
	dx, h, sc, sh, sdx = dx[:n], h[:n], sc[:n], sh[:n], sdx[:n]
	for j, v := range dy {
		t := float64(float64(inv*float64(h[j])) * sdx[j])
		dx[j] = float32(float64(sc[j] * (float64(v) - sh[j] - t)))
	}
}

// colFull is how many leading elements the assembly path takes: whole
// vectors of 8 float64 lanes, or none without AVX-512.
func colFull(n int) int {
	if active != pathAVX512 {
		return 0
	}
	return n - n%8
}

// checkCols panics unless every other slice has at least n elements: the
// assembly does no bounds checks.
func checkCols(name string, n int, others ...int) {
	for _, l := range others {
		if l < n {
			panic(fmt.Sprintf("vmath: %s of %d elements with a slice of %d", name, n, l))
		}
	}
}
