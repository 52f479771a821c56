package experiment

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
)

// Profile is what a sweep runs under: a name, recorded in every run, and
// the built-in profile whose task definitions it starts from. A user
// profile (a JSON file, see [ReadProfile]) changes some fields of those
// definitions (sizes, epochs, seeds, grids, budget) without Go code. It is
// resolved once, at the command line; tasks read the fields of the
// definition it resolves to ([Resolve]) and never look at its name.
type Profile struct {
	// Name is recorded in every run (RunSpec.Profile) and names the default
	// results folder.
	Name string
	// Base is the built-in profile whose task definitions this one starts
	// from: Name itself for a built-in profile.
	Base string
	// OnePoint has every configuration tune at one point of its own space
	// (the quick profile) rather than over its whole grid.
	OnePoint bool
	// Tasks holds, per task name, a JSON object {"settings": {...},
	// "sweep": {...}} decoded strictly over the base definition.
	Tasks map[string]json.RawMessage
}

// Profile names. Tasks define their sizes per profile; Reduced, offered by
// the tasks whose paper profile is beyond one machine's budget (ptb,
// pentomino), keeps the paper's models and data with fewer epochs, seeds
// and tuning seeds, and every table labels its results with it.
const (
	Quick   = "quick"
	Paper   = "paper"
	Reduced = "reduced"
)

// builtins are the profiles the code defines, in the order listings use.
var builtins = []Profile{
	{Name: Quick, Base: Quick, OnePoint: true},
	{Name: Paper, Base: Paper},
	{Name: Reduced, Base: Reduced},
}

// Profiles lists the built-in profile names.
var Profiles = []string{Quick, Paper, Reduced}

// Builtin returns the built-in profile of that name.
func Builtin(name string) (Profile, error) {
	for _, p := range builtins {
		if p.Name == name {
			return p, nil
		}
	}
	return Profile{}, fmt.Errorf("unknown profile %q%s (want %s, or a profile file ending in .json)", name, DidYouMean(name, Profiles), strings.Join(Profiles, ", "))
}

// IsProfileFile reports whether a -profile value names a file rather than
// a built-in profile.
func IsProfileFile(s string) bool { return strings.HasSuffix(s, ".json") }

// LookupProfile resolves a -profile value: a built-in name, or the path of
// a profile file.
func LookupProfile(s string) (Profile, error) {
	if IsProfileFile(s) {
		return ReadProfile(s)
	}
	return Builtin(s)
}

// profileFile is the JSON form of a user profile:
//
//	{
//	  "name": "paper-short",
//	  "base": "paper",
//	  "tasks": {
//	    "mnist-sigmoid": {"settings": {"epochs": 2}, "sweep": {"seeds": [1, 2]}},
//	    "parity-small": {"sweep": {"lr": [0.1, 0.3], "budget": 2}}
//	  }
//	}
type profileFile struct {
	Name  string                     `json:"name"`
	Base  string                     `json:"base"`
	Tasks map[string]json.RawMessage `json:"tasks"`
}

