package report

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"

	"github.com/mollifying/mollify/experiment"
	"github.com/mollifying/mollify/store"
)

// band is the mean of a curve over seeds with its min–max envelope.
type band struct {
	x, mean, lo, hi []float64
}

// curveBand aligns the runs' curves on update counts and averages the
// points every run has (a diverged run stops contributing where it stops).
func curveBand(runs []*experiment.Record, metric string) band {
	vals := map[int][]float64{}
	var xs []int
	for _, r := range runs {
		us, vs := r.Series(metric)
		for i, u := range us {
			if _, ok := vals[u]; !ok {
				xs = append(xs, u)
			}
			vals[u] = append(vals[u], vs[i])
		}
	}
	slices.Sort(xs)
	var b band
	for _, u := range xs {
		v := vals[u]
		lo, hi, s := math.Inf(1), math.Inf(-1), 0.0
		ok := true
		for _, x := range v {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				ok = false
				break
			}
			lo, hi, s = math.Min(lo, x), math.Max(hi, x), s+x
		}
		if !ok {
			continue
		}
		b.x = append(b.x, float64(u))
		b.mean = append(b.mean, s/float64(len(v)))
		b.lo = append(b.lo, lo)
		b.hi = append(b.hi, hi)
	}
	return b
}

// FigureFormat is the file format of the figures ("svg", "png" or "pdf").
var FigureFormat = "svg"

// writeFigures draws the task's learning curves (and the mollified p^l
// schedule when present) and returns the files relative to dir.
func writeFigures(dir string, t *TaskReport) ([]string, error) {
	var out []string
	if t.Spec.Curve != "" {
		p := plot.New()
		p.Title.Text = fmt.Sprintf("%s (%s): %s, mean over seeds, band = min–max", t.Name, t.Profile, t.Spec.CurveLabel)
		p.X.Label.Text = "updates"
		p.Y.Label.Text = t.Spec.CurveLabel
		if t.Spec.LogY {
			p.Y.Scale = plot.LogScale{}
			p.Y.Tick.Marker = plot.LogTicks{}
		}
		p.Legend.Top = true
		drawn := 0
		for i, c := range t.Configs {
			b := curveBand(c.Runs, t.Spec.Curve)
			if len(b.x) == 0 {
				continue
			}
			if err := addBand(p, b, plotutil.Color(i), c.Name); err != nil {
				return nil, err
			}
			drawn++
			// The original network (p = 0) beside the network being
			// trained, dashed, where the runs measure it apart.
			if o := curveBand(c.Runs, t.Spec.Curve+experiment.OriginalSuffix); len(o.x) > 0 {
				line, err := plotter.NewLine(xys(o.x, o.mean))
				if err != nil {
					return nil, err
				}
				line.Color = plotutil.Color(i)
				line.Width = vg.Points(1)
				line.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
				p.Add(line)
				p.Legend.Add(c.Name+" (p = 0)", line)
			}
		}
		if drawn > 0 {
			name := filepath.Join("figures", t.Name+"-curve."+FigureFormat)
			if err := save(p, filepath.Join(dir, name)); err != nil {
				return nil, err
			}
			out = append(out, name)
		}
	}
	if m := t.config(Method); m != nil && len(m.Runs) > 0 {
		p := plot.New()
		p.Title.Text = fmt.Sprintf("%s (%s): mollified p per hidden layer (Eq. 29), mean over seeds", t.Name, t.Profile)
		p.X.Label.Text = "updates"
		p.Y.Label.Text = "p"
		p.Y.Min, p.Y.Max = 0, 1
		p.Legend.Top = true
		layers := 0
		for l := 1; ; l++ {
			b := curveBand(m.Runs, "p"+strconv.Itoa(l))
			if len(b.x) == 0 {
				break
			}
			line, err := plotter.NewLine(xys(b.x, b.mean))
			if err != nil {
				return nil, err
			}
			line.Color = plotutil.Color(l - 1)
			line.Width = vg.Points(1.5)
			p.Add(line)
			p.Legend.Add(fmt.Sprintf("layer %d", l), line)
			layers++
		}
		if layers > 0 {
			name := filepath.Join("figures", t.Name+"-p."+FigureFormat)
			if err := save(p, filepath.Join(dir, name)); err != nil {
				return nil, err
			}
			out = append(out, name)
		}
	}
	return out, nil
}

func xys(x, y []float64) plotter.XYs {
	pts := make(plotter.XYs, len(x))
	for i := range x {
		pts[i].X, pts[i].Y = x[i], y[i]
	}
	return pts
}

func addBand(p *plot.Plot, b band, c color.Color, name string) error {
	poly := make(plotter.XYs, 0, 2*len(b.x))
	for i := range b.x {
		poly = append(poly, plotter.XY{X: b.x[i], Y: b.hi[i]})
	}
	for i := len(b.x) - 1; i >= 0; i-- {
		poly = append(poly, plotter.XY{X: b.x[i], Y: b.lo[i]})
	}
	fill, err := plotter.NewPolygon(poly)
	if err != nil {
		return err
	}
	r, g, bl, _ := c.RGBA()
	fill.Color = color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(bl >> 8), A: 50}
	fill.LineStyle.Width = 0
	line, err := plotter.NewLine(xys(b.x, b.mean))
	if err != nil {
		return err
	}
	line.Color = c
	line.Width = vg.Points(1.5)
	p.Add(fill, line)
	p.Legend.Add(name, line)
	return nil
}

// save renders p in the format named by path's extension (svg, png, pdf).
func save(p *plot.Plot, path string) error {
	w, err := p.WriterTo(9*vg.Inch, 5*vg.Inch, strings.TrimPrefix(filepath.Ext(path), "."))
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if _, err := w.WriteTo(&buf); err != nil {
		return err
	}
	return store.WriteAtomic(path, buf.Bytes())
}
