// Package baselines holds the configurations the mollified network is
// compared with. Each is a experiment.Config value; the registry in package
// harness lists them.
//
//   - [Baseline]: the plain network, trained as it is.
//   - [Residual]: every hidden layer becomes h + f(BN(Wh + b)), the residual
//     network with batch normalisation that is the paper's parity baseline.
//   - [Noisy]: the noisy activation functions of Gulcehre et al. (2016) with
//     a learned noise slope p per unit and the constants of the authors'
//     code ([NAN]).
//   - [Anneal]: simulated annealing in the paper's sense (Sec. 2.3): Gaussian
//     weight noise, a one-sample Monte-Carlo estimate of the Gaussian
//     mollifier of Eqs. 13 and 16, with its standard deviation annealed
//     linearly to 0 ([WeightNoise]).
//   - [StochDepth]: stochastic depth (Huang et al. 2016) for residual
//     convolutional networks: each block dropped per minibatch with
//     probability 1 − p_l, p_l decaying linearly to p_L = 0.5, and scaled by
//     p_l at test ([StochasticDepth]).
//
// For the residual convolutional network of the CIFAR-10 task
// (bench.ConvNet), Baseline is the ResNet itself ([BuildResNet]), Anneal
// puts the weight noise on every convolution and the dense layer, and
// StochDepth applies; Residual and Noisy are MLP constructions and return
// bench.ErrNotApplicable (a ResNet is residual already, and the noisy units
// are the saturating sigmoid and tanh ones, not ReLU).
//
// For LSTMs (bench.LSTM) Baseline is the plain LSTM; Noisy replaces the
// three gates by NSigmoidP and the candidate and cell squashing by NTanhP,
// each with its own learned p per unit ([NoisyGate], paper/BASELINES.md §2: every
// non-linearity of the cell is noisy); Anneal perturbs every weight matrix
// (embedding, input and recurrent LSTM weights, output layer; not biases)
// once per update, i.e. once per window of truncated BPTT, shared by all
// its steps (Graves et al. draw weight noise once per sequence). Residual
// does not apply.
//
// All of them build the same weights from the same seed (the "init" stream is
// consumed by the dense layers in the same order), so configurations differ
// only in what they add to the network.
package baselines
