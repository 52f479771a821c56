package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strconv"

	"maps"

	"github.com/mollifying/mollify/stats"
	"github.com/mollifying/mollify/store"
)

// JSONSchema is the version of report.json's layout; it changes whenever a
// field changes meaning, name or goes away. 2: the gate's fields are in
// lower case like the others (they were Go's field names), and claims is a
// list, empty rather than null, on a task without claims.
const JSONSchema = 2

// jsonReport is report.json: the summary cells, the claims and the gates,
// from the same data as report.md.
type jsonReport struct {
	Schema int        `json:"schema"`
	Tasks  []jsonTask `json:"tasks"`
	// NotRun names the tasks of the profile with no result here.
	NotRun     []string `json:"not_run"`
	Provenance []string `json:"provenance"`
}

type jsonTask struct {
	Name    string      `json:"name"`
	Profile string      `json:"profile"`
	Cells   []jsonCell  `json:"cells"`
	Claims  []jsonClaim `json:"claims"`
	Gate    *Gate       `json:"gate,omitempty"`
}

// jsonCell is one configuration × metric: mean over the final seeds and
// its bootstrap interval.
type jsonCell struct {
	Config string   `json:"config"`
	Metric string   `json:"metric"`
	N      int      `json:"n"`
	Mean   *float64 `json:"mean"`
	Lo     *float64 `json:"lo"`
	Hi     *float64 `json:"hi"`
}

type jsonClaim struct {
	ID      string   `json:"id"`
	Text    string   `json:"text"`
	Metric  string   `json:"metric"`
	Config  string   `json:"config"`
	Versus  string   `json:"versus"`
	Outcome string   `json:"outcome"`
	N       int      `json:"n"`
	Diff    *float64 `json:"diff"`
	Lo      *float64 `json:"lo"`
	Hi      *float64 `json:"hi"`
	// Edges are Config's and Versus's tuned values at an edge of the
	// values their trials tried, as the summary table gives them.
	Edges []string `json:"edges"`
}

// finite is v, or nil (JSON null) when v is not a number.
func finite(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

// cells summarises every reported metric of every configuration.
func cells(tr *TaskReport) []jsonCell {
	out := []jsonCell{}
	for _, c := range tr.Configs {
		if len(c.Runs) == 0 {
			continue
		}
		for _, m := range tr.Spec.Metrics {
			s := stats.Summarize(c.Values(m.Name), tr.Name+"/"+c.Name+"/"+m.Name)
			out = append(out, jsonCell{Config: c.Name, Metric: m.Name, N: s.N, Mean: finite(s.Mean), Lo: finite(s.Lo), Hi: finite(s.Hi)})
		}
	}
	return out
}

// writeExports writes report.json, summary.csv (one row per configuration ×
// metric), runs.csv (one row per run and final metric: the tidy form) and
// tables.tex (every table, booktabs).
func (r *Report) writeExports(dir string) error {
	jr := jsonReport{Schema: JSONSchema, Provenance: r.Provenance, NotRun: []string{}}
	for _, nr := range r.NotRun {
		jr.NotRun = append(jr.NotRun, nr.Name)
	}
	var summary bytes.Buffer
	sw := csv.NewWriter(&summary)
	sw.Write([]string{"task", "profile", "config", "metric", "n", "mean", "lo", "hi"})
	for _, tr := range r.Tasks {
		jt := jsonTask{Name: tr.Name, Profile: tr.Profile, Cells: cells(tr), Claims: []jsonClaim{}}
		if tr.Gate.Applicable {
			g := tr.Gate
			jt.Gate = &g
		}
		for _, v := range tr.Claims {
			jt.Claims = append(jt.Claims, jsonClaim{ID: v.Claim.ID, Text: v.Claim.Text, Metric: v.Claim.Metric, Config: v.Claim.Config, Versus: v.Claim.Versus,
				Outcome: v.Outcome, N: v.Diff.N, Diff: finite(v.Diff.Mean), Lo: finite(v.Diff.Lo), Hi: finite(v.Diff.Hi),
				Edges: append([]string{}, edgesOf(tr, v.Claim.Config, v.Claim.Versus)...)})
		}
		for _, c := range jt.Cells {
			sw.Write([]string{tr.Name, tr.Profile, c.Config, c.Metric, strconv.Itoa(c.N), csvNum(c.Mean), csvNum(c.Lo), csvNum(c.Hi)})
		}
		jr.Tasks = append(jr.Tasks, jt)
	}
	sw.Flush()
	js, err := json.MarshalIndent(jr, "", " ")
	if err != nil {
		return fmt.Errorf("report.json: %w", err)
	}
	var runs bytes.Buffer
	rw := csv.NewWriter(&runs)
	rw.Write([]string{"task", "profile", "config", "phase", "trial", "seed", "hash", "diverged", "metric", "value"})
	for _, res := range r.results {
		rec := res.Record
		s := rec.Spec
		for _, k := range slices.Sorted(maps.Keys(rec.Final)) {
			rw.Write([]string{s.Task, s.Profile, s.Config, string(s.Phase), strconv.Itoa(s.Trial), strconv.FormatUint(s.Seed, 10), rec.Hash, strconv.FormatBool(rec.Diverged), k, strconv.FormatFloat(float64(rec.Final[k]), 'g', -1, 64)})
		}
	}
	rw.Flush()
	for name, b := range map[string][]byte{"report.json": append(js, '\n'), "summary.csv": summary.Bytes(), "runs.csv": runs.Bytes(), "tables.tex": []byte(r.LaTeX())} {
		if err := store.WriteAtomic(filepath.Join(dir, name), b); err != nil {
			return err
		}
	}
	return nil
}

func csvNum(v *float64) string {
	if v == nil {
		return "NaN"
	}
	return strconv.FormatFloat(*v, 'g', -1, 64)
}
