//go:build !noasm

#include "textflag.h"

// The loops of Sums (sums.go), written by hand: element i of a and b goes to
// float64 lane i mod 16. Per element: d = float64(a) − ka, e = float64(b) −
// kb, l1 += d, l2 = fma(d, e, l2), the operations of sumsGo. n is a
// positive multiple of 16; the lanes start from l1 and l2 and are stored
// back.

// func sums512(a, b *float32, n int, ka, kb float64, l1, l2 *[16]float64)
TEXT ·sums512(SB), NOSPLIT, $0-56
	MOVQ a+0(FP), SI
	MOVQ b+8(FP), DI
	MOVQ n+16(FP), CX
	VBROADCASTSD ka+24(FP), Z0
	VBROADCASTSD kb+32(FP), Z1
	MOVQ l1+40(FP), R8
	MOVQ l2+48(FP), R9
	VMOVUPD (R8), Z2    // l1 lanes 0-7
	VMOVUPD 64(R8), Z3  // l1 lanes 8-15
	VMOVUPD (R9), Z4    // l2 lanes 0-7
	VMOVUPD 64(R9), Z5  // l2 lanes 8-15
	XORQ BX, BX

sums512_loop:
	VCVTPS2PD (SI)(BX*4), Z6
	VCVTPS2PD 32(SI)(BX*4), Z7
	VCVTPS2PD (DI)(BX*4), Z8
	VCVTPS2PD 32(DI)(BX*4), Z9
	VSUBPD Z0, Z6, Z6
	VSUBPD Z0, Z7, Z7
	VSUBPD Z1, Z8, Z8
	VSUBPD Z1, Z9, Z9
	VADDPD Z6, Z2, Z2
	VADDPD Z7, Z3, Z3
	VFMADD231PD Z8, Z6, Z4
	VFMADD231PD Z9, Z7, Z5
	ADDQ $16, BX
	CMPQ BX, CX
	JLT sums512_loop

	VMOVUPD Z2, (R8)
	VMOVUPD Z3, 64(R8)
	VMOVUPD Z4, (R9)
	VMOVUPD Z5, 64(R9)
	VZEROUPPER
	RET

// func sums256(a, b *float32, n int, ka, kb float64, l1, l2 *[16]float64)
TEXT ·sums256(SB), NOSPLIT, $0-56
	MOVQ a+0(FP), SI
	MOVQ b+8(FP), DI
	MOVQ n+16(FP), CX
	VBROADCASTSD ka+24(FP), Y0
	VBROADCASTSD kb+32(FP), Y1
	MOVQ l1+40(FP), R8
	MOVQ l2+48(FP), R9
	VMOVUPD (R8), Y2
	VMOVUPD 32(R8), Y3
	VMOVUPD 64(R8), Y4
	VMOVUPD 96(R8), Y5
	VMOVUPD (R9), Y6
	VMOVUPD 32(R9), Y7
	VMOVUPD 64(R9), Y8
	VMOVUPD 96(R9), Y9
	XORQ BX, BX

sums256_loop:
	// Lanes 0-7.
	VCVTPS2PD (SI)(BX*4), Y10
	VCVTPS2PD 16(SI)(BX*4), Y11
	VCVTPS2PD (DI)(BX*4), Y12
	VCVTPS2PD 16(DI)(BX*4), Y13
	VSUBPD Y0, Y10, Y10
	VSUBPD Y0, Y11, Y11
	VSUBPD Y1, Y12, Y12
	VSUBPD Y1, Y13, Y13
	VADDPD Y10, Y2, Y2
	VADDPD Y11, Y3, Y3
	VFMADD231PD Y12, Y10, Y6
	VFMADD231PD Y13, Y11, Y7
	// Lanes 8-15.
	VCVTPS2PD 32(SI)(BX*4), Y10
	VCVTPS2PD 48(SI)(BX*4), Y11
	VCVTPS2PD 32(DI)(BX*4), Y12
	VCVTPS2PD 48(DI)(BX*4), Y13
	VSUBPD Y0, Y10, Y10
	VSUBPD Y0, Y11, Y11
	VSUBPD Y1, Y12, Y12
	VSUBPD Y1, Y13, Y13
	VADDPD Y10, Y4, Y4
	VADDPD Y11, Y5, Y5
	VFMADD231PD Y12, Y10, Y8
	VFMADD231PD Y13, Y11, Y9
	ADDQ $16, BX
	CMPQ BX, CX
	JLT sums256_loop

	VMOVUPD Y2, (R8)
	VMOVUPD Y3, 32(R8)
	VMOVUPD Y4, 64(R8)
	VMOVUPD Y5, 96(R8)
	VMOVUPD Y6, (R9)
	VMOVUPD Y7, 32(R9)
	VMOVUPD Y8, 64(R9)
	VMOVUPD Y9, 96(R9)
	VZEROUPPER
	RET
