package tree

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// root is the module's root, two levels above this package.
var root = filepath.Join("..", "..")

// absPath matches an absolute path of at least two components ("/work/x",
// not a fragment such as "/claim/").
var absPath = regexp.MustCompile(`^/[A-Za-z0-9._-]+/[A-Za-z0-9._-]+`)

// allowedAbs are the absolute prefixes that name the operating system, not
// data: files of /proc, and the system Python the speed table may call.
// The placeholder prefixes are tests' deliberately missing folders.
var allowedAbs = []string{"/proc/", "/sys/", "/dev/", "/usr/bin/", "/nowhere/", "/nonexistent/", "/somewhere/"}

// outside are fragments that name folders outside the module. (Literals
// that would themselves be such a citation are split in two, so that a text
// search of the repository for them finds real citations only.)
var outside = []string{"shared/data", "shared/" + "spec", "../shared"}

// badLiteral says why a string literal names a machine path, or "".
func badLiteral(s string) string {
	for _, o := range outside {
		if strings.Contains(s, o) {
			return "names a folder outside the module (" + o + ")"
		}
	}
	if absPath.MatchString(s) {
		for _, a := range allowedAbs {
			if strings.HasPrefix(s, a) {
				return ""
			}
		}
		return "is an absolute path of a machine"
	}
	return ""
}

func TestBadLiteral(t *testing.T) {
	for _, c := range []struct {
		in  string
		bad bool
	}{
		{"/work/" + "shared/data/ptb", true},
		{"/home/me/mnist", true},
		{"../shared/data/ptb", true},
		{"data/cifar-10-batches-bin", false},
		{"/proc/cpuinfo", false},
		{"/usr/bin/python3", false},
		{"/nowhere/ptb", false},
		{"/baseline", false},
		{"", false},
	} {
		if got := badLiteral(c.in) != ""; got != c.bad {
			t.Errorf("badLiteral(%q) = %v, want %v", c.in, got, c.bad)
		}
	}
}

// TestNoMachinePaths fails when a Go file of the module holds a string
// literal that names a data file by an absolute path, or a folder outside
// the module: a user's machine has neither.
func TestNoMachinePaths(t *testing.T) {
	fset := token.NewFileSet()
	n := 0
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); p != root && (strings.HasPrefix(name, ".") || name == "results" || name == "bin") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") || filepath.Base(filepath.Dir(p)) == "tree" {
			// Go files only; this package's own examples name such paths on purpose.
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		n++
		ast.Inspect(f, func(x ast.Node) bool {
			lit, ok := x.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil {
				return true
			}
			if why := badLiteral(s); why != "" {
				t.Errorf("%s: %q %s; the module must carry what it reads", fset.Position(lit.Pos()), s, why)
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 100 {
		t.Fatalf("walked %d Go files from %s; expected the whole module", n, root)
	}
}

// TestNoBinaries fails when git tracks a file over 1 MB that is neither
// data the suite reads or reports (a results folder's runs.csv export grows
// with its runs) nor generated assembly.
func TestNoBinaries(t *testing.T) {
	out, err := exec.Command("git", "-C", root, "ls-files", "-z").Output()
	if err != nil {
		t.Skipf("not a git checkout (%v): nothing to check", err)
	}
	dataExt := []string{".gz", ".s", ".json", ".csv"}
	for _, p := range bytes.Split(bytes.TrimRight(out, "\x00"), []byte{0}) {
		name := string(p)
		st, err := os.Stat(filepath.Join(root, name))
		if err != nil || st.Size() <= 1<<20 {
			continue
		}
		ok := false
		for _, e := range dataExt {
			ok = ok || strings.HasSuffix(name, e)
		}
		if !ok {
			t.Errorf("%s: %d bytes tracked by git; binaries do not belong in the repository (data files end in %v)", name, st.Size(), dataExt)
		}
	}
}

// TestNoMissingDocs fails when a file cites a specification document that
// the repository does not hold: what the code cites lives in paper/.
func TestNoMissingDocs(t *testing.T) {
	cited := regexp.MustCompile(`\b(paper|baselines|protocol|datasets|style)\.md\b`)
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); p != root && (strings.HasPrefix(name, ".") || name == "results" || name == "bin" || name == "paper") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") && !strings.HasSuffix(p, ".md") && !strings.HasSuffix(p, ".py") && d.Name() != "Makefile" {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for i, line := range strings.Split(string(b), "\n") {
			if m := cited.FindString(line); m != "" && !strings.Contains(line, "paper/") {
				t.Errorf("%s:%d cites %s, which is not in the repository (cite paper/…)", p, i+1, m)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
