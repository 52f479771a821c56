package mnist

import (
	"github.com/mollifying/mollify/experiment"
	"github.com/mollifying/mollify/train"
)

var _ train.Workloader = Task{}

// Workload implements train.Workloader.
func (t Task) Workload(p experiment.Profile) (train.Workload, error) {
	s, err := t.settings(p)
	if err != nil {
		return train.Workload{}, err
	}
	return train.Workload{Settings: s.Settings, Train: s.Split[0], Valid: s.Split[1], Test: s.Split[2]}, nil
}
