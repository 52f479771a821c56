package gemm

import (
	"sync"
	"unsafe"
)

//go:generate go run gen_kernels.go

// Fast is the pure-Go (no cgo) float32 backend: packed, cache-blocked GEMM
// around an assembly micro-kernel, on one goroutine per call. See the package
// documentation for the design and the determinism contract. Dgemm delegates
// to [Gonum]: float64 is only used for gradient checks.
type Fast struct{}

// Name implements [Backend]; it reports the kernel path chosen at start-up
// from the CPU features: "fast-avx512", "fast-avx2" or "fast-generic".
func (Fast) Name() string { return active.name }

// Best returns [Fast] when this CPU has an assembly kernel path (AVX2 with
// FMA, or AVX-512), else [Gonum].
func Best() Backend {
	if active != &genericKernels {
		return Fast{}
	}
	return Gonum{}
}

// Sgemm implements [Backend].
func (Fast) Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	// The kernels do no bounds checks: a malformed call must panic here.
	checkShapes(transA, transB, m, n, k, len(a), lda, len(b), ldb, len(c), ldc)
	if k == 0 || alpha == 0 {
		scale(m, n, beta, c, ldc)
		return
	}
	active.sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// Dgemm implements [Backend] by delegating to [Gonum].
func (Fast) Dgemm(transA, transB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	Gonum{}.Dgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// kargs is the argument block of one micro-kernel call. Its layout is fixed:
// the generated assembly reads the fields at constant offsets
// (TestKargsLayout). Strides are in bytes.
type kargs struct {
	a     unsafe.Pointer // A tile: element (i, p) at a+4i+p·sa, or a+i·sa+4p when strided
	b     unsafe.Pointer // B tile: element (p, j) at b+p·sb+4j
	c     unsafe.Pointer // C tile: element (i, j) at c+i·ldc+4j
	s     unsafe.Pointer // beta source, same shape as C (C itself, or a copy)
	sa    int
	sb    int
	ldc   int
	lds   int
	k     int            // steps of the FMA chains in this call
	mask  uint64         // AVX-512: lanes of the last vector of a row
	mtab  unsafe.Pointer // AVX2: 8 int32 lane masks of the last vector
	flags int            // loadC, final, scaleAlpha
	alpha float32
	beta  float32
	cnt   int            // lanes of the last vector
	pf    unsafe.Pointer // prefetched during the tile: pf+p·pfs, p < k
	pfs   int
}

const (
	loadC      = 1 // start the chains from the partial sums in C, not from zero
	final      = 2 // last block of k: add beta·S (when beta != 0) before storing
	scaleAlpha = 4 // last block of k, alpha != 1: multiply by alpha first
)

// kernelSet is one micro-kernel family and the shape of its tiles.
type kernelSet struct {
	name    string
	isa     int  // isaGeneric, isaAVX2 or isaAVX512: selects the kernel in run
	lanes   int  // float32 lanes per vector
	mrMax   int  // max rows of a tile
	nvMax   int  // max vectors per tile row; NR = nvMax·lanes
	directB bool // can read B in place (masked loads of the last vector)
}

const (
	isaGeneric = iota
	isaAVX2
	isaAVX512
)

// Blocking. blockK bounds the steps per kernel call so that a B micro-panel
// (blockK×NR floats, 64 KiB) and the A block it meets (blockM×blockK, 900
// KiB) stay in L2 while every tile of the row block reuses the panel.
// blockN bounds the copy of C kept for beta. Variables, not constants, so
// that tests and benchmarks can change them.
var (
	blockK = 512
	blockM = 448
	blockN = 1024

	// packAMinN: a transposed A is packed when n exceeds it (it is then
	// reused by many B micro-panels); below it, the kernel reads it in place.
	packAMinN = 128
	// directBMaxM: when m is at most this, B (not transposed) is read in
	// place even when its rows are 4 KiB apart (few tiles reuse a panel).
	directBMaxM = 28
)

// workspace holds the packing buffers of one call. A call takes one from a
// free list and returns it, so concurrent calls never share one. The list is
// never trimmed (unlike a sync.Pool, which the garbage collector empties): it
// holds as many workspaces as calls ever ran at once, and steady state
// allocates nothing.
type workspace struct {
	a, b, s, t []float32
}

var wsFree struct {
	sync.Mutex
	list []*workspace
}

func getWorkspace() *workspace {
	wsFree.Lock()
	defer wsFree.Unlock()
	if n := len(wsFree.list); n > 0 {
		ws := wsFree.list[n-1]
		wsFree.list = wsFree.list[:n-1]
		return ws
	}
	return new(workspace)
}

func putWorkspace(ws *workspace) {
	wsFree.Lock()
	wsFree.list = append(wsFree.list, ws)
	wsFree.Unlock()
}

// grow returns buf with length n, reallocated (64-byte aligned, so that a
// packed vector never straddles two cache lines) only when too small.
func grow(buf []float32, n int) []float32 {
	if cap(buf) >= n {
		return buf[:n]
	}
	raw := make([]float32, n+n/8+16)
	off := 0
	if r := uintptr(unsafe.Pointer(&raw[0])) % 64; r != 0 {
		off = int(64-r) / 4
	}
	return raw[off : off+n]
}

// panels splits mc rows into the fewest tiles of at most mrMax rows, as even
// as possible: tile t has base+1 rows if t < extra, else base.
func panels(mc, mrMax int) (np, base, extra int) {
	if mc <= mrMax {
		return 1, mc, 0 // no divisions for small products
	}
	np = (mc + mrMax - 1) / mrMax
	return np, mc / np, mc % np
}

// packing decides which operands are packed.
//
// The kernel reads A in place: a not-transposed A one row per broadcast
// stream, a transposed A one cache line per step. A transposed A is packed
// when many B micro-panels reuse it (n large), because its steps are then a
// row of A apart and cost a TLB entry each.
//
// B is read in place when the kernel can (masked loads) and it is not
// transposed: software prefetch in the kernel overlaps the reads from L3 with
// the FMAs, where a separate packing pass could not. Rows a multiple of 4 KiB
// apart are the exception when several tiles reuse each micro-panel: the
// panel would map to a few cache sets and be evicted between uses.
func (ks *kernelSet) packing(transA, transB bool, m, n, ldb int) (packA, packB bool) {
	switch forcePacking {
	case 1:
		return true, true
	case 2:
		return false, transB || !ks.directB
	}
	packA = transA && n > packAMinN
	packB = transB || !ks.directB || (m > directBMaxM && ldb%1024 == 0)
	return packA, packB
}

// setMask records that the last vector of each tile row has cnt lanes.
func (ks *kernelSet) setMask(ka *kargs, cnt int) {
	ka.cnt = cnt
	ka.mask = 1<<cnt - 1
	ka.mtab = unsafe.Pointer(&maskTab[8-min(cnt, 8)])
}

// maskTab gives the AVX2 lane mask of a last vector with cnt lanes: the 8
// int32 at maskTab[8-cnt:].
var maskTab = [16]int32{-1, -1, -1, -1, -1, -1, -1, -1}

// forcePacking overrides packing in tests: 1 packs both operands, 2 packs
// only what the kernel cannot read in place.
var forcePacking = 0

// sgemm runs one product on ks (alpha != 0, k > 0, shapes checked).
//
// When B is transposed, the kernel needs it transposed back (packed), which
// costs a pass over n·k elements that cannot overlap with the FMAs. If m is
// small, computing C^T = B·A^T instead is cheaper: B is then read in place
// (as a non-transposed A), only the smaller A is transposed, and C goes
// through a transposed copy. Each element is still the same FMA chain (the
// product in an FMA is commutative), so the bits do not change.
func (ks *kernelSet) sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if m <= ks.mrMax && n <= ks.lanes*ks.nvMax && forceSwap != 1 {
		wp := (n + ks.lanes - 1) / ks.lanes * ks.lanes
		switch {
		case !transB:
			ks.tile(transA, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
			return
		case k*wp <= 64:
			var buf [64]float32
			ks.tileT(transA, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, buf[:], wp)
			return
		case k*wp <= 256:
			ks.tileT256(transA, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, wp)
			return
		}
	}
	if !ks.swapPays(transA, transB, m, n, k) {
		if transB && k*n <= smallPack/2 {
			ks.sgemmSmallB(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
			return
		}
		ks.sgemmDirect(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, nil)
		return
	}
	ws := getWorkspace()
	defer putWorkspace(ws)
	ws.t = grow(ws.t, n*m)
	t := ws.t // C^T, n×m
	if beta != 0 {
		transpose(t, c, m, n, ldc, m)
	}
	ks.sgemmDirect(!transB, !transA, n, m, k, alpha, b, ldb, a, lda, beta, t, m, nil)
	transpose(c, t, n, m, m, ldc)
}

// tile computes a product that is a single tile (B not transposed) in one
// kernel call, with none of the loops of sgemmDirect: for tiny products the
// call overhead is the cost.
func (ks *kernelSet) tile(transA bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	var ka kargs
	nv := 1
	if n > ks.lanes {
		nv = 2
	}
	ks.setMask(&ka, n-(nv-1)*ks.lanes)
	ka.alpha, ka.beta, ka.k = alpha, beta, k
	ka.flags = final
	if alpha != 1 {
		ka.flags |= scaleAlpha
	}
	ka.a, ka.sa = unsafe.Pointer(&a[0]), lda*4
	ka.b, ka.sb = unsafe.Pointer(&b[0]), ldb*4
	ka.pf, ka.pfs = unsafe.Pointer(&b[min(prefetchDist, k-1)*ldb]), ka.sb
	ka.c, ka.ldc = unsafe.Pointer(&c[0]), ldc*4
	ka.s, ka.lds = ka.c, ka.ldc
	ks.run(&ka, m, nv, !transA)
}

// tileT is tile for a transposed B, first transposed into buf with rows of
// wp floats (the kernels mask the lanes past n). The buffer is on the
// caller's stack, sized to the product: zeroing it is part of the cost.
func (ks *kernelSet) tileT(transA bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int, buf []float32, wp int) {
	for j := range n {
		for p, v := range b[j*ldb : j*ldb+k] {
			buf[p*wp+j] = v
		}
	}
	ks.tile(transA, m, n, k, alpha, a, lda, buf, wp, beta, c, ldc)
}

func (ks *kernelSet) tileT256(transA bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int, wp int) {
	var buf [256]float32
	ks.tileT(transA, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, buf[:], wp)
}

// sgemmSmallB is sgemmDirect for a small transposed B, packed on the stack:
// tiny products then take no workspace.
func (ks *kernelSet) sgemmSmallB(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	var buf [smallPack]float32
	ks.sgemmDirect(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, buf[:])
}

// swapPays tells whether sgemm should compute C^T = B·A^T, from a rough
// cost model in cycles: the FMAs at the vector utilisation of the
// dimension each form vectorises (n, or m once swapped), plus ~0.5 cycle
// per element transposed when packing (B, or A once swapped, from L3).
func (ks *kernelSet) swapPays(transA, transB bool, m, n, k int) bool {
	if forceSwap != 0 {
		return forceSwap == 1
	}
	if !transB || m >= n {
		return false
	}
	util := func(x int) float64 {
		return float64(x) / float64((x+ks.lanes-1)/ks.lanes*ks.lanes)
	}
	fmas := float64(m) * float64(n) * float64(k) / float64(2*ks.lanes)
	direct := fmas/util(n) + 0.5*float64(n)*float64(k)
	swapped := fmas/util(m) + float64(m)*float64(n)
	if !transA {
		swapped += 0.5 * float64(m) * float64(k)
	}
	return swapped < direct
}

// forceSwap overrides swapPays in tests: 1 always swaps, 2 never.
var forceSwap = 0

// sgemmDirect computes the product as given.
//
// Loops, outer to inner: columns of C by blockN (jc), steps by blockK (pc),
// rows by blockM (ic), micro-panels of NR columns (jr), tiles of up to mrMax
// rows (ir). Each element's FMA chain runs over the pc blocks in order: the
// first block starts from zero, the next ones from the partial sums stored
// in C, and the last one applies alpha and beta.
//
// A packed B micro-panel is packed just before its first use (the first row
// block), while the kernels of the previous panel prefetch its source: the
// copy then reads from cache.
func (ks *kernelSet) sgemmDirect(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int, bbuf []float32) {
	lanes := ks.lanes
	nr := lanes * ks.nvMax
	packA, packB := ks.packing(transA, transB, m, n, ldb)
	kcMax, mcMax, ncMax := blockK, blockM, blockN
	var ka kargs // on the stack: the kernel dispatchers do not let it escape
	ka.alpha, ka.beta = alpha, beta
	// k is cut into nkb nearly equal blocks: no short remainder block.
	nkb, kcBase, kcExtra := 1, k, 0
	if k > kcMax {
		nkb = (k + kcMax - 1) / kcMax
		kcBase, kcExtra = k/nkb, k%nkb
	}
	// Small products need no workspace: they read both operands in place,
	// or pack a small B in bbuf (on the caller's stack).
	var ws *workspace
	smallB := packB && len(bbuf) >= (kcBase+1)*((n+lanes-1)/lanes*lanes)
	if packA || (packB && !smallB) || (beta != 0 && nkb > 1) {
		ws = getWorkspace()
		defer putWorkspace(ws)
	}
	for jc := 0; jc < n; jc += ncMax {
		nc := min(ncMax, n-jc)
		// The beta term reads the original C; when C holds partial sums
		// between k blocks, that original is kept in ws.s.
		src, lds := c[jc:], ldc
		if beta != 0 && nkb > 1 {
			ws.s = grow(ws.s, m*nc)
			for i := range m {
				copy(ws.s[i*nc:i*nc+nc], c[i*ldc+jc:i*ldc+jc+nc])
			}
			src, lds = ws.s, nc
		}
		for kb, pc := 0, 0; kb < nkb; kb, pc = kb+1, pc+ka.k {
			kc := kcBase
			if kb < kcExtra {
				kc++
			}
			ka.k = kc
			ka.flags = 0
			if kb > 0 {
				ka.flags |= loadC
			}
			if kb == nkb-1 {
				ka.flags |= final
				if alpha != 1 {
					ka.flags |= scaleAlpha
				}
			}
			if packB && !smallB {
				ws.b = grow(ws.b, kc*((nc+lanes-1)/lanes*lanes))
				bbuf = ws.b
			}
			for ic := 0; ic < m; ic += mcMax {
				mc := min(mcMax, m-ic)
				np, base, extra := panels(mc, ks.mrMax)
				if packA {
					ws.a = grow(ws.a, mc*kc)
					if transA {
						packAT(ws.a, a[pc*lda+ic:], lda, kc, np, base, extra)
					} else {
						packAN(ws.a, a[ic*lda+pc:], lda, kc, np, base, extra)
					}
				}
				for jr := 0; jr < nc; jr += nr {
					w := min(nr, nc-jr)
					nv := 1 // vectors in this panel: w <= nr = 2·lanes
					if w > lanes {
						nv = 2
					}
					ks.setMask(&ka, w-(nv-1)*lanes)
					if packB {
						wp := nv * lanes
						panel := bbuf[jr*kc : jr*kc+kc*wp]
						if ic == 0 {
							if transB {
								packBT(panel, b[(jc+jr)*ldb+pc:], ldb, kc, w, wp)
							} else {
								copyBlock(panel, b[pc*ldb+jc+jr:], kc, w, ldb, wp)
							}
						}
						ka.b, ka.sb = unsafe.Pointer(&panel[0]), wp*4
						ka.pf, ka.pfs = ka.b, ka.sb
						if !transB && jr+nr < nc && ic == 0 {
							// The source of the next panel, row after row.
							ka.pf, ka.pfs = unsafe.Pointer(&b[pc*ldb+jc+jr+nr]), ldb*4
						}
					} else {
						ka.b, ka.sb = unsafe.Pointer(&b[pc*ldb+jc+jr]), ldb*4
						// The kernel prefetches, row after row, the micro-panel
						// that comes next (the hardware prefetchers do not
						// follow rows that far apart), so that its first tile
						// finds it in cache; a lone panel prefetches itself,
						// prefetchDist rows ahead.
						pr, pcol := pc, jc+jr+nr
						switch {
						case jr+nr < nc:
						case ic+mc < m:
							pcol = jc
						case kb+1 < nkb:
							pr, pcol = pc+kc, jc
						case jc+nc < n:
							pr, pcol = 0, jc+nc
						default:
							pr, pcol = pc+min(prefetchDist, kc-1), jc+jr
						}
						ka.pf, ka.pfs = unsafe.Pointer(&b[pr*ldb+pcol]), ldb*4
					}
					r0 := 0
					for t := range np {
						mr := base
						if t < extra {
							mr++
						}
						i := ic + r0
						strided := false
						switch {
						case packA:
							ka.a, ka.sa = unsafe.Pointer(&ws.a[r0*kc]), mr*4
						case transA:
							ka.a, ka.sa = unsafe.Pointer(&a[pc*lda+i]), lda*4
						default:
							ka.a, ka.sa = unsafe.Pointer(&a[i*lda+pc]), lda*4
							strided = true
						}
						ka.c, ka.ldc = unsafe.Pointer(&c[i*ldc+jc+jr]), ldc*4
						ka.s, ka.lds = unsafe.Pointer(&src[i*lds+jr]), lds*4
						ks.run(&ka, mr, nv, strided)
						r0 += mr
					}
				}
			}
		}
	}
}

// smallPack is the size (floats) of a packed B kept on the stack.
const smallPack = 512

// prefetchDist is how many steps ahead the kernels prefetch a B read in
// place.
const prefetchDist = 16

// packBT packs a w-column micro-panel of a transposed B (element (p, j) is
// b[j*ldb+p]) as kc rows of wp floats. The lanes past w are left as they
// are: every kernel masks them when it loads the last vector of a B row.
func packBT(dst, b []float32, ldb, kc, w, wp int) {
	transBlock(dst, b, w, kc, ldb, wp)
}

// packAN packs an mc×kc block of A (not transposed; a starts at its first
// element) into np tiles of rows (see panels); the tile starting at row r0
// with mr rows is stored at dst[r0*kc:], step after step (kc steps of mr
// floats).
func packAN(dst, a []float32, lda, kc, np, base, extra int) {
	r0 := 0
	for t := range np {
		mr := base
		if t < extra {
			mr++
		}
		transBlock(dst[r0*kc:], a[r0*lda:], mr, kc, lda, mr)
		r0 += mr
	}
}

// packAT is packAN for a transposed A: element (i, p) is a[p*lda+i].
func packAT(dst, a []float32, lda, kc, np, base, extra int) {
	r0 := 0
	for t := range np {
		mr := base
		if t < extra {
			mr++
		}
		copyBlock(dst[r0*kc:], a[r0:], kc, mr, lda, mr)
		r0 += mr
	}
}

// copyBlockGo is the portable copyBlock: dst[r*wp+j] = src[r*lds+j] for
// r < rows, j < w, and zero for w <= j < wp.
func copyBlockGo(dst, src []float32, rows, w, lds, wp int) {
	for r := range rows {
		d := dst[r*wp : r*wp+wp]
		copy(d, src[r*lds:r*lds+w])
		clear(d[w:])
	}
}

// transBlockGo is the portable transBlock: dst[p*ldd+j] = src[j*lds+p] for
// j < w, p < kc.
func transBlockGo(dst, src []float32, w, kc, lds, ldd int) {
	for p := range kc {
		d := dst[p*ldd : p*ldd+w]
		for j := range d {
			d[j] = src[j*lds+p]
		}
	}
}

// transpose sets dst[j*ldd+i] = src[i*lds+j] for i < rows, j < cols.
func transpose(dst, src []float32, rows, cols, lds, ldd int) {
	transBlock(dst, src, rows, cols, lds, ldd)
}

// active is the kernel path of [Fast]: the fastest this CPU runs. Tests
// override it to compare paths.
var active = kernelSets()[0]
