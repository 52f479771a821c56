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
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

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

// FigureFormat is the file format of the figures ("svg", "png" or "pdf");
// with svg, a PNG of each figure is written beside it.
var FigureFormat = "svg"

// palette gives each configuration one colour in every figure: the
// configuration's place in the registry's order picks it (Okabe–Ito's
// colour-blind-safe set, then darker variants), so "mollified" has the same
// colour whichever configurations a task has.
var palette = []color.Color{
	color.NRGBA{0, 0, 0, 255},       // black
	color.NRGBA{230, 159, 0, 255},   // orange
	color.NRGBA{86, 180, 233, 255},  // sky blue
	color.NRGBA{0, 158, 115, 255},   // green
	color.NRGBA{240, 228, 66, 255},  // yellow
	color.NRGBA{0, 114, 178, 255},   // blue
	color.NRGBA{213, 94, 0, 255},    // vermillion
	color.NRGBA{204, 121, 167, 255}, // purple
	color.NRGBA{120, 120, 120, 255}, // grey
	color.NRGBA{120, 80, 20, 255},   // brown
}

// glyphs give each configuration a marker as well as a colour, in the same
// order, so that curves stay apart in grey print and for readers who do not
// tell the colours apart.
var glyphs = []draw.GlyphDrawer{
	draw.CircleGlyph{}, draw.SquareGlyph{}, draw.TriangleGlyph{}, draw.CrossGlyph{}, draw.PlusGlyph{},
	draw.RingGlyph{}, draw.BoxGlyph{}, draw.PyramidGlyph{},
}

// style is how a configuration is drawn in every figure.
type style struct {
	colour color.Color
	glyph  draw.GlyphDrawer
}

// styleOf is the style of configuration name given the registry's order
// (names not in it take styles after the registry's, by name).
func styleOf(name string, order []string) style {
	i := slices.Index(order, name)
	if i < 0 {
		h := 0
		for _, r := range name {
			h = h*31 + int(r)
		}
		i = len(order) + (h%len(palette)+len(palette))%len(palette)
	}
	return style{colour: palette[i%len(palette)], glyph: glyphs[i%len(glyphs)]}
}

// markersEvery is how many markers a curve carries: enough to tell the
// configuration, few enough not to hide the line.
const markersEvery = 8

// marks returns the markers of a curve in style st: about markersEvery
// points spread along it, the first of each configuration shifted by its
// place in the order so that overlapping curves do not stack their markers.
func marks(pts plotter.XYs, st style, shift int) (*plotter.Scatter, error) {
	step := max(1, len(pts)/markersEvery)
	var sub plotter.XYs
	for i := (shift % step) % max(1, len(pts)); i < len(pts); i += step {
		sub = append(sub, pts[i])
	}
	sc, err := plotter.NewScatter(sub)
	if err != nil {
		return nil, err
	}
	sc.GlyphStyle = draw.GlyphStyle{Color: st.colour, Shape: st.glyph, Radius: vg.Points(3)}
	return sc, nil
}

// layerColour spreads L layers over a blue-to-orange ramp, so that every
// layer of a deep network has its own colour, ordered by depth.
func layerColour(l, L int) color.Color {
	f := 0.0
	if L > 1 {
		f = float64(l) / float64(L-1)
	}
	a, b := [3]float64{0, 70, 160}, [3]float64{230, 120, 0}
	return color.NRGBA{uint8(a[0] + f*(b[0]-a[0])), uint8(a[1] + f*(b[1]-a[1])), uint8(a[2] + f*(b[2]-a[2])), 255}
}

// logTicks labels a logarithmic axis at 1, 2 and 5 × 10^k, so that an axis
// spanning less than a decade still has labelled ticks (gonum's LogTicks
// labels powers of ten only); the other integers × 10^k are minor ticks.
type logTicks struct{}

func (logTicks) Ticks(min, max float64) []plot.Tick {
	if !(min > 0) || !(max > min) {
		return nil
	}
	var ts []plot.Tick
	for k := math.Floor(math.Log10(min)); k <= math.Ceil(math.Log10(max)); k++ {
		for d := 1.0; d < 10; d++ {
			v := d * math.Pow(10, k)
			if v < min*(1-1e-9) || v > max*(1+1e-9) {
				continue
			}
			t := plot.Tick{Value: v}
			if d == 1 || d == 2 || d == 5 {
				t.Label = strconv.FormatFloat(v, 'g', 3, 64)
			}
			ts = append(ts, t)
		}
	}
	return ts
}