var profileName = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*$`)

// ReadProfile reads a user profile file (see [ParseProfile]).
func ReadProfile(path string) (Profile, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Profile{}, fmt.Errorf("profile file: %w", err)
	}
	return ParseProfile(b, path)
}

// ParseProfile decodes a user profile strictly: known keys only, a name
// that is not a built-in one (results of different definitions must not
// share a name) and is safe as a folder name, a built-in base. Whether
// each task's overlay fits that task is checked when a sweep resolves it
// ([Resolve]), which names the task and the field.
func ParseProfile(b []byte, file string) (Profile, error) {
	var f profileFile
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return Profile{}, fmt.Errorf("profile file %s: %w", file, err)
	}
	if dec.More() {
		return Profile{}, fmt.Errorf("profile file %s: more than one JSON value", file)
	}
	switch {
	case !profileName.MatchString(f.Name):
		return Profile{}, fmt.Errorf("profile file %s: name %q, want lower-case letters, digits, '.', '_' or '-'", file, f.Name)
	case slices.Contains(Profiles, f.Name):
		return Profile{}, fmt.Errorf("profile file %s: name %q is a built-in profile's; give the changed definition its own name", file, f.Name)
	}
	base, err := Builtin(f.Base)
	if err != nil {
		return Profile{}, fmt.Errorf("profile file %s: base: %w", file, err)
	}
	base.Name, base.Tasks = f.Name, f.Tasks
	return base, nil
}

// Definition is what a task runs under one profile: its settings (S, the
// task's own type, whose JSON fields are the names a profile file uses) and
// its sweep.
type Definition[S any] struct {
	Settings S     `json:"settings"`
	Sweep    Sweep `json:"sweep"`
}

// Resolve returns task's definition under p: the one defs gives p's base,
// with p's overlay for the task, if any, decoded strictly over it. The base
// definition is copied through JSON first, so S must carry everything a run
// reads in JSON fields (Resolve fails when the copy is not exact); an
// overlay can therefore change any of them.
func Resolve[S any](task string, p Profile, defs map[string]Definition[S]) (Definition[S], error) {
	base, ok := defs[p.Base]
	if !ok {
		return Definition[S]{}, fmt.Errorf("task %s has no profile %q (it has: %s)", task, p.Base, strings.Join(DefinedProfiles(defs), ", "))
	}
	b, err := json.Marshal(base)
	if err != nil {
		return Definition[S]{}, fmt.Errorf("task %s: profile %s: %w", task, p.Base, err)
	}
	var d Definition[S]
	if err := strictDecode(b, &d); err != nil || !reflect.DeepEqual(d, base) {
		// A field outside JSON would be lost here, and a profile file
		// could not set it: a bug in the task, caught on every run.
		return Definition[S]{}, fmt.Errorf("task %s: profile %s: its definition does not survive JSON (a field without a JSON name?): %v", task, p.Base, err)
	}
	if raw, ok := p.Tasks[task]; ok {
		if err := strictDecode(raw, &d); err != nil {
			return Definition[S]{}, fmt.Errorf("profile %s: tasks.%s: %w", p.Name, task, err)
		}
	}
	return d, nil
}

// DefinedProfiles lists the built-in profiles defs defines, in the order of
// [Profiles].
func DefinedProfiles[S any](defs map[string]Definition[S]) []string {
	var names []string
	for _, n := range Profiles {
		if _, ok := defs[n]; ok {
			names = append(names, n)
		}
	}
	return names
}

// CheckProfileTasks reports an overlay for a task the registry does not
// know (a misspelt task name would otherwise change nothing, silently).
func CheckProfileTasks(p Profile, known []string) error {
	for name := range p.Tasks {
		if !slices.Contains(known, name) {
			return fmt.Errorf("profile %s: tasks.%s: unknown task%s (want one of %s)", p.Name, name, DidYouMean(name, known), strings.Join(known, ", "))
		}
	}
	return nil
}

func strictDecode(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("more than one JSON value")
	}
	return nil
}

// MustBuiltin is [Builtin] for names known to be built in (tests, and
// code that names a constant); it panics on any other.
func MustBuiltin(name string) Profile {
	p, err := Builtin(name)
	if err != nil {
		panic(err)
	}
	return p
}

// Defined gives a task whose profiles are Definitions the methods of
// [Task] that follow from them, so that each task states its definitions
// once and forwards to these.
type Defined[S any] struct {
	// Task is the task's registry name, which a profile file's "tasks"
	// keys use.
	Task string
	// Defs builds the built-in definitions.
	Defs func() map[string]Definition[S]
	// Complete, when set, derives what follows from the settings (a
	// network's input shape from the preprocessing, say) and rejects what a
	// profile file may not choose.
	Complete func(S) (S, error)
}

// Profiles lists the built-in profiles defined.
func (d Defined[S]) Profiles() []string { return DefinedProfiles(d.Defs()) }

// Resolve returns the definition under p (see [Resolve]), completed.
func (d Defined[S]) Resolve(p Profile) (Definition[S], error) {
	def, err := Resolve(d.Task, p, d.Defs())
	if err != nil || d.Complete == nil {
		return def, err
	}
	if def.Settings, err = d.Complete(def.Settings); err != nil {
		return def, fmt.Errorf("profile %s: tasks.%s: settings: %w", p.Name, d.Task, err)
	}
	return def, nil
}

// Sweep returns the sweep under p.
func (d Defined[S]) Sweep(p Profile) (Sweep, error) {
	def, err := d.Resolve(p)
	return def.Sweep, err
}

// Settings returns the settings under p.
func (d Defined[S]) Settings(p Profile) (S, error) {
	def, err := d.Resolve(p)
	return def.Settings, err
}
