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
// out, 512 test records), each image averaged down to 16×16, ResNet-20
// (three blocks per stage) of 8/16/32 channels, batch 32, 8 epochs (256
// updates), learning rate 0.1 divided by 10 at epochs 4 and 6, 2-pixel
// translations and flips, 2 seeds. At this budget the networks are far
// from converged: stochastic depth in particular barely moves from chance
// (dropping blocks is a large perturbation for a network trained for 256
// updates), which says nothing about Table 1.
//
// # Configurations
//
// baseline is the ResNet (option-A shortcuts: stride-2 subsampling and
// appended zero channels, as in He et al.'s CIFAR networks and the
// stochastic-depth code). stochdepth drops each residual block for a whole
// minibatch with probability 1 − p_l, p_l = 1 − (l/L)(1 − 0.5), and scales
// the branch by p_l at test. mollified wraps every residual block as
// h = π ⊙ S(x) + (1 − π) ⊙ ψ(F(x) + S(x)) (paper/PROTOCOL.md choice 16) with the noisy
// ReLU of Eqs. 26-27 (c = 1) and π, ξ per activation, p^l from the Eq. 29
// schedule over the L = 54 blocks (annealing calibrated to end half-way at
// constant loss, stopped when Σ p^l < 0.05·L), evaluated at p = 0. anneal
// adds annealed Gaussian noise (σ0 = 0.01, linearly to 0 at half of
// training) to every convolution and dense weight. residual and noisy are
// MLP constructions and do not apply. All of them start from the same
// weights for the same seed.
//
// # Cost of the paper profile
//
// One run is 500 epochs × 351 updates of ResNet-110 at batch 128 (2.5·10⁸
// multiply-adds per image forward, three times that to train: 1.5 GFLOP
// per training image, about 3.4·10¹⁶ FLOP per run, plus 5·10¹⁵ for the
// evaluations of 20,000 images after every epoch). BenchmarkResNetStep in
// package nn measures a training step: with the portable (gonum) GEMM
// backend a step took 46 to 64 s on the 2-core reference machine while
// other work shared it (3 to 5 GFLOP/s), so one run would take about
// 9·10⁶ s (100 days), and the sweep (4 configurations × (1 tuning + 5
// final) runs, stochastic depth about 20% cheaper) about 2·10⁸ s. A GEMM
// kernel at 50 GFLOP/s would make a run about 9 days on 2 cores. A run holds
// about 26 MB of activations and gradients per example of the batch
// (3.5 GB at batch 128), so each worker needs that much memory. The paper
// profile is meant for a large machine or a cluster, run in shards.
package cifar10
