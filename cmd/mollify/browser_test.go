package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// TestReportInChromium opens the report.html of the golden quick results
// in a real headless Chromium and checks what a reader sees: every figure
// drawn with a size, every table with its rows, sorting by a click, and no
// error on the console. It saves a screenshot (to $MOLLIFY_SCREENSHOT when
// set). Without Chromium it skips, unless MOLLIFY_REQUIRE_CHROMIUM=1 (CI).
func TestReportInChromium(t *testing.T) {
	browser := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			browser = p
			break
		}
	}
	if browser == "" {
		if os.Getenv("MOLLIFY_REQUIRE_CHROMIUM") == "1" {
			t.Fatal("no chromium on PATH and MOLLIFY_REQUIRE_CHROMIUM=1")
		}
		t.Skip("no Chromium: install it (Debian: apt-get install chromium) to test the HTML report")
	}
	dir := t.TempDir()
	copyTree(t, filepath.Join("..", "..", "results", "golden", "quick", "runs"), filepath.Join(dir, "runs"))
	var stderr bytes.Buffer
	if code := run(context.Background(), []string{"report", "-out", dir}, &bytes.Buffer{}, &stderr); code != 0 {
		t.Fatalf("report: exit %d: %s", code, stderr.String())
	}

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(browser), chromedp.WindowSize(1400, 1000))
	actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
	defer acancel()
	bctx, bcancel := chromedp.NewContext(actx)
	defer bcancel()
	// One navigation first: if the browser cannot start, fail here (a
	// second action after a failed start panics inside chromedp).
	if err := chromedp.Do(bctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("starting %s: %v", browser, err)
	}
	var mu sync.Mutex
	var console []string
	err := chromedp.Listen(bctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch e := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.ConsoleAPICalledTypeError || e.Type == runtime.ConsoleAPICalledTypeWarning {
				var args []string
				for _, a := range e.Args {
					args = append(args, string(a.Value))
				}
				console = append(console, fmt.Sprintf("console.%s: %s", e.Type, strings.Join(args, " ")))
			}
		case *runtime.EventExceptionThrown:
			console = append(console, fmt.Sprintf("exception: %s at %d:%d", e.ExceptionDetails.Text, e.ExceptionDetails.LineNumber, e.ExceptionDetails.ColumnNumber))
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	const probe = `(() => {
		const figs = [...document.querySelectorAll("figure svg")].map(s => {
			const r = s.getBoundingClientRect();
			return {name: s.closest("figure").dataset.figure, w: r.width, h: r.height};
		});
		const tables = [...document.querySelectorAll("table")].map(t => ({want: +t.dataset.rows, got: t.tBodies[0].rows.length}));
		// Sort the first results table by its second column, twice.
		const t = document.querySelectorAll("table.sortable")[1];
		const th = t.querySelectorAll("th")[1];
		const first = () => t.tBodies[0].rows[0].cells[1].textContent;
		th.click(); const asc = first(); const dirAsc = th.dataset.dir;
		th.click(); const desc = first(); const dirDesc = th.dataset.dir;
		return JSON.stringify({figs, tables, dirAsc, dirDesc, asc, desc, rowsAfter: t.tBodies[0].rows.length, rows: +t.dataset.rows,
			sections: document.querySelectorAll("section").length});
	})()`
	url := "file://" + filepath.Join(dir, "report.html")
	if err := chromedp.Do(bctx, chromedp.Navigate(url)); err != nil {
		t.Fatalf("opening %s: %v", url, err)
	}
	shot, err := chromedp.Run(bctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	out, err := chromedp.Run(bctx, chromedp.Evaluate[string](probe))
	if err != nil {
		t.Fatalf("probing the page: %v", err)
	}
	var got struct {
		Figs []struct {
			Name string
			W, H float64
		}
		Tables                     []struct{ Want, Got int }
		DirAsc, DirDesc, Asc, Desc string
		RowsAfter, Rows, Sections  int
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("probe: %v (%s)", err, out)
	}
	figures, _ := filepath.Glob(filepath.Join(dir, "figures", "*.svg"))
	if len(got.Figs) != len(figures) || got.Sections == 0 {
		t.Errorf("%d figures drawn in %d sections, want the %d SVG files", len(got.Figs), got.Sections, len(figures))
	}
	for _, f := range got.Figs {
		if f.W <= 0 || f.H <= 0 {
			t.Errorf("figure %s drawn at %v × %v", f.Name, f.W, f.H)
		}
	}
	for i, tb := range got.Tables {
		if tb.Got == 0 || tb.Got != tb.Want {
			t.Errorf("table %d shows %d rows, want %d (and more than 0)", i, tb.Got, tb.Want)
		}
	}
	if got.DirAsc != "asc" || got.DirDesc != "desc" || got.RowsAfter != got.Rows {
		t.Errorf("sorting: directions %q then %q, %d rows of %d after", got.DirAsc, got.DirDesc, got.RowsAfter, got.Rows)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, c := range console {
		t.Errorf("browser console: %s", c)
	}
	dst := os.Getenv("MOLLIFY_SCREENSHOT")
	if dst == "" {
		dst = filepath.Join(t.TempDir(), "report.png")
	}
	if err := os.WriteFile(dst, shot, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d figures and %d tables checked in %s; screenshot %s (%d bytes)", len(got.Figs), len(got.Tables), browser, dst, len(shot))
}

// copyTree copies the regular files under src to dst.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Join(dst, filepath.Dir(rel)), 0o755); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}
