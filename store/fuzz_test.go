package store

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzLoadResult: a result file of any content is loaded or refused with an
// error, never a panic.
func FuzzLoadResult(f *testing.F) {
	f.Add([]byte(`{"run": {"spec": {"task": "t", "seed": 1}, "final": {"acc": 0.5, "loss": "NaN"}}, "env": {"revision": "x"}}`))
	f.Add([]byte(`{"run": {"spe`))
	f.Add([]byte(`{"run": 3}`))
	f.Add([]byte(``))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, b []byte) {
		p := filepath.Join(dir, "r.json")
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		if r, err := LoadResult(p); err == nil && r.Record == nil {
			t.Fatal("loaded a result without a record")
		}
	})
}
