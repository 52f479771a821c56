//go:build unix

package store

import (
	"errors"
	"syscall"
)

// processAlive reports whether process pid of this machine exists (a
// signal 0 reaches it, or it belongs to another user).
func processAlive(pid int) bool {
	if pid <= 0 {
		return false
	}
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
