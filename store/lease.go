package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// A Lease claims one run for the process computing it, so that other
// processes writing into the same results folder (sweeps, shards, cluster
// jobs) do not compute it too. It is a file beside the result file, created
// exclusively, holding the holder's host and process id, and touched while
// the run lasts. A lease is live while its holder is: on the holder's own
// machine, while the process exists; seen from another machine, while the
// file was touched within the lease's time to live. A crashed holder so
// blocks nobody for long, and a run is never lost: at worst two processes
// compute it, and since runs are deterministic and files are renamed into
// place, the second rename writes the same bytes.
type Lease struct {
	path string
	stop chan struct{}
	done sync.WaitGroup
}

// DefaultLeaseTTL is the time to live of a lease seen from another
// machine: its holder touches it four times as often, so only a holder that
// is gone (or a clock more than that far off) lets it expire.
const DefaultLeaseTTL = 2 * time.Minute

// ErrHeld is returned by AcquireLease when a live process holds the lease.
var ErrHeld = errors.New("run claimed by another live process")

// LeasePath is the lease file of the result file at path.
func LeasePath(path string) string { return path + leaseSuffix }

const leaseSuffix = ".lease"

// AcquireLease claims the run whose result file is path, replacing a lease
// whose holder is gone (see [Lease]). ttl is the time to live of a lease
// held on another machine; the holder touches the file every ttl/4.
func AcquireLease(path string, ttl time.Duration) (*Lease, error) {
	lp := LeasePath(path)
	if err := os.MkdirAll(filepath.Dir(lp), 0o755); err != nil {
		return nil, fmt.Errorf("lease %s: %w", lp, err)
	}
	for attempt := 0; attempt < 2; attempt++ {
		f, err := os.OpenFile(lp, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
		if err == nil {
			_, werr := fmt.Fprintf(f, "%s %d\n", host, os.Getpid())
			if cerr := f.Close(); werr == nil {
				werr = cerr
			}
			if werr != nil {
				os.Remove(lp)
				return nil, fmt.Errorf("lease %s: %w", lp, werr)
			}
			l := &Lease{path: lp, stop: make(chan struct{})}
			l.done.Add(1)
			go l.refresh(ttl / 4)
			return l, nil
		}
		if !errors.Is(err, os.ErrExist) {
			return nil, fmt.Errorf("lease %s: %w", lp, err)
		}
		if LeaseHeld(path, ttl) {
			return nil, ErrHeld
		}
		// The holder is gone: take the lease over. If another process
		// does the same at once, one of the two exclusive creates fails.
		os.Remove(lp)
	}
	return nil, ErrHeld
}

// LeaseHeld reports whether a live process holds the lease of the result
// file at path.
func LeaseHeld(path string, ttl time.Duration) bool {
	lp := LeasePath(path)
	fi, err := os.Stat(lp)
	if err != nil {
		return false
	}
	data, err := os.ReadFile(lp)
	if err != nil {
		return false
	}
	if h, pid, ok := parseLease(string(data)); ok && h == host {
		return processAlive(pid)
	}
	// Another machine's holder, or a lease being written: trust the clock.
	return time.Since(fi.ModTime()) <= ttl
}

func parseLease(s string) (h string, pid int, ok bool) {
	f := strings.Fields(s)
	if len(f) != 2 {
		return "", 0, false
	}
	pid, err := strconv.Atoi(f[1])
	return f[0], pid, err == nil
}

func (l *Lease) refresh(every time.Duration) {
	defer l.done.Done()
	if every <= 0 {
		every = time.Second
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			return
		case now := <-t.C:
			os.Chtimes(l.path, now, now)
		}
	}
}

// Release gives the lease up: call it once the result file is in place, or
// when the run failed.
func (l *Lease) Release() {
	close(l.stop)
	l.done.Wait()
	os.Remove(l.path)
}
