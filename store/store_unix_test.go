//go:build unix

package store

import (
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
