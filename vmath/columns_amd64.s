//go:build !noasm

#include "textflag.h"

// The AVX-512 loops of the column kernels (columns.go), 8 float64 lanes per
// step, n a positive multiple of 8. Products and sums are separate
// instructions (no FMA), in the Go loops' order.

// func colAdd512(acc *float64, x *float32, n int)
TEXT ·colAdd512(SB), NOSPLIT, $0-24
	MOVQ acc+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ n+16(FP), CX
	XORQ BX, BX

colAdd_loop:
	VCVTPS2PD (SI)(BX*4), Z0
	VADDPD (DI)(BX*8), Z0, Z0
	VMOVUPD Z0, (DI)(BX*8)
	ADDQ $8, BX
	CMPQ BX, CX
	JLT colAdd_loop
	VZEROUPPER
	RET

// func colAddSqDev512(acc, mean *float64, x *float32, n int)
TEXT ·colAddSqDev512(SB), NOSPLIT, $0-32
	MOVQ acc+0(FP), DI
	MOVQ mean+8(FP), R8
	MOVQ x+16(FP), SI
	MOVQ n+24(FP), CX
	XORQ BX, BX

colAddSqDev_loop:
	VCVTPS2PD (SI)(BX*4), Z0
	VSUBPD (R8)(BX*8), Z0, Z0
	VMULPD Z0, Z0, Z0
	VADDPD (DI)(BX*8), Z0, Z0
	VMOVUPD Z0, (DI)(BX*8)
	ADDQ $8, BX
	CMPQ BX, CX
	JLT colAddSqDev_loop
	VZEROUPPER
	RET

// func colAddDot512(s, sp *float64, a, b *float32, n int)
TEXT ·colAddDot512(SB), NOSPLIT, $0-40
	MOVQ s+0(FP), DI
	MOVQ sp+8(FP), R8
	MOVQ a+16(FP), SI
	MOVQ b+24(FP), R9
	MOVQ n+32(FP), CX
	XORQ BX, BX

colAddDot_loop:
	VCVTPS2PD (SI)(BX*4), Z0
	VCVTPS2PD (R9)(BX*4), Z1
	VADDPD (DI)(BX*8), Z0, Z2
	VMOVUPD Z2, (DI)(BX*8)
	VMULPD Z1, Z0, Z1
	VADDPD (R8)(BX*8), Z1, Z1
	VMOVUPD Z1, (R8)(BX*8)
	ADDQ $8, BX
	CMPQ BX, CX
	JLT colAddDot_loop
	VZEROUPPER
	RET

// func colNormalize512(h, y, x *float32, mean, inv *float64, gamma, beta *float32, n int)
TEXT ·colNormalize512(SB), NOSPLIT, $0-64
	MOVQ h+0(FP), DI
	MOVQ y+8(FP), DX
	MOVQ x+16(FP), SI
	MOVQ mean+24(FP), R8
	MOVQ inv+32(FP), R9
	MOVQ gamma+40(FP), R10
	MOVQ beta+48(FP), R11
	MOVQ n+56(FP), CX
	XORQ BX, BX

colNormalize_loop:
	VCVTPS2PD (SI)(BX*4), Z0
	VSUBPD (R8)(BX*8), Z0, Z0
	VMULPD (R9)(BX*8), Z0, Z0
	VCVTPD2PS Z0, Y1
	VMOVUPS Y1, (DI)(BX*4)
	VCVTPS2PD (R10)(BX*4), Z2
	VMULPD Z0, Z2, Z2
	VCVTPS2PD (R11)(BX*4), Z3
	VADDPD Z3, Z2, Z2
	VCVTPD2PS Z2, Y2
	VMOVUPS Y2, (DX)(BX*4)
	ADDQ $8, BX
	CMPQ BX, CX
	JLT colNormalize_loop
	VZEROUPPER
	RET

// func colNormalizeGrad512(dx, dy, h *float32, sc, sh, sdx *float64, inv float64, n int)
TEXT ·colNormalizeGrad512(SB), NOSPLIT, $0-64
	MOVQ dx+0(FP), DI
	MOVQ dy+8(FP), SI
	MOVQ h+16(FP), DX
	MOVQ sc+24(FP), R8
	MOVQ sh+32(FP), R9
	MOVQ sdx+40(FP), R10
	VBROADCASTSD inv+48(FP), Z9
	MOVQ n+56(FP), CX
	XORQ BX, BX

colNormalizeGrad_loop:
	VCVTPS2PD (DX)(BX*4), Z1
	VMULPD Z1, Z9, Z1
	VMULPD (R10)(BX*8), Z1, Z1
	VCVTPS2PD (SI)(BX*4), Z0
	VSUBPD (R9)(BX*8), Z0, Z0
	VSUBPD Z1, Z0, Z0
	VMULPD (R8)(BX*8), Z0, Z0
	VCVTPD2PS Z0, Y0
	VMOVUPS Y0, (DI)(BX*4)
	ADDQ $8, BX
	CMPQ BX, CX
	JLT colNormalizeGrad_loop
	VZEROUPPER
	RET
