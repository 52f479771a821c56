package cifar10

import (
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"

	"github.com/mollifying/mollify/nn"
	"github.com/mollifying/mollify/train"
)

// The binary format: every record is one label byte (0-9) followed by the
// 32×32 image's red, green and blue planes, each row-major (3,073 bytes).
const (
	Side       = 32
	Channels   = 3
	ImageBytes = Channels * Side * Side
	RecordSize = 1 + ImageBytes
	Classes    = 10
	// RecordsPerFile is the number of records of every real file.
	RecordsPerFile = 10000
)

// TrainFiles are the training files, in the order their records are
// concatenated; TestFile is the test file.
var TrainFiles = []string{"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"}

// TestFile is the file of the 10,000 test images.
const TestFile = "test_batch.bin"

// Published are the SHA-1 sums of the binary version's files (MXNet's
// gluon/data/vision/datasets.py; paper/DATASETS.md).
var Published = map[string]string{
	"data_batch_1.bin": "aadd24acce27caa71bf4b10992e9e7b2d74c2540",
	"data_batch_2.bin": "c0ba65cce70568cd57b4e03e9ac8d2a5367c1795",
	"data_batch_3.bin": "1dd00a74ab1d17a6e7d73e185b69dbf31242f295",
	"data_batch_4.bin": "aab85764eb3584312d3c7f65fd2fd016e36a258e",
	"data_batch_5.bin": "26e2849e66a845b7f1e4614ae70f4889ae604628",
	"test_batch.bin":   "67eb016db431130d61cd03c7ad570b013799c88c",
}

// EnvDir is the environment variable naming the directory of the real
// files.
const EnvDir = "MOLLIFY_CIFAR10"

// DefaultDir is where the files are looked for when EnvDir is not set,
// relative to the working directory.
const DefaultDir = "data/cifar-10-batches-bin"

// HowToGet tells a user where the real files come from and where to put
// them; errors about missing or corrupt files end with it.
const HowToGet = `CIFAR-10 is not redistributed with this suite. Download the binary version,
  https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz (170,052,171 bytes, md5 c32a1d4ab5d03f1284b67883e8d87530),
extract it (tar xzf cifar-10-binary.tar.gz), and either set ` + EnvDir + `=/path/to/cifar-10-batches-bin
or put the folder at ./` + DefaultDir + `. The folder must hold data_batch_1.bin ... data_batch_5.bin
and test_batch.bin (30,730,000 bytes each); their SHA-1 sums are checked.`

// Images is a set of labelled images: image i is
// Pixels[i·ImageBytes:(i+1)·ImageBytes], in the file's channel-major layout.
type Images struct {
	Pixels []uint8
	Labels []uint8
}

// Len is the number of images.
func (im *Images) Len() int { return len(im.Labels) }

// Set is the training and test images of the data set.
type Set struct {
	Train, Test Images
}

// Dir returns the directory of the real files: $MOLLIFY_CIFAR10 when set,
// else DefaultDir. It does not check that the files are there.
func Dir() string {
	if d := os.Getenv(EnvDir); d != "" {
		return d
	}
	return DefaultDir
}

// Open loads the real data set from dir and checks every file against the
// published SHA-1 sums. A dir holding the extracted cifar-10-batches-bin
// folder (rather than being it) is accepted too.
func Open(dir string) (*Set, error) {
	if _, err := os.Stat(filepath.Join(dir, TrainFiles[0])); errors.Is(err, fs.ErrNotExist) {
		if _, err := os.Stat(filepath.Join(dir, "cifar-10-batches-bin", TrainFiles[0])); err == nil {
			dir = filepath.Join(dir, "cifar-10-batches-bin")
		}
	}
	set, err := Load(os.DirFS(dir), Published)
	if err != nil {
		return nil, fmt.Errorf("%w (looked in %s)\n%s", err, dir, HowToGet)
	}
	return set, nil
}

// Load reads the training files and the test file from fsys. When sums is
// not nil every file's SHA-1 must equal sums[name]; the synthetic stand-in
// is loaded with nil sums, and checked for format only.
func Load(fsys fs.FS, sums map[string]string) (*Set, error) {
	set := &Set{}
	for _, name := range TrainFiles {
		if err := readFile(fsys, name, sums, &set.Train); err != nil {
			return nil, err
		}
	}
	if err := readFile(fsys, TestFile, sums, &set.Test); err != nil {
		return nil, err
	}
	return set, nil
}

