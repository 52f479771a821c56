package cifar10

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing/fstest"

	"github.com/mollifying/mollify/rng"
)

// ClassNames are CIFAR-10's classes, in label order (batches.meta.txt).
var ClassNames = []string{"airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"}

// synthColours are the colours of the synthetic classes' gratings: unit RGB
// directions at hue angles 36°·label, so that every class has its own.
var synthColours = func() [Classes][Channels]float64 {
	var c [Classes][Channels]float64
	for k := range Classes {
		h := 2 * math.Pi * float64(k) / Classes
		for ch := range Channels {
			c[k][ch] = math.Cos(h - 2*math.Pi*float64(ch)/Channels)
		}
	}
	return c
}()

// Synthetic returns a synthetic stand-in for CIFAR-10 in the exact binary
// format and under the real file names: perFile records in each of
// data_batch_1.bin ... data_batch_5.bin, test records in test_batch.bin,
// and batches.meta.txt. It is what the tests and the quick profile train
// on, through the same loader as the real files.
//
// An image of class k (labels drawn uniformly) is a sinusoidal grating of
// f = 1 + ⌊k/2⌋ cycles per 32 pixels, horizontal stripes for even k and
// vertical for odd k, with a random phase and an amplitude A ~ U(16, 32),
// coloured by the class's hue (a unit RGB direction at 36°·k), on a random
// uniform background (each channel U(70, 185)), plus independent
// N(0, 40²) pixel noise, rounded and clipped to 0..255. Flips and
// translations change only the phase, so the recipe's augmentation keeps
// the label. The constants are set so that the quick profile's small ResNet
// learns the classes but does not saturate (about 68% test accuracy after
// its 4 epochs; with A ~ U(30, 60) and noise 25 it reaches 100%, with
// A ~ U(8, 20) and noise 50 it stays at chance). Each file draws from its
// own stream (seed, "cifar10/synthetic/" + name).
func Synthetic(perFile, test int, seed uint64) fstest.MapFS {
	fsys := fstest.MapFS{
		"batches.meta.txt": &fstest.MapFile{Data: []byte(strings.Join(ClassNames, "\n") + "\n\n")},
	}
	for _, name := range TrainFiles {
		fsys[name] = &fstest.MapFile{Data: synthFile(name, perFile, seed)}
	}
	fsys[TestFile] = &fstest.MapFile{Data: synthFile(TestFile, test, seed)}
	return fsys
}

// WriteSynthetic writes the files of Synthetic(perFile, test, seed) into dir,
// to inspect them or to try the loader on real files.
func WriteSynthetic(dir string, perFile, test int, seed uint64) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("cifar10: %w", err)
	}
	for name, f := range Synthetic(perFile, test, seed) {
		if err := os.WriteFile(filepath.Join(dir, name), f.Data, 0o644); err != nil {
			return fmt.Errorf("cifar10: %w", err)
		}
	}
	return nil
}

func synthFile(name string, n int, seed uint64) []byte {
	r := rng.New(seed, "cifar10/synthetic/"+name)
	b := make([]byte, n*RecordSize)
	for i := range n {
		rec := b[i*RecordSize : (i+1)*RecordSize]
		k := r.IntN(Classes)
		rec[0] = byte(k)
		freq := float64(1 + k/2)
		vertical := k%2 == 1
		phase := 2 * math.Pi * r.Float64()
		amp := 16 + 16*r.Float64()
		var bg [Channels]float64
		for c := range bg {
			bg[c] = 70 + 115*r.Float64()
		}
		px := rec[1:]
		for c := range Channels {
			a := amp * synthColours[k][c]
			for y := range Side {
				for x := range Side {
					u := y
					if vertical {
						u = x
					}
					v := bg[c] + a*math.Cos(2*math.Pi*freq*float64(u)/Side+phase) + 40*r.NormFloat64()
					px[(c*Side+y)*Side+x] = byte(max(0, min(255, math.Round(v))))
				}
			}
		}
	}
	return b
}
