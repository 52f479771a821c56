package store

import (
	"bufio"
	"os"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/mollifying/mollify/gemm"
)

// Revision is the code revision, set at build time by the Makefile
// (-ldflags "-X .../store.Revision=..."); when empty, the VCS stamp of the
// build is used if there is one.
var Revision string

// Provenance identifies the code and machine that produced a result.
type Provenance struct {
	Revision  string `json:"revision"`
	GoVersion string `json:"go"`
	Platform  string `json:"platform"`
	CPU       string `json:"cpu"`
	GEMM      string `json:"gemm"`
}

// CurrentProvenance describes this process.
func CurrentProvenance() Provenance {
	return Provenance{
		Revision:  revision(),
		GoVersion: runtime.Version(),
		Platform:  runtime.GOOS + "/" + runtime.GOARCH,
		CPU:       cpuModel(),
		GEMM:      gemm.Current().Name(),
	}
}

func revision() string {
	if Revision != "" {
		return Revision
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		var rev, dirty string
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				if s.Value == "true" {
					dirty = "-dirty"
				}
			}
		}
		if rev != "" {
			return rev + dirty
		}
	}
	return "unknown"
}

func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return runtime.GOARCH
}
