package format

import (
	"fmt"
	"time"
)

// Duration prints d in the largest sensible unit: days from 48 hours, hours
// from 2 hours, minutes from 2 minutes, else seconds; "—" when d ≤ 0 (no
// estimate).
func Duration(d time.Duration) string {
	switch h := d.Hours(); {
	case d <= 0:
		return "—"
	case h >= 48:
		return fmt.Sprintf("%.1f days", h/24)
	case h >= 2:
		return fmt.Sprintf("%.1f h", h)
	case d >= 2*time.Minute:
		return fmt.Sprintf("%.0f min", d.Minutes())
	default:
		return fmt.Sprintf("%.0f s", d.Seconds())
	}
}

// Seconds is Duration of a number of seconds.
func Seconds(s float64) string { return Duration(time.Duration(s * float64(time.Second))) }
