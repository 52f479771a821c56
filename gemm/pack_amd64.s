//go:build !noasm

#include "textflag.h"

// Packing routines of the Fast backend (AVX2; both kernel paths use them).
// Masks come from maskTab: the 8 int32 at maskTab[8-cnt:] select cnt lanes.

// func copyRows(dst, src unsafe.Pointer, rows, w, lds, wp int, mtab unsafe.Pointer)
//
// For r < rows: dst[r*wp : r*wp+w] = src row r (lds bytes apart), and
// dst[r*wp+w : (r+1)*wp] = 0. wp is w, or w rounded up to a multiple of 8.
TEXT ·copyRows(SB), NOSPLIT, $0-56
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ rows+16(FP), CX
	MOVQ w+24(FP), R8
	MOVQ lds+32(FP), R9
	MOVQ wp+40(FP), R10
	MOVQ mtab+48(FP), R11
	VMOVDQU (R11), Y15 // lanes of the tail vector (w%8), all lanes if none
	VXORPS Y14, Y14, Y14
	SHLQ $2, R10 // dst row bytes
	MOVQ R8, R12
	ANDQ $-8, R12 // floats in whole vectors
	SHLQ $2, R12 // bytes in whole vectors
	SHLQ $2, R8 // row bytes
	TESTQ CX, CX
	JZ copy_ret

copy_row:
	XORQ AX, AX

copy_vec:
	CMPQ AX, R12
	JGE copy_tail
	VMOVUPS (SI)(AX*1), Y0
	VMOVUPS Y0, (DI)(AX*1)
	ADDQ $32, AX
	JMP copy_vec

copy_tail:
	CMPQ AX, R8
	JGE copy_zero
	VMASKMOVPS (SI)(AX*1), Y15, Y0
	LEAQ 32(AX), BX
	CMPQ BX, R10
	JG copy_tailmask
	VMOVUPS Y0, (DI)(AX*1)
	MOVQ BX, AX
	JMP copy_zero

copy_tailmask:
	VMASKMOVPS Y0, Y15, (DI)(AX*1)
	MOVQ BX, AX

copy_zero:
	LEAQ 32(AX), BX
	CMPQ BX, R10
	JG copy_next
	VMOVUPS Y14, (DI)(AX*1)
	MOVQ BX, AX
	JMP copy_zero

copy_next:
	ADDQ R9, SI
	ADDQ R10, DI
	DECQ CX
	JNZ copy_row

copy_ret:
	VZEROUPPER
	RET

// func transBlock8(dst unsafe.Pointer, rows *[8]unsafe.Pointer, kc, dstride, cnt int, mtab unsafe.Pointer)
//
// Transposes 8 source rows of kc floats into kc destination rows:
// dst[p*dstride + 4j] = rows[j][p] for j < cnt (the other lanes of dst are
// not written). dstride is in bytes.
TEXT ·transBlock8(SB), NOSPLIT, $0-48
	MOVQ dst+0(FP), DI
	MOVQ rows+8(FP), AX
	MOVQ 0(AX), R8
	MOVQ 8(AX), R9
	MOVQ 16(AX), R10
	MOVQ 24(AX), R11
	MOVQ 32(AX), R12
	MOVQ 40(AX), R13
	MOVQ 48(AX), R14
	MOVQ 56(AX), SI
	MOVQ kc+16(FP), CX
	MOVQ dstride+24(FP), DX
	MOVQ cnt+32(FP), BX
	MOVQ mtab+40(FP), AX
	VMOVDQU (AX), Y15
	XORQ AX, AX // byte offset of step p in the source rows

