package experiment

import "github.com/mollifying/mollify/nn"

// ConvNet is a CIFAR-style residual convolutional network: a 3×3 stem,
// stages of basic residual blocks, global average pooling and a dense
// output layer (see nn.ResNetSpec; ResNet-110 has 18 blocks per stage of
// 16, 32 and 64 channels). Configurations build it with nn.NewResNet and
// change its blocks: stochastic depth drops them, the mollified network
// mollifies them.
type ConvNet struct {
	nn.ResNetSpec
}

// ArchName implements [Arch].
func (*ConvNet) ArchName() string { return "convnet" }
