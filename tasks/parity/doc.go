// Package parity is the paper's 40-bit parity task (Sec. 8.1, Fig. 4): a
// deep sigmoid MLP must output the parity of a random bit vector.
//
// The data are distinct random vectors drawn from a fixed data seed (the same
// for every run and configuration; the run seed only drives initialisation,
// noise and shuffling), labelled by the parity of their number of ones, and
// split in order into training, validation and test sets (paper/PROTOCOL.md: 100k
// vectors, 90k / 5k / 5k). Every proper subset of the bits is independent of
// the label, which is what makes the task hard to optimise: the claim the
// paper makes (Fig. 4) is that the mollified network's training loss falls
// faster than the residual network's.
package parity
