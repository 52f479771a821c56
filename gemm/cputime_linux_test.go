package gemm

import (
	"time"

	"golang.org/x/sys/unix"
)

// cpuTime is the CPU time consumed by this process.
func cpuTime() time.Duration {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_PROCESS_CPUTIME_ID, &ts); err != nil {
		panic(err)
	}
	return time.Duration(ts.Nano())
}
