package harness

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/mollifying/mollify/experiment"
)

// progress reports a sweep: a redrawn status line on a terminal, one line
// per finished run otherwise. The time left is the work left (runs weighted
// by their task's cost) at the rate observed so far in this process.
type progress struct {
	mu        sync.Mutex
	w         io.Writer
	term      bool
	now       func() time.Time
	began     time.Time
	total     float64 // weight of runs to execute (cached runs excluded)
	doneW     float64 // weight finished
	running   map[string]float64
	nDone     int
	nTotal    int
	reserved  int     // runs estimated ahead by plan
	reservedW float64 // and their weight
	lastDraw  time.Time
	lastWidth int
}

func newProgress(w io.Writer, term bool, now func() time.Time) *progress {
	return &progress{w: w, term: term, now: now, began: now(), running: map[string]float64{}}
}

// plan adds jobs to the total, each of which is later either run or
// reported cached. Runs that a later phase will add are estimated ahead
// (extraRuns of extraWeight in all); the next call replaces that estimate
// by its actual jobs.
func (p *progress) plan(jobs []job, extraWeight float64, extraRuns int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.total -= p.reservedW
	p.nTotal -= p.reserved
	for _, j := range jobs {
		p.total += j.weight
		p.nTotal++
	}
	p.total += extraWeight
	p.nTotal += extraRuns
	p.reserved, p.reservedW = extraRuns, extraWeight
}

// add counts a job that no plan call counted (a run another process was
// expected to make).
func (p *progress) add(j job) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.total += j.weight
	p.nTotal++
}

func (p *progress) cached(j job) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.total -= j.weight
	p.nTotal--
}

func (p *progress) start(j job) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.running[j.path] = 0
	p.draw(j.spec.String(), false)
}

func (p *progress) update(j job, frac float64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.running[j.path] = frac * j.weight
	p.draw(j.spec.String(), false)
}

func (p *progress) abort(j job) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.running, j.path)
}

func (p *progress) done(j job, rec *experiment.Record) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.running, j.path)
	p.doneW += j.weight
	p.nDone++
	status := ""
	if rec.Diverged {
		status = " (diverged)"
	}
	if p.term {
		p.draw(j.spec.String()+status, true)
		return
	}
	fmt.Fprintf(p.w, "[%d/%d] %s%s, %s elapsed, %s left\n", p.nDone, p.nTotal, j.spec, status, p.elapsed(), p.eta())
}

func (p *progress) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.term && p.lastWidth > 0 {
		fmt.Fprintln(p.w)
	}
	fmt.Fprintf(p.w, "sweep finished: %d runs executed in %s\n", p.nDone, p.elapsed())
}

func (p *progress) elapsed() string { return p.now().Sub(p.began).Round(time.Second).String() }

// eta extrapolates the observed rate; before any work is done it is unknown.
func (p *progress) eta() string {
	done := p.doneW
	for _, v := range p.running {
		done += v
	}
	el := p.now().Sub(p.began)
	if done <= 0 || el <= 0 {
		return "?"
	}
	left := time.Duration(float64(el) * (p.total - done) / done)
	if left < 0 {
		left = 0
	}
	return left.Round(time.Second).String()
}

// draw redraws the terminal line at most 5 times a second (always when
// force is set).
func (p *progress) draw(what string, force bool) {
	if !p.term {
		return
	}
	t := p.now()
	if !force && t.Sub(p.lastDraw) < 200*time.Millisecond {
		return
	}
	p.lastDraw = t
	done := p.doneW
	for _, v := range p.running {
		done += v
	}
	pct := 100.0
	if p.total > 0 {
		pct = 100 * done / p.total
	}
	line := fmt.Sprintf("[%d/%d] %5.1f%% %s elapsed, %s left | %s", p.nDone, p.nTotal, pct, p.elapsed(), p.eta(), what)
	pad := p.lastWidth - len(line)
	p.lastWidth = len(line)
	if pad < 0 {
		pad = 0
	}
	fmt.Fprintf(p.w, "\r%s%*s", line, pad, "")
}
