package parity

import "github.com/mollifying/mollify/train"

var _ train.Workloader = Task{}

// Workload implements train.Workloader.
func (t Task) Workload(profile string) (train.Workload, error) {
	s, err := t.settingsFor(profile)
	if err != nil {
		return train.Workload{}, err
	}
	return train.Workload{Settings: s.Settings, Train: s.Train, Valid: s.Valid, Test: s.Test}, nil
}
