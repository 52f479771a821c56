package store

import (
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/mollifying/mollify/experiment"
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

// TestDigest: Digest of a record is the digest LoadResult gives the file
// holding it, whatever the file's indentation, and any change of a value
// (a NaN included) changes it.
func TestDigest(t *testing.T) {
	rec := &experiment.Record{
		Spec:  experiment.RunSpec{Task: "t", Config: "c", Phase: experiment.Final, Seed: 3, Hyper: experiment.Hyper{"lr": 0.1}},
		Final: experiment.Values{"loss": 0.25, "nan": experiment.Num(math.NaN())},
	}
	path := filepath.Join(t.TempDir(), "r.json")
	if err := WriteResult(path, rec, Env{WallSeconds: 1}); err != nil {
		t.Fatal(err)
	}
	loaded, err := LoadResult(path)
	if err != nil {
		t.Fatal(err)
	}
	d, err := Digest(rec)
	if err != nil {
		t.Fatal(err)
	}
	if d != loaded.Digest {
		t.Fatalf("Digest %s, LoadResult %s", d, loaded.Digest)
	}
	if d2, _ := Digest(loaded.Record); d2 != d {
		t.Errorf("the decoded record's digest %s differs from %s", d2, d)
	}
	rec.Final["loss"] = experiment.Num(math.Nextafter(0.25, 1))
	if d3, _ := Digest(rec); d3 == d {
		t.Error("a one-ulp change kept the digest")
	}
}
