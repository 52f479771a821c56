package pentomino

import (
	"bytes"
	"flag"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

var regen = flag.Bool("regen", false, "rewrite paper/figures/pentomino-samples.png")

// samplesPNG is the committed sample sheet, relative to this package.
var samplesPNG = filepath.Join("..", "..", "paper", "figures", "pentomino-samples.png")

// TestSamplesFigure keeps the committed sample sheet (the first 16 training
// images) in step with the generator: it compares pixels, not file bytes,
// so that a change of the PNG encoder does not matter. Regenerate with
//
//	go test ./tasks/pentomino -run TestSamplesFigure -regen
func TestSamplesFigure(t *testing.T) {
	want := SampleSheet(Generate(16, TrainSeed), 4)
	if *regen {
		var buf bytes.Buffer
		if err := png.Encode(&buf, want); err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Dir(samplesPNG), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(samplesPNG, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	f, err := os.Open(samplesPNG)
	if err != nil {
		t.Fatalf("%v (regenerate with -regen)", err)
	}
	defer f.Close()
	got, err := png.Decode(f)
	if err != nil {
		t.Fatalf("decoding %s: %v", samplesPNG, err)
	}
	if got.Bounds() != want.Bounds() {
		t.Fatalf("%s is %v, the generator draws %v (regenerate with -regen)", samplesPNG, got.Bounds(), want.Bounds())
	}
	for y := want.Bounds().Min.Y; y < want.Bounds().Max.Y; y++ {
		for x := want.Bounds().Min.X; x < want.Bounds().Max.X; x++ {
			r1, g1, b1, a1 := got.At(x, y).RGBA()
			r2, g2, b2, a2 := want.At(x, y).RGBA()
			if r1 != r2 || g1 != g2 || b1 != b2 || a1 != a2 {
				t.Fatalf("%s differs from the generator's sheet at %v (regenerate with -regen)", samplesPNG, image.Pt(x, y))
			}
		}
	}
}
