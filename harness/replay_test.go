package harness

import (
	"context"
	"strings"
	"testing"

	"github.com/mollifying/mollify/experiment"
	"github.com/mollifying/mollify/store"
)

// TestRerunUnknownHyper: an override must name one of the run's
// hyper-parameters; the error lists them, and nothing runs.
func TestRerunUnknownHyper(t *testing.T) {
	res := &store.Result{Path: "runs/copy/mollified/x.json", Record: &experiment.Record{Spec: experiment.RunSpec{
		Task: "copy", Profile: experiment.Quick, Config: "mollified", Hyper: experiment.Hyper{"kappa": 0.03, "lr": 0.01}}}}
	prof, err := experiment.Builtin(experiment.Quick)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Rerun(context.Background(), res, prof, experiment.Hyper{"kapa": 1}, nil)
	if err == nil || !strings.Contains(err.Error(), `no hyper-parameter "kapa" (it has kappa, lr)`) {
		t.Errorf("error %v", err)
	}
	if res.Record.Spec.Hyper["kapa"] != 0 || len(res.Record.Spec.Hyper) != 2 {
		t.Errorf("the stored spec changed: %v", res.Record.Spec.Hyper)
	}
}
