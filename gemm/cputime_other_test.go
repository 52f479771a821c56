//go:build !linux

package gemm

import "time"

var start = time.Now()

// cpuTime falls back to wall time where the process CPU clock is not wired.
func cpuTime() time.Duration { return time.Since(start) }
