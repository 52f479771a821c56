// Package copytask is the copy task (paper/BASELINES.md §4, paper/PROTOCOL.md): an LSTM
// reads a sequence of random binary vectors and must then write it out
// again. It is not in the paper's main text (the reference list's
// "Learning to execute" hints at an appendix with sequence tasks); the
// suite uses it as a hard-to-optimise recurrent problem on which the
// configurations can be compared.
//
// # Choices of ours
//
//   - Generator: the layout of Gulcehre et al.'s D-NTM copy task
//     (dntm/codes/memnet/ntm_tasks/copy_data.py, see [Generator]) with the
//     NTM's 8 data bits in the paper profile (channels = bits + 2
//     delimiters, BOS and EOS); sequences of a batch are padded with zero
//     steps to the longest, and a mask keeps only the target rows.
//   - Curriculum: that generator's length ramp. Example cnt has a length
//     uniform on 1..ub, ub = min(⌊MaxLen/2 + cnt·slope⌋, MaxLen), with
//     slope 3e-4 per example (2e-3 in the quick profile, whose run is
//     short), and with probability 0.1 a length among the three longest.
//     Training sequences are fresh every update, drawn from the run
//     seed's stream "copy/train", so configurations with the same seed see
//     the same sequences.
//   - Evaluation: fixed validation and test sets drawn from data seed 1402
//     (streams "copy/valid", "copy/test"), lengths uniform on 1..MaxLen
//     (the target difficulty, not the curriculum's), evaluation mode.
//   - Loss: sigmoid outputs and binary cross-entropy on the target bits,
//     averaged over them for the gradient (so that its scale does not move
//     with the curriculum); reported as bits per sequence, as in the NTM
//     paper, and as the fraction of wrong bits.
//   - "Updates to reach zero error": the first evaluation at which no
//     validation bit is wrong; updates+1 when none is.
//   - Network: one LSTM layer (128 units in the paper profile, 32 in
//     quick), weights U(−0.08, 0.08), forget bias 1, a linear layer to the
//     bits. Adam, gradient norm clipped at 10, learning rate tuned on
//     {0.001, 0.003, 0.01} (0.01 in quick). Paper profile: 20,000 updates
//     of 32 sequences of lengths up to 20. Quick: 2,000 updates of 16
//     sequences of 4-bit vectors, lengths up to 4.
package copytask
