package k8s

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	batchv1 "k8s.io/api/batch/v1"
)

func spec() Spec {
	return Spec{Name: "mollify-paper", Image: "registry.example/mollify:1", Claim: "results", Out: MountPath + "/paper",
		Sweep: []string{"-profile", "paper", "-tasks", "all", "-configs", "all"}, Shards: 100, Parallelism: 50, Backoff: 2, Memory: "2Gi"}
}

// TestManifestDecodesStrictly: the manifest is a batch/v1 Job that decodes
// back into k8s.io/api's types with no unknown field and no loss, and says
// what a sweep's shards need.
func TestManifestDecodesStrictly(t *testing.T) {
	b, err := Manifest(spec())
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var got batchv1.Job
	if err := dec.Decode(&got); err != nil {
		t.Fatalf("strict decoding: %v", err)
	}
	want, _ := Job(spec())
	if d := cmp.Diff(want, &got); d != "" {
		t.Fatalf("decoded Job differs (-built +decoded):\n%s", d)
	}
	js := got.Spec
	if got.Kind != "Job" || got.APIVersion != "batch/v1" || js.CompletionMode == nil || *js.CompletionMode != batchv1.IndexedCompletion {
		t.Fatalf("not an Indexed batch/v1 Job: %s %s %v", got.APIVersion, got.Kind, js.CompletionMode)
	}
	if *js.Completions != 100 || *js.Parallelism != 50 || *js.BackoffLimitPerIndex != 2 {
		t.Fatalf("completions %d parallelism %d backoff %d", *js.Completions, *js.Parallelism, *js.BackoffLimitPerIndex)
	}
	c := js.Template.Spec.Containers[0]
	args := strings.Join(c.Args, " ")
	for _, w := range []string{"run -profile paper", "-out " + MountPath + "/paper", "-shards 100", "-phase all", "-workers 1"} {
		if !strings.Contains(args, w) {
			t.Errorf("args %q lack %q", args, w)
		}
	}
	if cpu := c.Resources.Requests.Cpu().String(); cpu != "1" {
		t.Errorf("CPU request %s, want 1", cpu)
	}
	if c.VolumeMounts[0].MountPath != MountPath || js.Template.Spec.Volumes[0].PersistentVolumeClaim.ClaimName != "results" {
		t.Errorf("results volume not mounted at %s from the claim", MountPath)
	}
	if js.Template.Spec.RestartPolicy != "Never" {
		t.Errorf("restart policy %s, want Never (backoffLimitPerIndex needs it)", js.Template.Spec.RestartPolicy)
	}
}

func TestSpecErrors(t *testing.T) {
	for _, c := range []struct {
		edit func(*Spec)
		want string
	}{
		{func(s *Spec) { s.Name = "" }, "name"},
		{func(s *Spec) { s.Image = "" }, "image"},
		{func(s *Spec) { s.Claim = "" }, "claim"},
		{func(s *Spec) { s.Shards = 0 }, "shards: 0"},
		{func(s *Spec) { s.Parallelism = 101 }, "parallelism: 101"},
		{func(s *Spec) { s.Backoff = -1 }, "backoff: -1"},
		{func(s *Spec) { s.Memory = "lots" }, `memory "lots"`},
	} {
		s := spec()
		c.edit(&s)
		if _, err := Job(s); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("error %v, want one containing %q", err, c.want)
		}
	}
}
