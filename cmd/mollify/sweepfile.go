package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// sweepFile is a sweep written down: the flags of run, plan, check and k8s
// as one JSON object, so that a sweep is changed and kept without editing
// code. Unknown keys are errors naming the key and its line; flags given on
// the command line win over the file's values (-set and -grid add to it).
//
//	{
//	  "profile": "paper",
//	  "tasks": ["mnist-sigmoid"],
//	  "configs": ["residual", "mollified"],
//	  "seeds": 5,
//	  "select": "best_valid_acc:max",
//	  "options": {"mollified": {"eval": "expect"}},
//	  "grid": {"lr": [0.001, 0.003, 0.01], "mollified.kappa": [0.01, 0.03, 0.1]},
//	  "out": "results/my-sweep"
//	}
type sweepFile struct {
	Profile string                       `json:"profile"`
	Tasks   []string                     `json:"tasks"`
	Configs []string                     `json:"configs"`
	Seeds   int                          `json:"seeds"`
	Select  string                       `json:"select"`
	Options map[string]map[string]string `json:"options"`
	Grid    map[string][]float64         `json:"grid"`
	Out     string                       `json:"out"`
}

// readSweepFile reads and strictly decodes a sweep file.
func readSweepFile(path string) (sweepFile, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return sweepFile{}, err
	}
	return parseSweepFile(b, path)
}

// parseSweepFile decodes b strictly: one JSON object, known keys only, the
// right types; an error names the file, the line and the key or value.
func parseSweepFile(b []byte, name string) (sweepFile, error) {
	var sf sweepFile
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&sf); err != nil {
		off := dec.InputOffset()
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			off = se.Offset
		case errors.As(err, &te):
			off = te.Offset
			err = fmt.Errorf("key %q: %s is not %s", te.Field, te.Value, te.Type)
		case errors.Is(err, io.EOF):
			return sf, fmt.Errorf("%s: empty, want a JSON object of sweep flags", name)
		default:
			// An unknown key: the decoder is past the object; point at
			// the key itself.
			if key, ok := strings.CutPrefix(err.Error(), `json: unknown field "`); ok {
				if i := bytes.Index(b, []byte(`"`+strings.TrimSuffix(key, `"`)+`"`)); i >= 0 {
					off = int64(i)
				}
				err = fmt.Errorf("unknown key %s (known: profile, tasks, configs, seeds, select, options, grid, out)", strings.TrimPrefix(err.Error(), "json: unknown field "))
			}
		}
		return sf, fmt.Errorf("%s:%d: %v", name, lineAt(b, off), strings.TrimPrefix(err.Error(), "json: "))
	}
	if dec.More() {
		return sf, fmt.Errorf("%s:%d: text after the sweep's object", name, lineAt(b, dec.InputOffset()))
	}
	return sf, nil
}

// lineAt is the 1-based line of byte offset off in b.
func lineAt(b []byte, off int64) int {
	off = min(max(off, 0), int64(len(b)))
	return bytes.Count(b[:off], []byte("\n")) + 1
}

// apply sets the flags that were not given on the command line from the
// file; -set and -grid values of the file are added unless the command
// line gives the same key.
func (sf sweepFile) apply(f *sweepFlags, given map[string]bool) error {
	if sf.Profile != "" && !given["profile"] {
		f.profile = sf.Profile
	}
	if len(sf.Tasks) > 0 && !given["tasks"] {
		f.tasks = strings.Join(sf.Tasks, ",")
	}
	if len(sf.Configs) > 0 && !given["configs"] {
		f.configs = strings.Join(sf.Configs, ",")
	}
	if sf.Seeds != 0 && !given["seeds"] {
		f.seeds = sf.Seeds
	}
	if sf.Select != "" && !given["select"] {
		f.sel = sf.Select
	}
	if sf.Out != "" && !given["out"] {
		f.out = sf.Out
	}
	for cfg, opts := range sf.Options {
		for k, v := range opts {
			if _, ok := f.set[cfg][k]; ok {
				continue
			}
			if err := f.set.Set(cfg + "." + k + "=" + v); err != nil {
				return fmt.Errorf("options: %v", err)
			}
		}
	}
	for key, vs := range sf.Grid {
		cfg, axis, ok := strings.Cut(key, ".")
		if !ok {
			cfg, axis = "", key
		}
		if _, ok := f.grid[cfg][axis]; ok {
			continue
		}
		if len(vs) == 0 {
			return fmt.Errorf("grid %q: no values", key)
		}
		if f.grid[cfg] == nil {
			f.grid[cfg] = map[string][]float64{}
		}
		f.grid[cfg][axis] = vs
	}
	return nil
}
