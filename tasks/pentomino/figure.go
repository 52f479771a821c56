package pentomino

import (
	"image"
	"image/color"
)

//go:generate go test -run TestSamplesFigure -regen

// Colours of the sample sheet.
var (
	sheetBG   = color.RGBA{0xe8, 0xe8, 0xe8, 0xff}
	pixelOff  = color.RGBA{0x10, 0x10, 0x10, 0xff}
	pixelOn   = color.RGBA{0xff, 0xff, 0xff, 0xff}
	frameSame = color.RGBA{0x1b, 0x9e, 0x3e, 0xff} // label 1: all the same
	frameDiff = color.RGBA{0xc6, 0x28, 0x28, 0xff} // label 0: one differs
)

// digits are 3×5 glyphs of the labels.
var digits = [2][5]string{
	{"xxx", "x.x", "x.x", "x.x", "xxx"},
	{".x.", "xx.", ".x.", ".x.", "xxx"},
}

// SampleSheet draws scenes as a grid of cols columns: each image at three times
// its size, white sprites on black, framed green when its label is 1 (all
// three the same) and red when it is 0, with the label written below.
func SampleSheet(scenes []Scene, cols int) *image.RGBA {
	const (
		zoom  = 3
		frame = 2
		strip = 16 // room for the label under the image
		gap   = 8
	)
	tileW := Size*zoom + 2*frame
	tileH := tileW + strip
	rows := (len(scenes) + cols - 1) / cols
	img := image.NewRGBA(image.Rect(0, 0, gap+cols*(tileW+gap), gap+rows*(tileH+gap)))
	fill(img, img.Bounds(), sheetBG)
	px := make([]float32, Inputs)
	for i, s := range scenes {
		x0 := gap + i%cols*(tileW+gap)
		y0 := gap + i/cols*(tileH+gap)
		fc := frameDiff
		if s.Same {
			fc = frameSame
		}
		fill(img, image.Rect(x0, y0, x0+tileW, y0+tileW), fc)
		clear(px)
		s.Draw(px)
		for r := range Size {
			for c := range Size {
				col := pixelOff
				if px[r*Size+c] != 0 {
					col = pixelOn
				}
				x, y := x0+frame+c*zoom, y0+frame+r*zoom
				fill(img, image.Rect(x, y, x+zoom, y+zoom), col)
			}
		}
		glyph := digits[s.Label()]
		gx, gy := x0+tileW/2-3, y0+tileW+3
		for r, line := range glyph {
			for c, ch := range line {
				if ch == 'x' {
					x, y := gx+c*zoom, gy+r*zoom
					fill(img, image.Rect(x, y, x+zoom, y+zoom), fc)
				}
			}
		}
	}
	return img
}

func fill(img *image.RGBA, r image.Rectangle, c color.RGBA) {
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			img.SetRGBA(x, y, c)
		}
	}
}
