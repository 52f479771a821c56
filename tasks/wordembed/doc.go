// Package wordembed is a substitute for the paper's word-embedding
// experiment (Sec. 9, Fig. 5): a bidirectional RNN reads a word's
// characters and must output the word's word2vec vector, a strongly
// non-linear mapping, and the paper shows that the mollified network's
// training curve is better.
//
// The paper's targets (word2vec vectors of 500 dimensions trained on
// Wikipedia, 374,557 words) are not available here, so the task keeps the
// shape of the problem and makes its own targets: skip-gram vectors with
// negative sampling ([SGNS], word2vec's algorithm) trained on the PTB
// word-level training text, from a fixed data seed, once per process. The
// problem is then: characters of a PTB word → its unit-normalised vector,
// regression with the loss ½‖y − t‖², a two-layer bidirectional LSTM whose
// two final states feed a linear layer. Numbers are not comparable with
// the paper's; the comparison between configurations is the point.
//
// # Choices of ours
//
//   - Targets: SGNS with window 5, 5 noise words, sub-sampling 1e-3,
//     learning rate 0.025 decayed linearly (the reference code's defaults),
//     100 dimensions and 5 epochs in the paper profile (PTB is a thousand
//     times smaller than Wikipedia, so not the paper's 500), 16 dimensions
//     and 1 epoch in the quick profile. The targets are the input vectors,
//     centred (the mean vector of the vocabulary removed: SGNS vectors share
//     a large common component, which a constant output would predict) and
//     normalised to unit length.
//   - Words: every vocabulary word but <unk> and <eos> (9,998), or the
//     1,200 most frequent in the quick profile, split at random (data seed
//     2017) into 80% training, 10% validation and 10% test words. The
//     characters are the words' own symbols (46; 33 in quick).
//   - Batches hold words of one length (no padding; the bidirectional
//     layers read whole words), shuffled by the run seed; the mollified
//     gates' t is the position in the word, counted from each end.
//   - Network: character embedding 32, two bidirectional LSTM layers of 128
//     units each way, weights U(−0.1, 0.1) (quick: 12, 24). Adam, gradient
//     norm clipped at 5, learning rate tuned on {0.001, 0.003, 0.01} (0.01
//     in quick), 40 epochs of batches of 32 (quick: 8 epochs of 20).
//   - Fig. 5's claim is read as: at the end of the same budget the
//     mollified network's training loss (evaluation mode, on a fixed subset
//     of 2,000 training words; 400 in quick) is lower than the plain one's.
//     Validation loss and the test cosine between prediction and target
//     are reported too.
package wordembed