// writeFigures draws the task's learning curves (and the mollified p^l
// schedule when present) and returns the files relative to dir. order is
// the registry's order of configurations, which fixes their colours.
func writeFigures(dir string, t *TaskReport, order []string) ([]string, error) {
	var out []string
	if t.Spec.Curve != "" {
		leg := plot.NewLegend()
		top, drawn, err := curvePlot(t, t.Spec.Curve, t.Spec.CurveLabel, t.Spec.LogY, order, &leg)
		if err != nil {
			return nil, err
		}
		top.Title.Text = fmt.Sprintf("%s (%s): mean over seeds, band = min–max (clipped to the axes)", t.Name, t.Profile)
		panels := []*plot.Plot{top}
		if t.Spec.Curve2 != "" {
			var none plot.Legend // the first panel's legend serves both
			bottom, n, err := curvePlot(t, t.Spec.Curve2, t.Spec.Curve2Label, t.Spec.LogY2, order, &none)
			if err != nil {
				return nil, err
			}
			if n > 0 {
				panels = append(panels, bottom)
			}
		}
		if drawn > 0 {
			name := filepath.Join("figures", t.Name+"-curve."+FigureFormat)
			if err := save(panels, leg, filepath.Join(dir, name)); err != nil {
				return nil, err
			}
			out = append(out, name)
		}
	}
	if name, err := targetFigure(dir, t, order); err != nil {
		return nil, err
	} else if name != "" {
		out = append(out, name)
	}
	if m := t.config(Method); m != nil && len(m.Runs) > 0 {
		p := plot.New()
		leg := plot.NewLegend()
		p.Title.Text = fmt.Sprintf("%s (%s): mollified p per hidden layer (Eq. 29), mean over seeds", t.Name, t.Profile)
		p.X.Label.Text = "updates"
		p.X.Tick.Marker = plainTicks{}
		p.Y.Label.Text = "p"
		p.Y.Min, p.Y.Max = 0, 1
		var bands []band
		for l := 1; ; l++ {
			b := curveBand(m.Runs, "p"+strconv.Itoa(l))
			if len(b.x) == 0 {
				break
			}
			bands = append(bands, b)
		}
		for i, b := range bands {
			line, err := plotter.NewLine(xys(b.x, b.mean))
			if err != nil {
				return nil, err
			}
			line.Color = layerColour(i, len(bands))
			line.Width = vg.Points(1.5)
			p.Add(line)
			leg.Add(fmt.Sprintf("layer %d", i+1), line)
		}
		if len(bands) > 0 {
			name := filepath.Join("figures", t.Name+"-p."+FigureFormat)
			if err := save([]*plot.Plot{p}, leg, filepath.Join(dir, name)); err != nil {
				return nil, err
			}
			out = append(out, name)
		}
	}
	return out, nil
}