trans_block:
	CMPQ CX, $8
	JLT trans_tail
	// Y0..Y3: steps p..p+3 of rows (0,4) (1,5) (2,6) (3,7); Y4..Y7 steps p+4..p+7.
	VMOVUPS (R8)(AX*1), X0
	VINSERTF128 $1, (R12)(AX*1), Y0, Y0
	VMOVUPS (R9)(AX*1), X1
	VINSERTF128 $1, (R13)(AX*1), Y1, Y1
	VMOVUPS (R10)(AX*1), X2
	VINSERTF128 $1, (R14)(AX*1), Y2, Y2
	VMOVUPS (R11)(AX*1), X3
	VINSERTF128 $1, (SI)(AX*1), Y3, Y3
	VMOVUPS 16(R8)(AX*1), X4
	VINSERTF128 $1, 16(R12)(AX*1), Y4, Y4
	VMOVUPS 16(R9)(AX*1), X5
	VINSERTF128 $1, 16(R13)(AX*1), Y5, Y5
	VMOVUPS 16(R10)(AX*1), X6
	VINSERTF128 $1, 16(R14)(AX*1), Y6, Y6
	VMOVUPS 16(R11)(AX*1), X7
	VINSERTF128 $1, 16(SI)(AX*1), Y7, Y7
	VUNPCKLPS Y1, Y0, Y8
	VUNPCKHPS Y1, Y0, Y9
	VUNPCKLPS Y3, Y2, Y10
	VUNPCKHPS Y3, Y2, Y11
	VSHUFPS $0x44, Y10, Y8, Y0
	VSHUFPS $0xEE, Y10, Y8, Y1
	VSHUFPS $0x44, Y11, Y9, Y2
	VSHUFPS $0xEE, Y11, Y9, Y3
	VUNPCKLPS Y5, Y4, Y8
	VUNPCKHPS Y5, Y4, Y9
	VUNPCKLPS Y7, Y6, Y10
	VUNPCKHPS Y7, Y6, Y11
	VSHUFPS $0x44, Y10, Y8, Y4
	VSHUFPS $0xEE, Y10, Y8, Y5
	VSHUFPS $0x44, Y11, Y9, Y6
	VSHUFPS $0xEE, Y11, Y9, Y7
	CMPQ BX, $8
	JLT trans_masked
	VMOVUPS Y0, (DI)
	ADDQ DX, DI
	VMOVUPS Y1, (DI)
	ADDQ DX, DI
	VMOVUPS Y2, (DI)
	ADDQ DX, DI
	VMOVUPS Y3, (DI)
	ADDQ DX, DI
	VMOVUPS Y4, (DI)
	ADDQ DX, DI
	VMOVUPS Y5, (DI)
	ADDQ DX, DI
	VMOVUPS Y6, (DI)
	ADDQ DX, DI
	VMOVUPS Y7, (DI)
	ADDQ DX, DI
	JMP trans_next

trans_masked:
	VMASKMOVPS Y0, Y15, (DI)
	ADDQ DX, DI
	VMASKMOVPS Y1, Y15, (DI)
	ADDQ DX, DI
	VMASKMOVPS Y2, Y15, (DI)
	ADDQ DX, DI
	VMASKMOVPS Y3, Y15, (DI)
	ADDQ DX, DI
	VMASKMOVPS Y4, Y15, (DI)
	ADDQ DX, DI
	VMASKMOVPS Y5, Y15, (DI)
	ADDQ DX, DI
	VMASKMOVPS Y6, Y15, (DI)
	ADDQ DX, DI
	VMASKMOVPS Y7, Y15, (DI)
	ADDQ DX, DI

trans_next:
	ADDQ $32, AX
	SUBQ $8, CX
	JMP trans_block

trans_tail:
	// The last kc%8 steps, one float at a time.
	TESTQ CX, CX
	JZ trans_ret
	VMOVSS (R8)(AX*1), X0
	VMOVSS X0, 0(DI)
	CMPQ BX, $2
	JLT trans_tailnext
	VMOVSS (R9)(AX*1), X0
	VMOVSS X0, 4(DI)
	CMPQ BX, $3
	JLT trans_tailnext
	VMOVSS (R10)(AX*1), X0
	VMOVSS X0, 8(DI)
	CMPQ BX, $4
	JLT trans_tailnext
	VMOVSS (R11)(AX*1), X0
	VMOVSS X0, 12(DI)
	CMPQ BX, $5
	JLT trans_tailnext
	VMOVSS (R12)(AX*1), X0
	VMOVSS X0, 16(DI)
	CMPQ BX, $6
	JLT trans_tailnext
	VMOVSS (R13)(AX*1), X0
	VMOVSS X0, 20(DI)
	CMPQ BX, $7
	JLT trans_tailnext
	VMOVSS (R14)(AX*1), X0
	VMOVSS X0, 24(DI)
	CMPQ BX, $8
	JLT trans_tailnext
	VMOVSS (SI)(AX*1), X0
	VMOVSS X0, 28(DI)

trans_tailnext:
	ADDQ $4, AX
	ADDQ DX, DI
	DECQ CX
	JMP trans_tail

trans_ret:
	VZEROUPPER
	RET

