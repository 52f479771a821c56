package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var updateManifest = flag.Bool("update-manifest", false, "rewrite deploy/k8s/paper.json")

// exampleManifest is how deploy/k8s/paper.json, the README's example, is
// made.
var exampleManifest = []string{"k8s", "-profile", "paper", "-shards", "100", "-image", "REGISTRY/mollify:TAG"}

// TestK8sExampleCurrent: the committed example manifest is what the command
// writes today (go test ./cmd/mollify -run K8s -update-manifest refreshes it).
func TestK8sExampleCurrent(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), exampleManifest, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	const path = "../../deploy/k8s/paper.json"
	if *updateManifest {
		if err := os.WriteFile(path, stdout.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(string(want), stdout.String()); d != "" {
		t.Fatalf("deploy/k8s/paper.json is stale (-committed +now); run go test ./cmd/mollify -run K8s -update-manifest:\n%s", d)
	}
}

func TestK8sUsageErrors(t *testing.T) {
	profile := filepath.Join(t.TempDir(), "mine.json")
	if err := os.WriteFile(profile, []byte(`{"name": "mine", "base": "paper"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"k8s", "-shards", "4"}, "image"},
		{[]string{"k8s", "-image", "x"}, "shards: 0"},
		{[]string{"k8s", "-image", "x", "-shards", "4", "-tasks", "nope"}, `"nope"`},
		{[]string{"k8s", "-image", "x", "-shards", "4", "-memory", "lots"}, `memory "lots"`},
		{[]string{"k8s", "-image", "x", "-shards", "4", "-profile", profile}, "a profile file is not in the container image"},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), c.args, &stdout, &stderr); code != exitUsage || !strings.Contains(stderr.String(), c.want) || stdout.Len() > 0 {
			t.Errorf("%v: exit %d, stderr %q, %d bytes out; want exit %d naming %q and no manifest", c.args, code, stderr.String(), stdout.Len(), exitUsage, c.want)
		}
	}
}
