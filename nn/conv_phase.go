package nn

// A strided convolution whose output is exactly its input divided by the
// stride s (H = s·ho, W = s·wo: the stride-2 convolutions and projections
// of a ResNet) gathers its columns from the s·s phase planes of each input
// channel, Q[ri][rj][i][j] = x[s·i+ri][s·j+rj], each ho×wo. With
// ki − Pad = s·qi + ri (and likewise kj), column row (c, ki, kj) is plane
// Q[ri][rj] of channel c shifted by qi rows and qj columns,
//
//	col[(c·K+ki)·K+kj][oh·wo+ow] = Q[c][ri][rj][oh+qi][ow+qj]   (0 outside),
//
// one contiguous copy per row (but for the zeros) instead of a strided
// gather of every element: the gather is done once per input value, when
// splitting x into its phases. col2im runs the same steps backwards:
// shifted additions into the phase planes, then one scatter into dx. The
// additions into each input value happen in the order of the general loop
// (channel, ki, kj), and gaps add +0 to sums that started at +0, so both
// functions give the general ones' bits.

// phased reports whether im2col of this geometry can go through the phase
// planes.
func phased(in Shape, stride, ho, wo int) bool {
	return stride > 1 && in.H == stride*ho && in.W == stride*wo
}

// floorDiv returns q, r with a = s·q + r and 0 ≤ r < s.
func floorDiv(a, s int) (q, r int) {
	q, r = a/s, a%s
	if r < 0 {
		q, r = q-1, r+s
	}
	return q, r
}

// span returns the range [lo, hi) of o in [0, n) with o+off in [0, n).
func span(n, off int) (lo, hi int) {
	lo, hi = max(0, -off), min(n, n-off)
	return lo, max(lo, hi)
}

// shifted describes dst[o] = src[o + qi·w + qj] over an h×w plane, for the
// valid positions: rows [hlo, hhi), columns [wlo, whi). ok is false when
// there are none. [first, last) spans the valid positions in flat order;
// in between, the columns outside [wlo, whi) of consecutive rows are the
// gaps.
type shifted struct {
	hlo, hhi, wlo, whi int
	first, last, shift int
	ok                 bool
}

func newShifted(h, w, qi, qj int) shifted {
	var s shifted
	s.hlo, s.hhi = span(h, qi)
	s.wlo, s.whi = span(w, qj)
	if s.hlo == s.hhi || s.wlo == s.whi {
		return s
	}
	s.first, s.last, s.shift, s.ok = s.hlo*w+s.wlo, (s.hhi-1)*w+s.whi, qi*w+qj, true
	return s
}

// zeroGaps zeroes the gap positions of dst, an h×w plane.
func zeroGaps[T Float](dst []T, s shifted, w int) {
	g := w - s.whi + s.wlo
	if g == 0 {
		return
	}
	for i := s.hlo*w + s.whi; i+g <= s.last; i += w {
		for j := i; j < i+g; j++ {
			dst[j] = 0
		}
	}
}

// shiftCopy sets dst[o] = src[o+shift] at the valid positions of s and 0
// elsewhere.
func shiftCopy[T Float](dst, src []T, s shifted, w int) {
	if !s.ok {
		clear(dst)
		return
	}
	copy(dst[s.first:s.last], src[s.first+s.shift:s.last+s.shift])
	for i := range s.first {
		dst[i] = 0
	}
	for i := s.last; i < len(dst); i++ {
		dst[i] = 0
	}
	zeroGaps(dst, s, w)
}

// splitPhases writes the phase planes of x, in-shaped, into q:
// q[((c·s+ri)·s+rj)·ho·wo + i·wo + j] = x[c][s·i+ri][s·j+rj].
func splitPhases[T Float](x []T, in Shape, s int, q []T) {
	ho, wo := in.H/s, in.W/s
	for c := range in.C {
		plane := x[c*in.H*in.W : (c+1)*in.H*in.W]
		for i := range ho {
			for ri := range s {
				src := plane[(s*i+ri)*in.W : (s*i+ri+1)*in.W]
				for rj := range s {
					dst := q[((c*s+ri)*s+rj)*ho*wo+i*wo : ((c*s+ri)*s+rj)*ho*wo+(i+1)*wo]
					src := src[rj:]
					for j := range dst {
						dst[j] = src[s*j]
					}
				}
			}
		}
	}
}

// mergePhases is the inverse of splitPhases: it writes the phase planes q
// back into dx.
func mergePhases[T Float](q []T, in Shape, s int, dx []T) {
	ho, wo := in.H/s, in.W/s
	for c := range in.C {
		plane := dx[c*in.H*in.W : (c+1)*in.H*in.W]
		for i := range ho {
			for ri := range s {
				dst := plane[(s*i+ri)*in.W : (s*i+ri+1)*in.W]
				for rj := range s {
					src := q[((c*s+ri)*s+rj)*ho*wo+i*wo : ((c*s+ri)*s+rj)*ho*wo+(i+1)*wo]
					dst := dst[rj:]
					for j, v := range src {
						dst[s*j] = v
					}
				}
			}
		}
	}
}

// im2colPhased is im2col through the phase planes q (a buffer of x's size).
func im2colPhased[T Float](x []T, in Shape, k, s, pad int, q, col []T) {
	ho, wo := in.H/s, in.W/s
	p := ho * wo
	splitPhases(x, in, s, q)
	for c := range in.C {
		for ki := range k {
			qi, ri := floorDiv(ki-pad, s)
			for kj := range k {
				qj, rj := floorDiv(kj-pad, s)
				plane := q[((c*s+ri)*s+rj)*p : ((c*s+ri)*s+rj+1)*p]
				row := col[((c*k+ki)*k+kj)*p : ((c*k+ki)*k+kj+1)*p]
				shiftCopy(row, plane, newShifted(ho, wo, qi, qj), wo)
			}
		}
	}
}

// col2imPhased is col2im through the phase planes q (a buffer of dx's
// size). It overwrites dcol's gaps.
func col2imPhased[T Float](dcol []T, in Shape, k, s, pad int, q, dx []T) {
	ho, wo := in.H/s, in.W/s
	p := ho * wo
	clear(q)
	for c := range in.C {
		for ki := range k {
			qi, ri := floorDiv(ki-pad, s)
			for kj := range k {
				qj, rj := floorDiv(kj-pad, s)
				sh := newShifted(ho, wo, qi, qj)
				if !sh.ok {
					continue
				}
				plane := q[((c*s+ri)*s+rj)*p : ((c*s+ri)*s+rj+1)*p]
				row := dcol[((c*k+ki)*k+kj)*p : ((c*k+ki)*k+kj+1)*p]
				zeroGaps(row, sh, wo)
				AddTo(plane[sh.first+sh.shift:sh.last+sh.shift], row[sh.first:sh.last])
			}
		}
	}
	mergePhases(q, in, s, dx)
}
