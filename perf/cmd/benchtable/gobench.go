package main

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
)

// Sample is one result line of Go's benchmark format: the benchmark's name
// (without "Benchmark" and the GOMAXPROCS suffix), its iterations and its
// metrics by unit.
type Sample struct {
	Name    string
	Iters   int
	Metrics map[string]float64
}

// GoResults holds the parsed output of go test -bench: samples by name, in
// order of first appearance, and the configuration lines (goos, cpu, ...).
type GoResults struct {
	Config  map[string]string
	Samples map[string][]Sample
	Order   []string
}

var procSuffix = regexp.MustCompile(`-\d+$`)

// ParseGo reads Go's benchmark format. Lines that are neither results nor
// "key: value" configuration lines (test logs, PASS, ok) are ignored.
func ParseGo(r io.Reader) (*GoResults, error) {
	res := &GoResults{Config: map[string]string{}, Samples: map[string][]Sample{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		text := sc.Text()
		if !strings.HasPrefix(text, "Benchmark") {
			if k, v, ok := strings.Cut(text, ": "); ok && !strings.ContainsAny(k, " \t") && k != "" {
				res.Config[k] = strings.TrimSpace(v)
			}
			continue
		}
		f := strings.Fields(text)
		if len(f) < 4 || len(f)%2 != 0 {
			continue // a benchmark's log line, or a name printed before a failure
		}
		iters, err := strconv.Atoi(f[1])
		if err != nil {
			continue
		}
		s := Sample{Name: procSuffix.ReplaceAllString(strings.TrimPrefix(f[0], "Benchmark"), ""), Iters: iters, Metrics: map[string]float64{}}
		for i := 2; i < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				return nil, fmt.Errorf("benchmark output line %d: metric %q of %s is not a number", line, f[i], f[0])
			}
			s.Metrics[f[i+1]] = v
		}
		if _, seen := res.Samples[s.Name]; !seen {
			res.Order = append(res.Order, s.Name)
		}
		res.Samples[s.Name] = append(res.Samples[s.Name], s)
	}
	return res, sc.Err()
}

// Best returns, of the samples of name that have unit, the value of unit in
// the best one (the lowest when lower is better), and whether there was one.
func (g *GoResults) Best(name, unit string, lowerBetter bool) (float64, bool) {
	var best float64
	found := false
	for _, s := range g.Samples[name] {
		v, ok := s.Metrics[unit]
		if !ok {
			continue
		}
		if !found || (lowerBetter && v < best) || (!lowerBetter && v > best) {
			best, found = v, true
		}
	}
	return best, found
}

// Merge adds the samples and configuration of o to g.
func (g *GoResults) Merge(o *GoResults) {
	for k, v := range o.Config {
		if _, ok := g.Config[k]; !ok {
			g.Config[k] = v
		}
	}
	for _, n := range o.Order {
		if _, seen := g.Samples[n]; !seen {
			g.Order = append(g.Order, n)
		}
		g.Samples[n] = append(g.Samples[n], o.Samples[n]...)
	}
}

// find returns the first benchmark name that starts with prefix (the Fast
// backend's benchmarks are named after its kernel path, "fast-avx512"), or
// prefix itself.
func (g *GoResults) find(prefix string) string {
	for _, n := range g.Order {
		if strings.HasPrefix(n, prefix) {
			return n
		}
	}
	return prefix
}
