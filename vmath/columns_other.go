//go:build !amd64 || noasm

package vmath

func colAdd512(*float64, *float32, int) { panic("vmath: no assembly path") }

func colAddSqDev512(*float64, *float64, *float32, int) { panic("vmath: no assembly path") }

func colAddDot512(*float64, *float64, *float32, *float32, int) { panic("vmath: no assembly path") }

func colNormalize512(*float32, *float32, *float32, *float64, *float64, *float32, *float32, int) {
	panic("vmath: no assembly path")
}

func colNormalizeGrad512(*float32, *float32, *float32, *float64, *float64, *float64, float64, int) {
	panic("vmath: no assembly path")
}
