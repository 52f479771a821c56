package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mollifying/mollify/store"
)

// TestProfileFile: a user profile changes sizes, seeds and grid without Go
// code; its runs record its name and its settings, land in
// results/<name> by default, and are never mistaken for the base
// profile's runs.
func TestProfileFile(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	os.WriteFile("short.json", []byte(`{
  "name": "quick-short",
  "base": "quick",
  "tasks": {
    "parity": {
      "settings": {"epochs": 20, "eval_every": 0},
      "sweep": {"seeds": [7], "lr": [0.3], "budget": 1}
    }
  }
}`), 0o644)
	var out, errOut bytes.Buffer
	args := []string{"run", "-profile", "short.json", "-tasks", "parity", "-configs", "baseline", "-workers", "1"}
	if code := run(context.Background(), args, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	results, err := store.LoadResults(filepath.Join("results", "quick-short"))
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != 2 { // one tuning run, one final run
		t.Fatalf("%d runs, want 2", len(results))
	}
	var fingerprint string
	for _, r := range results {
		s := r.Record.Spec
		if s.Profile != "quick-short" || s.Hyper.Get("lr") != 0.3 {
			t.Fatalf("spec %+v", s)
		}
		if s.Phase == "final" && s.Seed != 7 {
			t.Fatalf("final seed %d, want 7", s.Seed)
		}
		b, _ := json.Marshal(r.Record.Settings)
		if !strings.Contains(string(b), `"epochs":20`) || !strings.Contains(string(b), `"bits":8`) {
			t.Fatalf("settings %s: want the overlay's epochs over the quick profile's sizes", b)
		}
		fingerprint = s.Settings
	}
	// The report command finds the folder and the selection rule from the
	// profile file.
	out.Reset()
	if code := run(context.Background(), []string{"report", "-profile", "short.json"}, &out, &errOut); code != 0 {
		t.Fatalf("report: exit %d: %s", code, errOut.String())
	}
	md, _ := os.ReadFile(filepath.Join("results", "quick-short", "report.md"))
	if !strings.Contains(string(md), "train_eval_loss") {
		t.Fatalf("the tuning table does not name the selection metric:\n%s", md)
	}
	// The quick profile's parity runs are other runs.
	out.Reset()
	if code := run(context.Background(), []string{"plan", "-profile", "quick", "-measure=false", "-tasks", "parity", "-configs", "baseline", "-out", filepath.Join("results", "quick-short")}, &out, &errOut); code != 0 {
		t.Fatalf("plan: exit %d: %s", code, errOut.String())
	}
	if !strings.Contains(out.String(), ", 0 done in") {
		t.Fatalf("quick runs found among the profile file's:\n%s", out.String())
	}
	if fingerprint == "" {
		t.Fatal("no settings fingerprint")
	}
}

// TestBuiltinProfilesPlan: every built-in profile plans every task that has
// it, which holds only if each gives all of a task's configurations the
// same number of tuning trials (the plan refuses a sweep that does not).
func TestBuiltinProfilesPlan(t *testing.T) {
	for _, profile := range []string{"quick", "paper", "reduced"} {
		t.Run(profile, func(t *testing.T) {
			var out, errOut bytes.Buffer
			args := []string{"plan", "-profile", profile, "-tasks", "all", "-measure=false", "-out", t.TempDir()}
			if code := run(context.Background(), args, &out, &errOut); code != 0 {
				t.Fatalf("exit %d: %s", code, errOut.String())
			}
		})
	}
}
