package cifar10

import (
	"testing"
	"testing/fstest"
)

// FuzzReadFile: the binary-batch reader never panics, and what it accepts
// is whole records with labels below Classes.
func FuzzReadFile(f *testing.F) {
	rec := make([]byte, RecordSize)
	rec[0] = 3
	f.Add(rec)
	f.Add(rec[:RecordSize-1])
	f.Add([]byte{})
	f.Add(append([]byte{200}, rec[1:]...))
	f.Fuzz(func(t *testing.T, b []byte) {
		fsys := fstest.MapFS{"x.bin": {Data: b}}
		var im Images
		if err := readFile(fsys, "x.bin", nil, &im); err == nil {
			if len(im.Pixels) != len(im.Labels)*ImageBytes || len(im.Labels) == 0 {
				t.Fatalf("accepted %d labels and %d pixel bytes", len(im.Labels), len(im.Pixels))
			}
			for _, l := range im.Labels {
				if l >= Classes {
					t.Fatalf("accepted label %d", l)
				}
			}
		}
	})
}
