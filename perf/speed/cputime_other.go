//go:build !linux

package speed

import "time"

var start = time.Now()

// CPUTime falls back to wall time where the process CPU clock is not
// wired up: measurements then include the time other processes ran.
func CPUTime() time.Duration { return time.Since(start) }

// HasCPUTime reports whether CPUTime measures CPU time (not wall time).
const HasCPUTime = false
