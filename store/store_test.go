package store

import (
	"os"
	"path/filepath"
	"testing"
)

func TestWriteAtomicLeavesNoPartialFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "x.json")
	if err := WriteAtomic(path, []byte("one")); err != nil {
		t.Fatal(err)
	}
	// A write into a directory that cannot be created fails without
	// touching anything.
	if err := WriteAtomic(filepath.Join(path, "y.json"), []byte("two")); err == nil {
		t.Fatal("write under a file succeeded")
	}
	b, _ := os.ReadFile(path)
	if string(b) != "one" {
		t.Fatalf("content %q", b)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("directory holds %d entries, want 1", len(entries))
	}
}
