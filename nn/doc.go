// Package nn is the suite's training engine: layers with hand-written
// forward and backward passes, losses, optimisers and initialisers.
//
// # Design
//
// Everything is generic over the element type ([Float]): models train in
// float32, and the same code instantiated in float64 is what the
// central-difference gradient checks run on.
//
// A batch is a row-major [Mat] whose rows are examples. A [Layer] maps a batch
// to a batch; Forward keeps what Backward needs, Backward takes dL/dy, adds
// the parameter gradients into each [Param]'s Grad and returns dL/dx. Every
// buffer a layer returns is owned by the layer and reused: after the first
// step at the largest batch size, a training step allocates nothing.
//
// Every matrix product goes through package gemm, so a faster kernel can be
// swapped in without touching a layer.
//
// Randomness never comes from a global source: a layer that needs noise is
// given its own *rand.Rand, derived by package rng from (run seed, purpose).
//
// # Sequences
//
// A batch of B sequences of T steps is a time-major matrix of T·B rows. The
// recurrent layers ([LSTM], [Bidirectional], [SeqEnds]) implement
// [Sequencer]: ResetState starts new sequences, each Forward continues them
// (truncated back-propagation through time), and PushState/PopState set the
// carried state aside for an evaluation pass. An LSTM's non-linearities are
// [GateFunc] values, so that configurations can replace them (noisy or
// mollified gates), and [GateStats] wraps any of them to count how large
// its pre-activations are and how many of its units saturate. [Embedding]
// reads token ids, [SeqSoftmaxCE], [SigmoidBCE] and [SquaredError] are the
// sequence losses, and [NewLSTMNet] assembles a network from an
// [LSTMNetSpec].
//
// Initial weights are drawn in float64 and rounded once to the element type,
// so a float32 and a float64 model built from the same seed start from the
// same weights up to rounding. Element-wise maths depends on the type:
// float64 (the gradient checks) is evaluated with the math package, exactly
// as written in [Kind.F] and [Kind.D]; float32 (training) goes through the
// vectorised kernels of package vmath ([Act], [SoftmaxCE]), which agree with
// the float64 maths to a couple of float32 ulps (vmath's doc gives the
// bounds) and give the same bits on every CPU path.
//
// # Images
//
// Convolutional layers ([Conv2D], [SpatialBatchNorm], [GlobalAvgPool],
// [Shortcut], [BasicBlock], [ResNet]) take batches of images in NCHW layout:
// row n of the batch is example n's channels one after the other, each a
// row-major H×W plane (see [Shape]). A batch of images is therefore already
// flat, and a dense layer reads it without a flatten layer. Convolutions go
// through gemm like everything else: im2col and one product per example, or,
// for a same convolution (stride 1, output as large as the input), K
// products per example on rows of the image shifted in place
// (conv_same.go).
package nn
