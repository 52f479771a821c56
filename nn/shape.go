package nn

import "fmt"

// Shape is the shape of one image in a batch: C channels of H×W pixels.
//
// Images are stored NCHW: row n of a batch [Mat] is example n's C·H·W values,
// channel-major, then row-major within a channel (index c·H·W + i·W + j).
// This is the layout of the CIFAR-10 binary files, so a record's pixels are
// a row as they are, and a batch of images is already "flattened": a dense
// layer can read it directly, and no flatten layer is needed.
type Shape struct {
	C, H, W int
}

// Size is C·H·W, the number of columns of a batch of such images.
func (s Shape) Size() int { return s.C * s.H * s.W }

// Plane is H·W, the number of pixels of one channel.
func (s Shape) Plane() int { return s.H * s.W }

func (s Shape) String() string { return fmt.Sprintf("%d×%d×%d", s.C, s.H, s.W) }

// valid reports whether every dimension is positive.
func (s Shape) valid() bool { return s.C > 0 && s.H > 0 && s.W > 0 }

// ConvOut is the output size of a k-wide window moved by stride over n
// pixels padded by pad on both sides: ⌊(n + 2·pad − k)/stride⌋ + 1.
func ConvOut(n, k, stride, pad int) int { return (n+2*pad-k)/stride + 1 }
