package cifar10

import (
	"github.com/mollifying/mollify/experiment"
	"github.com/mollifying/mollify/train"
)

var _ train.Workloader = Task{}

// Workload implements train.Workloader: the real files' sizes in the paper
// profile, the synthetic stand-in's in the quick one.
func (Task) Workload(p experiment.Profile) (train.Workload, error) {
	s, err := settingsFor(p)
	if err != nil {
		return train.Workload{}, err
	}
	nTrain, nTest := 5*RecordsPerFile-s.Valid, RecordsPerFile
	if s.Synth != nil {
		nTrain, nTest = 5*s.Synth.PerFile-s.Valid, s.Synth.Test
	}
	return train.Workload{Settings: s.Settings, Train: nTrain, Valid: s.Valid, Test: nTest}, nil
}
