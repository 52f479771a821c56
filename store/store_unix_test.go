//go:build unix

package store

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestWriteAtomicMode: a result file is readable by others (0644 less the
// umask), not private like os.CreateTemp's files, and an existing stale
// temporary file of the same name does not stop the write.
func TestWriteAtomicMode(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	dir := t.TempDir()
	path := filepath.Join(dir, "r.json")
	if err := WriteAtomic(path, []byte("{}\n")); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != 0o644 {
		t.Errorf("mode %v, want -rw-r--r--", got)
	}
	syscall.Umask(0o077)
	stale := filepath.Join(dir, tempName(host, os.Getpid(), tmpSeq.Load()+1))
	if err := os.WriteFile(stale, []byte("partial"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteAtomic(path, []byte("{}\n")); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("with umask 077: mode %v, want -rw-------", fi.Mode().Perm())
	}
}

// TestStaleTemps: the clean-up at the start of a sweep removes the
// temporary files of ended processes of this machine and old ones of other
// machines, and leaves those of live writers, here or elsewhere, alone.
func TestStaleTemps(t *testing.T) {
	ended := exec.Command("true")
	if err := ended.Run(); err != nil {
		t.Skip("no true command:", err)
	}
	now := time.Now()
	for _, c := range []struct {
		name  string
		age   time.Duration
		stale bool
	}{
		{tempName(host, os.Getpid(), 1), 48 * time.Hour, false},   // this live process, however old
		{tempName(host, ended.Process.Pid, 1), time.Minute, true}, // an ended writer of this machine
		{tempName("elsewhere", os.Getpid(), 1), time.Hour, false}, // another machine, recent: maybe live
		{tempName("elsewhere", 12345, 1), 25 * time.Hour, true},   // another machine, a day old
		{tmpPrefix + "4242-7", 25 * time.Hour, true},              // an older name format, old
		{tmpPrefix + "4242-7", time.Hour, false},                  // an older name format, recent
		{"final-0123456789abcdef.json", 100 * time.Hour, false},   // a result file
	} {
		if got := stale(c.name, now.Add(-c.age), now); got != c.stale {
			t.Errorf("stale(%s, %v old) = %v, want %v", c.name, c.age, got, c.stale)
		}
	}
	dir := t.TempDir()
	runs := filepath.Join(dir, "runs", "t", "c")
	if err := os.MkdirAll(runs, 0o755); err != nil {
		t.Fatal(err)
	}
	live := filepath.Join(runs, tempName(host, os.Getpid(), 99))
	dead := filepath.Join(runs, tempName(host, ended.Process.Pid, 99))
	for _, p := range []string{live, dead} {
		if err := os.WriteFile(p, []byte("partial"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	RemoveStaleTemps(dir)
	if _, err := os.Stat(live); err != nil {
		t.Errorf("a live writer's file was removed: %v", err)
	}
	if _, err := os.Stat(dead); err == nil {
		t.Error("an ended writer's file was left")
	}
}

func TestLease(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "run.json")
	ttl := time.Minute
	l, err := AcquireLease(path, ttl)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := AcquireLease(path, ttl); !errors.Is(err, ErrHeld) {
		t.Fatalf("second acquire: %v, want ErrHeld", err)
	}
	if !LeaseHeld(path, ttl) {
		t.Fatal("a live lease is not held")
	}
	l.Release()
	if LeaseHeld(path, ttl) {
		t.Fatal("a released lease is held")
	}
	if _, err := os.Stat(LeasePath(path)); !os.IsNotExist(err) {
		t.Fatalf("lease file after release: %v", err)
	}

	// Leases left by holders that are gone are taken over; live ones are not.
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	deadPID := cmd.Process.Pid
	old := time.Now().Add(-2 * ttl)
	for _, c := range []struct {
		name    string
		content string
		mod     time.Time
		held    bool
	}{
		{"this machine, process ended", fmt.Sprintf("%s %d\n", host, deadPID), time.Now(), false},
		{"this machine, process alive though the file is old", fmt.Sprintf("%s %d\n", host, os.Getpid()), old, true},
		{"another machine, touched recently", "elsewhere 1\n", time.Now(), true},
		{"another machine, not touched for two TTLs", "elsewhere 1\n", old, false},
		{"unreadable content, recent", "garbage", time.Now(), true},
		{"unreadable content, old", "garbage", old, false},
	} {
		lp := LeasePath(path)
		if err := os.WriteFile(lp, []byte(c.content), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(lp, c.mod, c.mod); err != nil {
			t.Fatal(err)
		}
		if got := LeaseHeld(path, ttl); got != c.held {
			t.Errorf("%s: held = %v, want %v", c.name, got, c.held)
		}
		l, err := AcquireLease(path, ttl)
		if c.held != errors.Is(err, ErrHeld) || !c.held && err != nil {
			t.Errorf("%s: acquire error %v, want held=%v", c.name, err, c.held)
		}
		if l != nil {
			l.Release()
		}
		os.Remove(lp)
	}
}

// TestLeaseRefresh: a holder keeps its lease fresh for other machines.
func TestLeaseRefresh(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run.json")
	ttl := 80 * time.Millisecond
	l, err := AcquireLease(path, ttl)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release()
	past := time.Now().Add(-time.Hour)
	os.Chtimes(LeasePath(path), past, past)
	time.Sleep(3 * ttl / 4)
	fi, err := os.Stat(LeasePath(path))
	if err != nil {
		t.Fatal(err)
	}
	if time.Since(fi.ModTime()) > ttl {
		t.Fatalf("lease not refreshed: modified %v ago", time.Since(fi.ModTime()))
	}
}
