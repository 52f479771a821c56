package pentomino

import (
	"fmt"
	"strings"
)

// The ten shapes, numbered in the class-id order of the original generator
// (Arcade-Universe). The hints ([Scene.Hints]) use these ids. Mirror pairs
// (L/J, N/N2, P/Q, F/F2, Y/Y2) are distinct classes: the generator only
// rotates, never reflects.
const (
	PentL = iota
	PentN
	PentP
	PentF
	PentY
	PentJ
	PentN2
	PentQ
	PentF2
	PentY2
	NumShapes
)

// ShapeNames are the generator's names of the shapes, by id.
var ShapeNames = [NumShapes]string{"pentl", "pentn", "pentp", "pentf", "penty", "pentj", "pentn2", "pentq", "pentf2", "penty2"}

// shapeArt is each shape's bitmap as stored by the original generator, row 0
// at the top, 'x' a sprite pixel.
var shapeArt = [NumShapes][]string{
	PentL:  {"x.", "x.", "x.", "xx"},
	PentN:  {".x", ".x", "xx", "x."},
	PentP:  {"xx", "xx", "x."},
	PentF:  {".xx", "xx.", ".x."},
	PentY:  {".x", "xx", ".x", ".x"},
	PentJ:  {".x", ".x", ".x", "xx"},
	PentN2: {"x.", "x.", "xx", ".x"},
	PentQ:  {"xx", "xx", ".x"},
	PentF2: {"xx.", ".xx", ".x."},
	PentY2: {"x.", "xx", "x.", "x."},
}

// bitmap is a small binary image, row-major.
type bitmap struct {
	rows, cols int
	px         []bool
}

func newBitmap(rows, cols int) bitmap {
	return bitmap{rows: rows, cols: cols, px: make([]bool, rows*cols)}
}

func parseArt(art []string) bitmap {
	b := newBitmap(len(art), len(art[0]))
	for r, line := range art {
		if len(line) != b.cols {
			panic(fmt.Sprintf("pentomino: ragged bitmap %q", art))
		}
		for c, ch := range line {
			b.set(r, c, ch == 'x')
		}
	}
	return b
}

func (b bitmap) at(r, c int) bool     { return b.px[r*b.cols+c] }
func (b bitmap) set(r, c int, v bool) { b.px[r*b.cols+c] = v }

func (b bitmap) count() int {
	n := 0
	for _, v := range b.px {
		if v {
			n++
		}
	}
	return n
}

func (b bitmap) equal(o bitmap) bool {
	if b.rows != o.rows || b.cols != o.cols {
		return false
	}
	for i := range b.px {
		if b.px[i] != o.px[i] {
			return false
		}
	}
	return true
}

// String draws the bitmap with 'x' and '.', one line per row.
func (b bitmap) String() string {
	var s strings.Builder
	for r := range b.rows {
		if r > 0 {
			s.WriteByte('/')
		}
		for c := range b.cols {
			if b.at(r, c) {
				s.WriteByte('x')
			} else {
				s.WriteByte('.')
			}
		}
	}
	return s.String()
}

func (b bitmap) transpose() bitmap {
	t := newBitmap(b.cols, b.rows)
	for r := range b.rows {
		for c := range b.cols {
			t.set(c, r, b.at(r, c))
		}
	}
	return t
}

// hflip mirrors left to right (reverses the columns).
func (b bitmap) hflip() bitmap {
	t := newBitmap(b.rows, b.cols)
	for r := range b.rows {
		for c := range b.cols {
			t.set(r, b.cols-1-c, b.at(r, c))
		}
	}
	return t
}

// vflip mirrors top to bottom (reverses the rows).
func (b bitmap) vflip() bitmap {
	t := newBitmap(b.rows, b.cols)
	for r := range b.rows {
		for c := range b.cols {
			t.set(b.rows-1-r, c, b.at(r, c))
		}
	}
	return t
}

// rotate turns the bitmap by quarter·90° with the original generator's
// Sprite.rotate convention: 90 = transpose then horizontal flip (a clockwise
// quarter turn), 180 = horizontal flip of the vertical flip, 270 = the 180
// turn followed by the 90 turn.
func (b bitmap) rotate(quarter int) bitmap {
	switch quarter {
	case 0:
		return b
	case 1:
		return b.transpose().hflip()
	case 2:
		return b.vflip().hflip()
	case 3:
		return b.vflip().hflip().transpose().hflip()
	}
	panic(fmt.Sprintf("pentomino: rotation %d outside 0..3", quarter))
}

// dilate grows the bitmap by a one-pixel margin: the result, two pixels
// larger in each direction, is set wherever the 3×3 square around the pixel
// touches a set pixel of b.
func (b bitmap) dilate() bitmap {
	d := newBitmap(b.rows+2, b.cols+2)
	for r := range b.rows {
		for c := range b.cols {
			if !b.at(r, c) {
				continue
			}
			for dr := range 3 {
				for dc := range 3 {
					d.set(r+dr, c+dc, true)
				}
			}
		}
	}
	return d
}

// scale enlarges by nearest neighbour: each pixel becomes an s×s block.
func (b bitmap) scale(s int) bitmap {
	t := newBitmap(b.rows*s, b.cols*s)
	for r := range t.rows {
		for c := range t.cols {
			t.set(r, c, b.at(r/s, c/s))
		}
	}
	return t
}

// variant is a shape at one rotation and scale, ready to place: the pixel
// offsets of the sprite relative to its top-left corner, and those of its
// collision mask (the unscaled bitmap dilated by one pixel, then scaled)
// relative to the same corner, so starting at (−scale, −scale).
type variant struct {
	sprite, mask bitmap
	pixels       [][2]int // sprite pixels (row, col)
	maskPixels   [][2]int // mask pixels (row, col), may be negative
}

const (
	// NumRotations is the number of rotations (multiples of 90°).
	NumRotations = 4
	// MaxScale is the largest scale factor; scales are 1..MaxScale.
	MaxScale = 2
)

// variants[shape][rot][scale-1], built once.
var variants = func() (v [NumShapes][NumRotations][MaxScale]variant) {
	for sh := range NumShapes {
		base := parseArt(shapeArt[sh])
		for rot := range NumRotations {
			rb := base.rotate(rot)
			mb := rb.dilate()
			for s := 1; s <= MaxScale; s++ {
				x := variant{sprite: rb.scale(s), mask: mb.scale(s)}
				for r := range x.sprite.rows {
					for c := range x.sprite.cols {
						if x.sprite.at(r, c) {
							x.pixels = append(x.pixels, [2]int{r, c})
						}
					}
				}
				for r := range x.mask.rows {
					for c := range x.mask.cols {
						if x.mask.at(r, c) {
							x.maskPixels = append(x.maskPixels, [2]int{r - s, c - s})
						}
					}
				}
				v[sh][rot][s-1] = x
			}
		}
	}
	return v
}()
