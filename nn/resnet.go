package nn

import (
	"errors"
	"fmt"
	"math/rand/v2"
)

// ResNetSpec describes a CIFAR-style residual network (He et al. 2016,
// Sec. 4.2): a 3×3 convolution to Widths[0] channels with batch norm and
// ReLU (the stem), then one stage per entry of Widths of Blocks
// [BasicBlock]s each (the first block of every stage after the first halves
// the resolution with stride 2), then global average pooling and a dense
// layer to Classes logits (the head). Its depth, counting convolutions and
// the dense layer, is 2·Blocks·len(Widths) + 2: ResNet-110 is Blocks = 18
// with Widths 16, 32, 64; ResNet-20 is Blocks = 3.
type ResNetSpec struct {
	In       Shape        `json:"in"`
	Classes  int          `json:"classes"`
	Blocks   int          `json:"blocks_per_stage"`
	Widths   []int        `json:"widths"`
	Shortcut ShortcutKind `json:"shortcut"`
	// Init draws the convolution weights; the dense head is Glorot uniform.
	Init Init `json:"init"`
}

// Depth is the number of weight layers, 2·Blocks·len(Widths) + 2.
func (s ResNetSpec) Depth() int { return 2*s.Blocks*len(s.Widths) + 2 }

// Validate reports the first bad field.
func (s ResNetSpec) Validate() error {
	switch {
	case !s.In.valid():
		return fmt.Errorf("resnet: input shape %v, want positive channels, height and width", s.In)
	case s.Classes < 2:
		return fmt.Errorf("resnet: classes = %d, want ≥ 2", s.Classes)
	case s.Blocks < 1:
		return fmt.Errorf("resnet: blocks per stage = %d, want ≥ 1", s.Blocks)
	case len(s.Widths) == 0:
		return errors.New("resnet: no stage widths")
	}
	for i, w := range s.Widths {
		if w <= 0 {
			return fmt.Errorf("resnet: width of stage %d = %d, want > 0", i+1, w)
		}
	}
	h, w := s.In.H, s.In.W
	for range len(s.Widths) - 1 {
		h, w = ConvOut(h, 3, 2, 1), ConvOut(w, 3, 2, 1)
	}
	if h < 1 || w < 1 {
		return fmt.Errorf("resnet: %d stages leave nothing of a %v image", len(s.Widths), s.In)
	}
	return nil
}

// ResNet is a built [ResNetSpec]: its parts, so that a configuration can
// change the blocks (stochastic depth sets their scales; the mollified
// network wraps their branches) and reassemble the network with
// [ResNet.Net].
type ResNet[T Float] struct {
	Spec   ResNetSpec
	Stem   []Layer[T]
	Blocks []*BasicBlock[T]
	Head   []Layer[T]
}

// NewResNet builds the network of spec. The "init" stream r is consumed in a
// fixed order (stem, then Conv1 and Conv2 of every block from the input up,
// then the head), and projection shortcuts draw from projRnd, so that
// networks built from the same streams start from the same weights whatever
// else a configuration adds.
func NewResNet[T Float](spec ResNetSpec, r, projRnd *rand.Rand) (*ResNet[T], error) {
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	stem := NewConv2D[T]("stem.conv", spec.In, spec.Widths[0], 3, 1, 1, false, spec.Init, r)
	stem.SkipInputGrad()
	n := &ResNet[T]{Spec: spec}
	n.Stem = []Layer[T]{stem, NewSpatialBatchNorm[T]("stem.bn", stem.Out), NewAct[T](ReLU)}
	shape := stem.Out
	for s, w := range spec.Widths {
		for b := range spec.Blocks {
			stride := 1
			if s > 0 && b == 0 {
				stride = 2
			}
			blk := NewBasicBlock[T](fmt.Sprintf("s%d.b%d", s+1, b+1), shape, w, stride, spec.Shortcut, spec.Init, r, projRnd)
			n.Blocks = append(n.Blocks, blk)
			shape = blk.Out
		}
	}
	n.Head = []Layer[T]{NewGlobalAvgPool[T](shape), NewDense[T]("out", shape.C, spec.Classes, Glorot, r)}
	return n, nil
}

// Net chains the stem, the given blocks (the network's own when blocks is
// nil) and the head.
func (n *ResNet[T]) Net(blocks []Layer[T]) *Sequential[T] {
	if blocks == nil {
		for _, b := range n.Blocks {
			blocks = append(blocks, b)
		}
	}
	layers := append([]Layer[T](nil), n.Stem...)
	layers = append(layers, blocks...)
	return NewSequential(append(layers, n.Head...)...)
}