// curvePlot draws one curve metric of every configuration (mean line and
// min–max band, and the original network dashed where measured apart) and
// returns how many configurations it drew. The y-axis spans the mean
// curves (padded), not the min–max bands, which are clipped to it: one
// seed's spike cannot squash every curve into a line.
func curvePlot(t *TaskReport, metric, label string, logY bool, order []string, leg *plot.Legend) (*plot.Plot, int, error) {
	p := plot.New()
	p.X.Label.Text = "updates"
	p.X.Tick.Marker = plainTicks{}
	p.Y.Label.Text = label
	type curve struct {
		name string
		b    band
		orig bool
	}
	var curves []curve
	var means []float64
	// Accuracies in %, as in the tables (see percent).
	scale := displayScale(metric)
	if percent(metric) {
		p.Y.Label.Text = label + " (%)"
		p.Y.Tick.Marker = plainTicks{}
	}
	for _, c := range t.Configs {
		b := curveBand(c.Runs, metric).scaled(scale)
		if len(b.x) == 0 {
			continue
		}
		curves = append(curves, curve{c.Name, b, false})
		means = append(means, b.mean...)
		// The original network's dashed line is clipped to the axes the
		// trained networks set: early in training (p near 1) it is the
		// plain deep network evaluated on the mollified one's weights, and
		// its spikes would squash every other curve.
		if o := curveBand(c.Runs, metric+experiment.OriginalSuffix).scaled(scale); len(o.x) > 0 {
			curves = append(curves, curve{c.Name, o, true})
		}
	}
	lo, hi, ok := robustRange(means, logY)
	if !ok {
		return p, 0, nil
	}
	if logY {
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = logTicks{}
	}
	p.Y.Min, p.Y.Max = lo, hi
	clip := func(v []float64) []float64 {
		out := make([]float64, len(v))
		for i, x := range v {
			out[i] = min(max(x, lo), hi)
		}
		return out
	}
	drawn := 0
	for _, cv := range curves {
		st := styleOf(cv.name, order)
		col := st.colour
		b := band{x: cv.b.x, mean: clip(cv.b.mean), lo: clip(cv.b.lo), hi: clip(cv.b.hi)}
		if cv.orig {
			line, err := plotter.NewLine(xys(b.x, b.mean))
			if err != nil {
				return nil, 0, err
			}
			line.Color = col
			line.Width = vg.Points(1)
			line.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
			p.Add(line)
			leg.Add(cv.name+" (p = 0)", line)
			continue
		}
		if err := addBand(p, leg, b, st, slices.Index(order, cv.name), cv.name); err != nil {
			return nil, 0, err
		}
		drawn++
	}
	return p, drawn, nil
}

// robustRange is the y-range of a panel: the range of the finite (and, on
// a log axis, positive) values, padded by 5% (of the decades on a log
// axis).
func robustRange(vs []float64, logY bool) (lo, hi float64, ok bool) {
	var xs []float64
	for _, v := range vs {
		if !math.IsNaN(v) && !math.IsInf(v, 0) && (!logY || v > 0) {
			xs = append(xs, v)
		}
	}
	if len(xs) == 0 {
		return 0, 0, false
	}
	lo, hi = slices.Min(xs), slices.Max(xs)
	if logY {
		a, b := math.Log10(lo), math.Log10(hi)
		pad := max((b-a)*0.05, 0.02)
		return math.Pow(10, a-pad), math.Pow(10, b+pad), true
	}
	pad := (hi - lo) * 0.05
	if pad == 0 {
		pad = math.Max(math.Abs(hi)*0.05, 1e-3)
	}
	return lo - pad, hi + pad, true
}

// plainTicks are gonum's default ticks with labels in their shortest form
// ("100", not "100.00").
type plainTicks struct{}

// Ticks implements plot.Ticker.
func (plainTicks) Ticks(lo, hi float64) []plot.Tick {
	ts := plot.DefaultTicks{}.Ticks(lo, hi)
	for i := range ts {
		if ts[i].Label != "" {
			ts[i].Label = strconv.FormatFloat(ts[i].Value, 'g', -1, 64)
		}
	}
	return ts
}

// scaled returns b with its values multiplied by k.
func (b band) scaled(k float64) band {
	if k == 1 {
		return b
	}
	mul := func(v []float64) []float64 {
		out := make([]float64, len(v))
		for i, x := range v {
			out[i] = k * x
		}
		return out
	}
	return band{x: b.x, mean: mul(b.mean), lo: mul(b.lo), hi: mul(b.hi)}
}

func xys(x, y []float64) plotter.XYs {
	pts := make(plotter.XYs, len(x))
	for i := range x {
		pts[i].X, pts[i].Y = x[i], y[i]
	}
	return pts
}

func addBand(p *plot.Plot, leg *plot.Legend, b band, st style, shift int, name string) error {
	c := st.colour
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
	if len(b.x) == 0 {
		leg.Add(name, line)
		return nil
	}
	sc, err := marks(xys(b.x, b.mean), st, max(shift, 0))
	if err != nil {
		return err
	}
	p.Add(sc)
	leg.Add(name, line, sc)
	return nil
}

// figureWidth, figureHeight and legendWidth size every figure: the legend
// has a column of its own right of the axes, so it never hides data.
const (
	figureWidth  = 10 * vg.Inch
	figureHeight = 5 * vg.Inch
	legendWidth  = 2 * vg.Inch
)

