// Package cifar10 is the paper's CIFAR-10 experiment (Sec. 8.1, Table 1): a
// 110-layer residual convolutional network trained with the hyper-parameters
// of the stochastic-depth network (Huang et al. 2016), as a ResNet
// ("baseline"), with stochastic depth ("stochdepth"), as a mollified convnet
// ("mollified") and under annealed weight noise ("anneal"). The paper
// reports test accuracies of 93.25 (stochastic depth) > 92.45 (mollified) >
// 91.78 (ResNet); the report checks the ordering, not the values, which are
// below those of the original papers.
//
// # Getting the data
//
// CIFAR-10 is not redistributed with the suite, and the paper profile needs
// the real files. Download the binary version (not the Python or Matlab
// one),
//
//	https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz
//	170,052,171 bytes, md5 c32a1d4ab5d03f1284b67883e8d87530
//
// extract it with tar xzf cifar-10-binary.tar.gz, and either point the
// environment variable MOLLIFY_CIFAR10 at the extracted folder
// cifar-10-batches-bin (or at the folder that holds it), or put it at
// ./data/cifar-10-batches-bin below the directory the command runs in. The
// folder must hold data_batch_1.bin ... data_batch_5.bin and
// test_batch.bin, 30,730,000 bytes each; their SHA-1 sums are checked
// against the published ones before training ([Published]), and a missing,
// truncated or corrupt file stops the run with an error that names it. The
// quick profile needs no download.
//
// # Data
//
// A record is one label byte and the 32×32 image's red, green and blue
// planes (3,073 bytes); the planes are the network's NCHW input as they are.
// The first 45,000 training images are trained on and the last 5,000 are the
// validation set (the usual split; the paper does not give its own); the
// 10,000 test images are the test set. Pixels are scaled to [0, 1] and each
// channel is standardised with the mean and standard deviation of the
// 45,000 training images. Training images are augmented as in the recipe
// ([Augment]): a random translation of up to 4 pixels in each direction
// (zero padding, i.e. the mean colour, then a random 32×32 crop) and a
// horizontal flip with probability 1/2, drawn afresh every time an image
// enters a batch, from the run's "augment" stream.
//
// [Synthetic] generates a stand-in in the exact binary format and under the
// real file names (coloured gratings whose orientation, frequency and hue
// depend on the class, plus noise), which the tests and the quick profile
// load through the same loader, with format checks but no checksums. It is
// not CIFAR-10 and says nothing about the paper's numbers; it shows that the
// pipeline learns.
//
// # Profiles
//
// paper: ResNet-110 (18 basic blocks per stage, 16/32/64 channels, option-A
// shortcuts), SGD with momentum 0.9 (no dampening, no Nesterov), weight
// decay 1e-4 on convolution and dense weights (not on biases or batch-norm
// parameters), batch 128, 500 epochs of 351 updates, learning rate 0.1
// divided by 10 at epochs 250 and 375, He-normal convolution weights,
// evaluation after every epoch; selection and the reported test accuracy use
// the epoch of best validation accuracy (early stopping without keeping
// weights). The learning rate is not tuned (the paper uses the
// stochastic-depth network's), and the configurations' own constants are
// single values for this network. 5 seeds.
//
// quick: the synthetic stand-in (5×256 training records, the last 256 held
// out, 512 test records), each image averaged down to 16×16, ResNet-8 (one
// block per stage) of 8/16/32 channels, batch 32, 4 epochs (128 updates),
// learning rate 0.1 divided by 10 at epochs 2 and 3, 2-pixel translations
// and flips, 2 seeds. It takes about 10 CPU-seconds per run.
//
// # Cost of the paper profile
//
// One run is 500 epochs × 45,000 images of ResNet-110 (2.5·10⁸ multiply-adds
// per image forward, three times that to train). BenchmarkResNetStep in
// package nn measures a training step at batch 128; with the portable GEMM
// backend a step took about 46 s on the 2-core reference machine (2.8 images
// per second), so one run would take about 3·10⁶ to 10⁷ seconds: months.
// The paper profile is meant for a machine with a fast GEMM kernel and many
// cores, run in shards.
package cifar10