// readFile appends the records of one file to im.
func readFile(fsys fs.FS, name string, sums map[string]string, im *Images) error {
	f, err := fsys.Open(name)
	if err != nil {
		hint := ""
		if _, e := fs.Stat(fsys, name[:len(name)-len(".bin")]); e == nil {
			hint = " (found the Python version's file instead: the binary version is needed)"
		}
		return fmt.Errorf("cifar10: cannot read %s%s: %w", name, hint, err)
	}
	defer f.Close()
	h := sha1.New()
	b, err := io.ReadAll(io.TeeReader(f, h))
	if err != nil {
		return fmt.Errorf("cifar10: reading %s: %w", name, err)
	}
	if sums != nil {
		if got, want := hex.EncodeToString(h.Sum(nil)), sums[name]; got != want {
			return fmt.Errorf("cifar10: %s has SHA-1 %s, want %s: the file is corrupt, truncated or not the binary version", name, got, want)
		}
	}
	if len(b) == 0 || len(b)%RecordSize != 0 {
		return fmt.Errorf("cifar10: %s has %d bytes, not a whole number of %d-byte records", name, len(b), RecordSize)
	}
	im.Labels = slices.Grow(im.Labels, len(b)/RecordSize)
	im.Pixels = slices.Grow(im.Pixels, len(b)/RecordSize*ImageBytes)
	for r := 0; r < len(b); r += RecordSize {
		if b[r] >= Classes {
			return fmt.Errorf("cifar10: %s record %d has label %d, want 0-%d", name, r/RecordSize, b[r], Classes-1)
		}
		im.Labels = append(im.Labels, b[r])
		im.Pixels = append(im.Pixels, b[r+1:r+RecordSize]...)
	}
	return nil
}

// Prep says how images become network inputs.
type Prep struct {
	// Valid is the number of training images, the last ones, held out for
	// validation.
	Valid int `json:"valid"`
	// Downsample, when above 1, averages Downsample×Downsample pixel blocks
	// (the quick profile's smaller images).
	Downsample int `json:"downsample"`
}

// Shape is the shape of the network inputs p makes.
func (p Prep) Shape() nn.Shape {
	f := max(p.Downsample, 1)
	return nn.Shape{C: Channels, H: Side / f, W: Side / f}
}

// Data turns the set into the training problem: the first Len−Valid
// training images for training, the last Valid for validation, and the test
// images. Pixels are scaled to [0, 1], averaged down when asked, and each
// channel is standardised with the mean and standard deviation of the
// training part (not of the validation or test images).
func (s *Set) Data(p Prep) (*train.Data, error) {
	n := s.Train.Len()
	f := max(p.Downsample, 1)
	switch {
	case p.Valid < 1 || p.Valid >= n:
		return nil, fmt.Errorf("cifar10: %d validation images of %d training images, want 1 to %d", p.Valid, n, n-1)
	case Side%f != 0:
		return nil, fmt.Errorf("cifar10: downsample %d does not divide the %d-pixel side", f, Side)
	}
	shape := p.Shape()
	conv := func(im *Images, lo, hi int) train.Split {
		x := nn.NewMat[float32](hi-lo, shape.Size())
		y := make([]int32, hi-lo)
		inv := 1 / (255 * float64(f*f))
		for i := lo; i < hi; i++ {
			src := im.Pixels[i*ImageBytes : (i+1)*ImageBytes]
			dst := x.Row(i - lo)
			for c := range Channels {
				for a := range shape.H {
					for b := range shape.W {
						var s int
						for u := range f {
							row := src[(c*Side+a*f+u)*Side+b*f:]
							for v := range f {
								s += int(row[v])
							}
						}
						dst[(c*shape.H+a)*shape.W+b] = float32(float64(s) * inv)
					}
				}
			}
			y[i-lo] = int32(im.Labels[i])
		}
		return train.Split{X: x, Y: y}
	}
	d := &train.Data{
		Train:   conv(&s.Train, 0, n-p.Valid),
		Valid:   conv(&s.Train, n-p.Valid, n),
		Test:    conv(&s.Test, 0, s.Test.Len()),
		Classes: Classes,
	}
	mean, std := channelStats(d.Train.X, shape)
	for _, sp := range []train.Split{d.Train, d.Valid, d.Test} {
		standardise(sp.X, shape, mean, std)
	}
	return d, nil
}

// channelStats returns each channel's mean and (population) standard
// deviation over a batch of images.
func channelStats(x *nn.Mat[float32], shape nn.Shape) (mean, std []float64) {
	mean, std = make([]float64, shape.C), make([]float64, shape.C)
	p := shape.Plane()
	m := float64(x.Rows * p)
	for i := range x.Rows {
		for c := range shape.C {
			for _, v := range x.Row(i)[c*p : (c+1)*p] {
				mean[c] += float64(v)
			}
		}
	}
	for c := range mean {
		mean[c] /= m
	}
	for i := range x.Rows {
		for c := range shape.C {
			for _, v := range x.Row(i)[c*p : (c+1)*p] {
				d := float64(v) - mean[c]
				std[c] += d * d
			}
		}
	}
	for c := range std {
		std[c] = math.Sqrt(std[c] / m)
		if std[c] < 1e-12 {
			std[c] = 1 // a constant channel: centre it only
		}
	}
	return mean, std
}

func standardise(x *nn.Mat[float32], shape nn.Shape, mean, std []float64) {
	p := shape.Plane()
	for i := range x.Rows {
		for c := range shape.C {
			row := x.Row(i)[c*p : (c+1)*p]
			for j, v := range row {
				row[j] = float32((float64(v) - mean[c]) / std[c])
			}
		}
	}
}