// save renders the panels, stacked, with the legend beside them in the
// format named by path's extension (svg, png, pdf), and for svg a PNG
// beside it.
func save(panels []*plot.Plot, leg plot.Legend, path string) error {
	ext := strings.TrimPrefix(filepath.Ext(path), ".")
	if err := saveAs(panels, leg, path, ext); err != nil {
		return err
	}
	if ext == "svg" {
		return saveAs(panels, leg, strings.TrimSuffix(path, ".svg")+".png", "png")
	}
	return nil
}

func saveAs(panels []*plot.Plot, leg plot.Legend, path, format string) error {
	h := figureHeight
	if len(panels) > 1 {
		h = figureHeight * 8 / 5 // two panels: 8 inches in all
	}
	c, err := draw.NewFormattedCanvas(figureWidth, h, format)
	if err != nil {
		return err
	}
	dc := draw.New(c)
	area := draw.Crop(dc, 0, -legendWidth, 0, 0)
	n := vg.Length(len(panels))
	for i, p := range panels {
		// Panel i from the top: canvases grow upwards.
		bottom := h * vg.Length(len(panels)-1-i) / n
		p.Draw(draw.Crop(area, 0, 0, bottom, bottom+h/n-h))
	}
	leg.Top = true
	leg.Left = true
	leg.Draw(draw.Crop(dc, figureWidth-legendWidth+vg.Points(6), 0, 0, -vg.Points(30)))
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		return err
	}
	return store.WriteAtomic(path, buf.Bytes())
}

// targetFigure draws, for a task whose runs have a target, the fraction of
// each configuration's final runs that had reached it by update t (a
// survival-style curve: runs that never reach it stay out, so censoring is
// visible rather than averaged away). It returns "" when no run has a
// target.
func targetFigure(dir string, t *TaskReport, order []string) (string, error) {
	p := plot.New()
	leg := plot.NewLegend()
	p.Title.Text = fmt.Sprintf("%s (%s): fraction of final runs that reached the target by update t", t.Name, t.Profile)
	p.X.Label.Text = "updates"
	p.X.Tick.Marker = plainTicks{}
	p.Y.Label.Text = "fraction of runs"
	p.Y.Min, p.Y.Max = 0, 1.02
	drawn := 0
	for _, c := range t.Configs {
		var reached []float64
		budget, n := 0.0, 0
		for _, r := range c.Runs {
			v, ok := r.Final[experiment.UpdatesToTarget]
			if !ok {
				continue
			}
			n++
			if hit, ok := r.Final[experiment.ReachedTarget]; ok && hit == 0 {
				budget = max(budget, float64(v)-1)
				continue
			}
			reached = append(reached, float64(v))
			budget = max(budget, float64(r.Updates))
		}
		if n == 0 {
			continue
		}
		slices.Sort(reached)
		pts := plotter.XYs{{X: 0, Y: 0}}
		for i, x := range reached {
			pts = append(pts, plotter.XY{X: x, Y: float64(i) / float64(n)}, plotter.XY{X: x, Y: float64(i+1) / float64(n)})
		}
		pts = append(pts, plotter.XY{X: budget, Y: float64(len(reached)) / float64(n)})
		line, err := plotter.NewLine(pts)
		if err != nil {
			return "", err
		}
		st := styleOf(c.Name, order)
		line.Color = st.colour
		line.Width = vg.Points(1.5)
		// Markers where a seed reached the target (the step's top).
		var tops plotter.XYs
		for i, x := range reached {
			tops = append(tops, plotter.XY{X: x, Y: float64(i+1) / float64(n)})
		}
		// The scatter also gives the legend its marker when no seed
		// reached the target (then it is not drawn).
		sc, err := plotter.NewScatter(append(tops, plotter.XY{}))
		if err != nil {
			return "", err
		}
		sc.XYs = sc.XYs[:len(tops)]
		sc.GlyphStyle = draw.GlyphStyle{Color: st.colour, Shape: st.glyph, Radius: vg.Points(3)}
		p.Add(line, sc)
		leg.Add(fmt.Sprintf("%s (%d of %d)", c.Name, len(reached), n), line, sc)
		drawn++
	}
	if drawn == 0 {
		return "", nil
	}
	name := filepath.Join("figures", t.Name+"-target."+FigureFormat)
	return name, save([]*plot.Plot{p}, leg, filepath.Join(dir, name))
}
