package speed

import (
	"time"

	"golang.org/x/sys/unix"
)

// CPUTime is the CPU time this process has consumed (all threads): on a
// shared machine it counts only the time the process actually ran.
func CPUTime() time.Duration {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_PROCESS_CPUTIME_ID, &ts); err != nil {
		panic(err)
	}
	return time.Duration(ts.Nano())
}

// HasCPUTime reports whether CPUTime measures CPU time (not wall time).
const HasCPUTime = true
