//go:build !amd64 || noasm

package vmath

func sums512(*float32, *float32, int, float64, float64, *[sumLanes]float64, *[sumLanes]float64) {
	panic("vmath: no assembly path")
}

func sums256(*float32, *float32, int, float64, float64, *[sumLanes]float64, *[sumLanes]float64) {
	panic("vmath: no assembly path")
}

func sumsPos512(*float32, *float32, *float32, int, float64, *[sumLanes]float64, *[sumLanes]float64) {
	panic("vmath: no assembly path")
}

func sumsPos256(*float32, *float32, *float32, int, float64, *[sumLanes]float64, *[sumLanes]float64) {
	panic("vmath: no assembly path")
}
