package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"text/tabwriter"

	"github.com/mollifying/mollify/experiment"
	"github.com/mollifying/mollify/harness"
	"github.com/mollifying/mollify/internal/format"
	"github.com/mollifying/mollify/store"
)

// errReplayDiffers is returned when a replayed run is not the stored one
// bit for bit: exit status 1.
var errReplayDiffers = errors.New("replay differs")

// Replay samples.
const (
	sampleRevision = "revision"
	sampleAll      = "all"
)

// cmdReplay runs again, with the code at hand, runs a results folder holds
// and compares each fresh run object with the stored one bit for bit. A
// reference folder filled over weeks holds runs written by many revisions
// (its report's provenance lists them); replaying the shortest run of each
// task and revision checks that they are what today's code computes,
// without redoing the campaign.
func cmdReplay(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("replay", stderr)
	profile := fs.String("profile", experiment.Paper, "profile of the runs: a built-in name or a profile file")
	dir := fs.String("out", "", "results folder whose runs to replay (default results/<profile>)")
	tasks := fs.String("tasks", "all", "comma-separated tasks, or all")
	configs := fs.String("configs", "all", "comma-separated configurations, or all")
	sample := fs.String("sample", sampleRevision, "which runs: revision (for every task, the shortest run of each code revision that wrote runs) or all")
	workers := fs.Int("workers", 2, "concurrent single-threaded replays")
	if err := parse(fs, args); err != nil {
		return err
	}
	prof, err := experiment.LookupProfile(*profile)
	if err != nil {
		return usagef("-profile: %v", err)
	}
	if *sample != sampleRevision && *sample != sampleAll {
		return usagef("-sample: %q is not %s or %s", *sample, sampleRevision, sampleAll)
	}
	if *workers < 1 {
		return usagef("-workers: %d; want 1 or more", *workers)
	}
	ts, err := pick(*tasks, harness.Tasks, harness.LookupTask)
	if err != nil {
		return usagef("-tasks: %v", err)
	}
	cs, err := pick(*configs, harness.Configs, harness.LookupConfig)
	if err != nil {
		return usagef("-configs: %v", err)
	}
	if *dir == "" {
		*dir = filepath.Join("results", prof.Name)
	}
	if _, err := os.Stat(*dir); err != nil {
		return usagef("-out %s: no results folder there (%v)", *dir, errors.Unwrap(err))
	}
	all, err := store.LoadResults(*dir)
	if err != nil {
		return err
	}
	var runs []*store.Result
	for _, r := range all {
		s := r.Record.Spec
		if s.Profile == prof.Name && slices.ContainsFunc(ts, func(t experiment.Task) bool { return t.Name() == s.Task }) &&
			slices.ContainsFunc(cs, func(c experiment.Config) bool { return c.Name() == s.Config }) {
			runs = append(runs, r)
		}
	}
	if len(runs) == 0 {
		return usagef("-out %s: no run of profile %s, tasks %s and configurations %s there", *dir, prof.Name, *tasks, *configs)
	}
	if *sample == sampleRevision {
		runs = shortestPerRevision(runs)
	}
	var cpu float64
	for _, r := range runs {
		cpu += r.Env.WallSeconds
	}
	rev := store.CurrentProvenance().Revision
	// On stdout, so that the saved output says what was replayed with what.
	fmt.Fprintf(stdout, "replaying %d runs of %s with revision %s: about %s of CPU time (their recorded run times)\n",
		len(runs), *dir, rev, format.Seconds(cpu))

	outcomes := make([]string, len(runs))
	jobs := make(chan int)
	var wg sync.WaitGroup
	var mu sync.Mutex // stderr
	for range *workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				mu.Lock()
				fmt.Fprintf(stderr, "replay %s\n", runs[i].Record.Spec)
				mu.Unlock()
				outcomes[i] = replayOne(ctx, runs[i], prof)
			}
		}()
	}
	for i := range runs {
		if ctx.Err() != nil {
			break
		}
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return err
	}

	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "run\twritten by\trun time\treplay")
	same := 0
	for i, r := range runs {
		rel, _ := filepath.Rel(*dir, r.Path)
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", rel, r.Env.Revision, format.Seconds(r.Env.WallSeconds), outcomes[i])
		if outcomes[i] == replayIdentical {
			same++
		}
	}
	tw.Flush()
	if same < len(runs) {
		return fmt.Errorf("%w: %d of %d runs replayed with revision %s are not the stored ones bit for bit", errReplayDiffers, len(runs)-same, len(runs), rev)
	}
	fmt.Fprintf(stdout, "replay: all %d runs identical bit for bit with revision %s\n", len(runs), rev)
	return nil
}

// replayIdentical is the outcome of a replay equal to the stored run.
const replayIdentical = "identical"

// replayOne replays one run and says how it compares.
func replayOne(ctx context.Context, r *store.Result, prof experiment.Profile) string {
	rec, err := harness.Replay(ctx, r, prof)
	if err != nil {
		return "not replayed: " + err.Error()
	}
	d, err := store.Digest(rec)
	if err != nil {
		return "not replayed: " + err.Error()
	}
	if d == r.Digest {
		return replayIdentical
	}
	return "differs: " + strings.Join(recordDiffs(r.Record, rec), ", ")
}

// shortestPerRevision keeps, for every task and code revision, the run
// with the shortest recorded run time (the first by path on a tie), in
// path order.
func shortestPerRevision(runs []*store.Result) []*store.Result {
	best := map[[2]string]*store.Result{}
	for _, r := range runs {
		k := [2]string{r.Record.Spec.Task, r.Env.Revision}
		if b, ok := best[k]; !ok || r.Env.WallSeconds < b.Env.WallSeconds || (r.Env.WallSeconds == b.Env.WallSeconds && r.Path < b.Path) {
			best[k] = r
		}
	}
	out := make([]*store.Result, 0, len(best))
	for _, r := range best {
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b *store.Result) int { return cmp.Compare(a.Path, b.Path) })
	return out
}
