package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mollifying/mollify/harness"
)

func TestParseSweepFile(t *testing.T) {
	for _, c := range []struct {
		name, text, want string
	}{
		{"unknown key", "{\n  \"profile\": \"quick\",\n  \"seed\": 3\n}", `x.json:3: unknown key "seed" (known: profile`},
		{"wrong type", "{\n\n  \"seeds\": \"five\"\n}", `x.json:3: key "seeds": string is not int`},
		{"syntax", "{\n  \"tasks\": [\"parity\",]\n}", "x.json:2: invalid character ']'"},
		{"empty", "", "x.json: empty"},
		{"two objects", "{}\n{}", "x.json:2: text after"},
		{"grid not numbers", "{\"grid\": {\"lr\": [\"fast\"]}}", `x.json:1: key "grid": string is not float64`},
	} {
		_, err := parseSweepFile([]byte(c.text), "x.json")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.name, err, c.want)
		}
	}
	sf, err := parseSweepFile([]byte(`{"profile": "quick", "tasks": ["parity"], "grid": {"lr": [0.1], "mollified.c": [1, 3]}, "options": {"mollified": {"eval": "p0"}}}`), "ok.json")
	if err != nil || sf.Profile != "quick" || len(sf.Grid["mollified.c"]) != 2 || sf.Options["mollified"]["eval"] != "p0" {
		t.Fatalf("%+v, %v", sf, err)
	}
}

// TestSweepFileMatchesFlags: a sweep written in a file plans exactly what
// the same flags plan, and flags on the command line win over the file.
func TestSweepFileMatchesFlags(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "sweep.json")
	os.WriteFile(file, []byte(`{"tasks": ["parity"], "configs": ["baseline", "mollified"], "seeds": 3,
		"grid": {"lr": [0.1, 0.3], "mollified.c": [3]}, "options": {"mollified": {"eval": "p0"}}}`), 0o644)
	plan := func(args ...string) string {
		var out, errOut bytes.Buffer
		if code := run(context.Background(), append([]string{"plan", "-profile", "quick", "-measure=false", "-out", dir}, args...), &out, &errOut); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errOut.String())
		}
		return out.String()
	}
	fromFile := plan("-sweep", file)
	fromFlags := plan("-tasks", "parity", "-configs", "baseline,mollified", "-seeds", "3", "-grid", "lr=0.1,0.3", "-grid", "mollified.c=3", "-set", "mollified.eval=p0")
	if fromFile != fromFlags {
		t.Fatalf("file and flags plan differently:\n%s\n%s", fromFile, fromFlags)
	}
	if !strings.Contains(fromFile, "2 × 1 seeds") || !strings.Contains(fromFile, "3 (after tuning)") {
		t.Fatalf("plan:\n%s", fromFile)
	}
	if got := plan("-sweep", file, "-seeds", "4"); !strings.Contains(got, "4 (after tuning)") {
		t.Fatalf("-seeds on the command line did not win:\n%s", got)
	}
}

// FuzzSweepFile: the sweep-file parser never panics, and what it accepts
// survives a round trip through its own JSON.
func FuzzSweepFile(f *testing.F) {
	f.Add([]byte(`{"profile": "paper", "tasks": ["parity"], "grid": {"lr": [0.1]}}`))
	f.Add([]byte(`{"options": {"mollified": {"eval": "p0"}}, "seeds": 5}`))
	f.Add([]byte("{\n\"seed\": 1}"))
	f.Add([]byte(``))
	f.Fuzz(func(t *testing.T, b []byte) {
		sf, err := parseSweepFile(b, "f.json")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "f.json") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		if _, err := parseSweepFile(mustJSON(t, sf), "again.json"); err != nil {
			t.Fatalf("accepted %q but not its own encoding: %v", b, err)
		}
	})
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// FuzzOptionFlags: the parsers of -set, -grid, -shard and -phase never
// panic, and what -set and -grid accept is what they were given.
func FuzzOptionFlags(f *testing.F) {
	for _, s := range []string{"mollified.eval=p0", "lr=0.1,0.3", "mollified.c=1,3,10", "0/4", "tune", "a.b=", "=", ".=1", "lr=NaN,1e308"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		set := setFlag{}
		if err := set.Set(s); err == nil {
			cfg, rest, _ := strings.Cut(s, ".")
			opt, val, _ := strings.Cut(rest, "=")
			if set[cfg][opt] != val {
				t.Fatalf("-set %q stored %v", s, set)
			}
		}
		grid := gridFlag{}
		if err := grid.Set(s); err == nil {
			key, list, _ := strings.Cut(s, "=")
			cfg, axis, ok := strings.Cut(key, ".")
			if !ok {
				cfg, axis = "", key
			}
			if got := len(grid[cfg][axis]); got != len(strings.Split(list, ",")) {
				t.Fatalf("-grid %q stored %d values", s, got)
			}
		}
		if sh, err := harness.ParseShard(s); err == nil && (sh.Index < 0 || sh.Index >= sh.Count) {
			t.Fatalf("-shard %q accepted as %v", s, sh)
		}
		harness.ParsePhase(s)
	})
}
