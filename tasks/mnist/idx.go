package mnist

import (
	"bytes"
	"compress/gzip"
	"crypto/md5"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// File is one of LeCun's four gzipped idx files and its published checksum
// (paper/DATASETS.md; the widely published values, e.g. torchvision's).
type File struct {
	Name  string
	Bytes int64
	MD5   string
}

// The four files, and the idx magic numbers of their contents.
var (
	TrainImages = File{"train-images-idx3-ubyte.gz", 9912422, "f68b3c2dcbeaaa9fbdd348bbdeb94873"}
	TrainLabels = File{"train-labels-idx1-ubyte.gz", 28881, "d53e105ee54ea40749a09fcbcd1e9432"}
	TestImages  = File{"t10k-images-idx3-ubyte.gz", 1648877, "9fb629c4189551a2d022fa330f9573f3"}
	TestLabels  = File{"t10k-labels-idx1-ubyte.gz", 4542, "ec29112dd5afa0611ce80d1b7f02629c"}
	// Files lists them in the order Load reads them.
	Files = []File{TrainImages, TrainLabels, TestImages, TestLabels}
)

const (
	imageMagic = 2051 // idx3: unsigned bytes, three dimensions
	labelMagic = 2049 // idx1: unsigned bytes, one dimension
	// Side is the height and width of an image.
	Side = 28
	// Pixels is the number of pixels of an image.
	Pixels = Side * Side
)

// Set is a set of images, row-major bytes 0..255 (0 = background), and
// their labels 0..9.
type Set struct {
	Images []byte // len = N·Pixels
	Labels []byte
}

// N is the number of examples.
func (s *Set) N() int { return len(s.Labels) }

// Image returns image i's pixels.
func (s *Set) Image(i int) []byte { return s.Images[i*Pixels : (i+1)*Pixels] }

// ErrMissing is wrapped by the error of a data folder that lacks a file.
var ErrMissing = errors.New("MNIST file missing")

// Load reads and checks the training (60,000) and test (10,000) sets from
// dir, a folder holding the four .gz files. Each file's MD5 is checked
// against the published value before it is decompressed.
func Load(dir string) (trainSet, testSet *Set, err error) {
	trainSet, err = loadPair(dir, TrainImages, TrainLabels)
	if err != nil {
		return nil, nil, err
	}
	testSet, err = loadPair(dir, TestImages, TestLabels)
	if err != nil {
		return nil, nil, err
	}
	return trainSet, testSet, nil
}

func loadPair(dir string, images, labels File) (*Set, error) {
	img, err := readFile(dir, images)
	if err != nil {
		return nil, err
	}
	lab, err := readFile(dir, labels)
	if err != nil {
		return nil, err
	}
	s, err := parseImages(img)
	if err != nil {
		return nil, fmt.Errorf("mnist: %s: %w", images.Name, err)
	}
	if s.Labels, err = parseLabels(lab); err != nil {
		return nil, fmt.Errorf("mnist: %s: %w", labels.Name, err)
	}
	if len(s.Labels) != len(s.Images)/Pixels {
		return nil, fmt.Errorf("mnist: %s has %d images but %s has %d labels", images.Name, len(s.Images)/Pixels, labels.Name, len(s.Labels))
	}
	return s, nil
}

// readFile reads f from dir, checks its MD5 and returns its decompressed
// contents.
func readFile(dir string, f File) ([]byte, error) {
	path := filepath.Join(dir, f.Name)
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("mnist: %s: %w (%s)", path, ErrMissing, howToGet)
	}
	if err != nil {
		return nil, fmt.Errorf("mnist: %w", err)
	}
	sum := md5.Sum(raw)
	if got := hex.EncodeToString(sum[:]); got != f.MD5 {
		return nil, fmt.Errorf("mnist: %s: md5 %s (%d bytes), want %s (%d bytes): the file is corrupt or not LeCun's original (%s)",
			path, got, len(raw), f.MD5, f.Bytes, howToGet)
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("mnist: %s: %w", path, err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("mnist: %s: %w", path, err)
	}
	return out, nil
}

// parseImages reads an idx3 image file: magic 2051, then the count, rows
// and columns as big-endian uint32s, then the pixels; nothing may follow.
func parseImages(b []byte) (*Set, error) {
	if len(b) < 16 {
		return nil, fmt.Errorf("idx header is %d bytes, want 16", len(b))
	}
	magic := binary.BigEndian.Uint32(b)
	n := binary.BigEndian.Uint32(b[4:])
	rows := binary.BigEndian.Uint32(b[8:])
	cols := binary.BigEndian.Uint32(b[12:])
	switch {
	case magic != imageMagic:
		return nil, fmt.Errorf("idx magic %d, want %d (images)", magic, imageMagic)
	case rows != Side || cols != Side:
		return nil, fmt.Errorf("images are %d×%d, want %d×%d", rows, cols, Side, Side)
	case uint64(len(b)) != 16+uint64(n)*Pixels:
		return nil, fmt.Errorf("%d bytes for %d images, want %d", len(b), n, 16+uint64(n)*Pixels)
	}
	return &Set{Images: b[16:]}, nil
}

// parseLabels reads an idx1 label file: magic 2049, the count, the labels.
func parseLabels(b []byte) ([]byte, error) {
	if len(b) < 8 {
		return nil, fmt.Errorf("idx header is %d bytes, want 8", len(b))
	}
	magic := binary.BigEndian.Uint32(b)
	n := binary.BigEndian.Uint32(b[4:])
	switch {
	case magic != labelMagic:
		return nil, fmt.Errorf("idx magic %d, want %d (labels)", magic, labelMagic)
	case uint64(len(b)) != 8+uint64(n):
		return nil, fmt.Errorf("%d bytes for %d labels, want %d", len(b), n, 8+uint64(n))
	}
	labels := b[8:]
	for i, l := range labels {
		if l > 9 {
			return nil, fmt.Errorf("label %d is %d, want 0..9", i, l)
		}
	}
	return labels, nil
}
