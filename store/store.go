package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/mollifying/mollify/experiment"
)

// tmpPrefix marks files being written; readers ignore them.
const tmpPrefix = ".tmp-"

// Env is the provenance of one execution of a run. Unlike the record, it
// differs between executions (wall time, date).
type Env struct {
	Provenance
	WallSeconds float64 `json:"wall_seconds"`
	Finished    string  `json:"finished"`
}

// File is the content of a result file.
type File struct {
	// Run is the deterministic record, kept as the exact bytes written.
	Run json.RawMessage `json:"run"`
	Env Env             `json:"env"`
}

// Result is a loaded result file.
type Result struct {
	Path   string
	Record *experiment.Record
	Env    Env
	// Digest is the SHA-256 of the run object's compact encoding.
	Digest string
}

// RunPath is where the result of spec lives under dir.
func RunPath(dir string, spec experiment.RunSpec) string {
	return filepath.Join(dir, "runs", spec.Task, spec.Config, fmt.Sprintf("%s-%s.json", spec.Phase, spec.Hash()))
}

// EncodeRecord returns the canonical bytes of a record.
func EncodeRecord(rec *experiment.Record) ([]byte, error) {
	return json.MarshalIndent(rec, "", " ")
}

// WriteResult writes rec and env to path atomically: a temporary file in the
// same directory, synced, then renamed over path.
func WriteResult(path string, rec *experiment.Record, env Env) error {
	run, err := EncodeRecord(rec)
	if err != nil {
		return fmt.Errorf("encode %s: %w", rec.Spec, err)
	}
	b, err := json.MarshalIndent(File{Run: run, Env: env}, "", " ")
	if err != nil {
		return fmt.Errorf("encode %s: %w", rec.Spec, err)
	}
	return WriteAtomic(path, append(b, '\n'))
}

// WriteAtomic writes data to path through a temporary file and a rename, so
// that path is either absent, its old content, or complete.
func WriteAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := createTemp(dir)
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, werr := f.Write(data)
	serr := f.Sync()
	cerr := f.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// tmpSeq numbers the temporary files of this process.
var tmpSeq atomic.Uint64

// host names this machine in temporary file names, so that processes on
// other machines writing to the same folder (a shared filesystem) are told
// apart from this machine's: '-' and '.' become '_'.
var host = func() string {
	h, err := os.Hostname()
	if err != nil || h == "" {
		return "unknown"
	}
	return strings.NewReplacer("-", "_", ".", "_", "/", "_").Replace(h)
}()

// createTemp creates a new temporary file in dir, named
// .tmp-<host>-<pid>-<seq>, with mode 0644 less the umask, like any file the
// user writes (os.CreateTemp would make it private, and the rename would
// keep that).
func createTemp(dir string) (*os.File, error) {
	for {
		name := filepath.Join(dir, tempName(host, os.Getpid(), tmpSeq.Add(1)))
		f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if !errors.Is(err, fs.ErrExist) {
			return f, err
		}
	}
}

// LoadResult reads and decodes one result file.
func LoadResult(path string) (*Result, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var f File
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("result file %s is not valid: %w", path, err)
	}
	var rec experiment.Record
	if err := json.Unmarshal(f.Run, &rec); err != nil {
		return nil, fmt.Errorf("result file %s: bad run object: %w", path, err)
	}
	d, err := digest(f.Run)
	if err != nil {
		return nil, fmt.Errorf("result file %s: %w", path, err)
	}
	return &Result{Path: path, Record: &rec, Env: f.Env, Digest: d}, nil
}

// Digest is the Result.Digest of a file holding rec: two runs are the same
// bit for bit when their digests are.
func Digest(rec *experiment.Record) (string, error) {
	run, err := EncodeRecord(rec)
	if err != nil {
		return "", fmt.Errorf("encode %s: %w", rec.Spec, err)
	}
	return digest(run)
}

// digest is the SHA-256 of a run object's compact encoding, so that the
// file's indentation does not count.
func digest(run []byte) (string, error) {
	var compact bytes.Buffer
	if err := json.Compact(&compact, run); err != nil {
		return "", err
	}
	sum := sha256.Sum256(compact.Bytes())
	return hex.EncodeToString(sum[:]), nil
}

// IsResultName reports whether a file name under runs/ is a result file's,
// not a file being written or a lease.
func IsResultName(name string) bool {
	return strings.HasSuffix(name, ".json") && !strings.HasPrefix(name, tmpPrefix)
}

// LoadResults reads every result file under dir/runs, ignoring files being
// written, in path order.
func LoadResults(dir string) ([]*Result, error) {
	root := filepath.Join(dir, "runs")
	var paths []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && IsResultName(d.Name()) {
			paths = append(paths, p)
		}
		return nil
	})
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("no results under %s (run a sweep first)", dir)
		}
		return nil, err
	}
	sort.Strings(paths)
	out := make([]*Result, 0, len(paths))
	for _, p := range paths {
		r, err := LoadResult(p)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// tempName is the name of a temporary file of process pid on host h.
func tempName(h string, pid int, seq uint64) string {
	return fmt.Sprintf("%s%s-%d-%d", tmpPrefix, h, pid, seq)
}

// staleAge is the age past which a temporary file of another machine is
// taken to be left over: no write of a result file lasts that long.
const staleAge = 24 * time.Hour

// stale reports whether the temporary file name, last modified at mod, is
// a left-over: one of this machine's whose process has ended, or one of
// another machine older than staleAge. Files of live processes, here or
// elsewhere, are being written and must be left alone: several sweeps or
// shards may share a results folder.
func stale(name string, mod, now time.Time) bool {
	rest, ok := strings.CutPrefix(name, tmpPrefix)
	if !ok {
		return false
	}
	f := strings.Split(rest, "-")
	if len(f) == 3 && f[0] == host {
		if pid, err := strconv.Atoi(f[1]); err == nil {
			return !processAlive(pid)
		}
	}
	return now.Sub(mod) > staleAge
}

// RemoveStaleTemps deletes the temporary files that interrupted writers
// left under dir, and only those (see [stale]), and the leases whose holder
// is gone (see [Lease]).
func RemoveStaleTemps(dir string) {
	now := time.Now()
	filepath.WalkDir(filepath.Join(dir, "runs"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		if res, ok := strings.CutSuffix(p, leaseSuffix); ok {
			if !LeaseHeld(res, DefaultLeaseTTL) {
				os.Remove(p)
			}
			return nil
		}
		if !strings.HasPrefix(d.Name(), tmpPrefix) {
			return nil
		}
		if fi, err := d.Info(); err == nil && stale(d.Name(), fi.ModTime(), now) {
			os.Remove(p)
		}
		return nil
	})
}

// CheckWritable makes sure result files can be written under dir: it
// creates dir/runs if needed and writes and removes a temporary file there,
// so that a sweep into a folder it cannot write fails before its first run
// rather than after it.
func CheckWritable(dir string) error {
	runs := filepath.Join(dir, "runs")
	if err := os.MkdirAll(runs, 0o755); err != nil {
		return fmt.Errorf("cannot create %s: %w", runs, err)
	}
	f, err := createTemp(runs)
	if err != nil {
		return fmt.Errorf("cannot write in %s: %w", runs, err)
	}
	name := f.Name()
	_, werr := f.Write([]byte("probe"))
	cerr := f.Close()
	os.Remove(name)
	if err := errors.Join(werr, cerr); err != nil {
		return fmt.Errorf("cannot write in %s: %w", runs, err)
	}
	return nil
}
