package experiment

import "github.com/mollifying/mollify/nn"

// LSTM is a recurrent network: an input stage (token embedding or vectors),
// a stack of LSTM layers (optionally bidirectional), optionally a reduction
// of each sequence to its final states, and a linear output layer. The
// fields are those of [nn.LSTMNetSpec]; configurations choose the gate
// functions and what they add around the network.
//
// Batches are time-major (see [nn.Sequencer]): the training loop calls
// nn.ResetState before a new set of sequences, and each Forward continues
// them.
type LSTM struct {
	nn.LSTMNetSpec
}

// ArchName implements [Arch].
func (*LSTM) ArchName() string { return "lstm" }
