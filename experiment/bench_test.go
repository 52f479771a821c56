package experiment

import (
	"encoding/json"
	"maps"
	"math"
	"slices"
	"strings"
	"testing"
)

func TestResolveOptions(t *testing.T) {
	decl := []Option{{Name: "eval", Default: "p0", Allowed: []string{"p0", "expect"}}, {Name: "free", Default: "x"}}
	o, err := ResolveOptions(decl, Options{"eval": "expect", "free": "anything"})
	if err != nil || o["eval"] != "expect" || o["free"] != "anything" {
		t.Fatalf("%v, %v", o, err)
	}
	o, _ = ResolveOptions(decl, nil)
	if o["eval"] != "p0" || o["free"] != "x" {
		t.Fatalf("defaults: %v", o)
	}
	for _, bad := range []Options{{"eval": "maybe"}, {"colour": "red"}} {
		if _, err := ResolveOptions(decl, bad); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}

func TestNumJSON(t *testing.T) {
	vals := Values{"a": 1.5, "nan": Num(math.NaN()), "inf": Num(math.Inf(1)), "ninf": Num(math.Inf(-1)), "tiny": 1e-300}
	b, err := json.Marshal(vals)
	if err != nil {
		t.Fatal(err)
	}
	var back Values
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	for k, v := range vals {
		w := back[k]
		if !(v == w || (v != v && w != w)) {
			t.Errorf("%s: %v came back as %v", k, v, w)
		}
	}
	var n Num
	if err := json.Unmarshal([]byte(`"one"`), &n); err == nil {
		t.Error("a string number was accepted")
	}
}

func TestHashAndFingerprint(t *testing.T) {
	s := RunSpec{Schema: Schema, Task: "parity", Profile: "quick", Config: "mollified", Phase: Final, Seed: 1,
		Hyper: Hyper{"lr": 0.1, "c": 0.5}, Options: Options{"eval": "p0"}}
	h := s.Hash()
	if len(h) != 16 || h != s.Hash() {
		t.Fatalf("hash %q is not a stable 16-digit hex", h)
	}
	// Map order must not matter.
	s2 := s
	s2.Hyper = Hyper{"c": 0.5, "lr": 0.1}
	if s2.Hash() != h {
		t.Fatal("the hash depends on map order")
	}
	s2.Seed = 2
	if s2.Hash() == h {
		t.Fatal("another seed, the same hash")
	}
	a, _ := Fingerprint(map[string]int{"epochs": 5})
	b, _ := Fingerprint(map[string]int{"epochs": 6})
	if a == b || len(a) != 16 {
		t.Fatalf("fingerprints %q and %q", a, b)
	}
}

func TestSelectorAndHyper(t *testing.T) {
	min, max := Selector{}, Selector{Maximize: true}
	if !min.Better(1, 2) || min.Better(2, 1) || !max.Better(2, 1) {
		t.Fatal("Better has the wrong direction")
	}
	if min.Better(math.NaN(), 1) || !min.Better(1, math.NaN()) {
		t.Fatal("NaN handling")
	}
	if got := (Hyper{"lr": 0.1, "c": 2}).String(); got != "c=2 lr=0.1" {
		t.Fatalf("Hyper.String = %q", got)
	}
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), `"k"`) {
			t.Fatalf("missing hyper-parameter: %v", r)
		}
	}()
	Hyper{}.Get("k")
}

// TestResolveFor: only the options that change the task's network are
// kept, defaults filled, and the user's applicable ones listed.
func TestResolveFor(t *testing.T) {
	declared := []Option{
		{Name: "eval", Default: "expect", Allowed: []string{"expect", "p0"}},
		{Name: "skip", Default: "auto", Archs: []string{"mlp"}},
		{Name: "gates", Default: "clip", Archs: []string{"lstm"}},
	}
	for _, c := range []struct {
		arch Arch
		user Options
		want Options
		used []string
	}{
		{&MLP{}, nil, Options{"eval": "expect", "skip": "auto"}, nil},
		{&LSTM{}, Options{"gates": "hard", "skip": "pad"}, Options{"eval": "expect", "gates": "hard"}, []string{"gates"}},
		{&MLP{}, Options{"gates": "hard", "eval": "p0"}, Options{"eval": "p0", "skip": "auto"}, []string{"eval"}},
	} {
		got, used, err := ResolveFor(declared, c.user, c.arch)
		if err != nil {
			t.Fatal(err)
		}
		if !maps.Equal(got, c.want) || !slices.Equal(used, c.used) {
			t.Errorf("%s %v: got %v used %v, want %v used %v", c.arch.ArchName(), c.user, got, used, c.want, c.used)
		}
	}
	if _, _, err := ResolveFor(declared, Options{"eval": "maybe"}, &MLP{}); err == nil {
		t.Error("a value not allowed was accepted")
	}
}

func TestRecordEligible(t *testing.T) {
	for _, c := range []struct {
		name     string
		final    Values
		diverged bool
		want     bool
	}{
		{"plain run", Values{"loss": 1}, false, true},
		{"diverged", Values{"loss": 1}, true, false},
		{"annealing stopped", Values{AnnealStop: 1200}, false, true},
		{"annealing did not stop", Values{AnnealStop: 0}, false, false},
		{"stopped but diverged", Values{AnnealStop: 1200}, true, false},
	} {
		r := &Record{Final: c.final, Diverged: c.diverged}
		if got := r.Eligible(); got != c.want {
			t.Errorf("%s: Eligible = %v, want %v", c.name, got, c.want)
		}
	}
}
