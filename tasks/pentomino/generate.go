package pentomino

import (
	"fmt"
	"math/rand/v2"

	"github.com/mollifying/mollify/nn"
	"github.com/mollifying/mollify/rng"
	"github.com/mollifying/mollify/train"
)

// Image geometry: 64×64 pixels cut into an 8×8 grid of 8×8-pixel patches.
const (
	Size      = 64
	PatchSize = 8
	Grid      = Size / PatchSize // patches per row
	NumPatch  = Grid * Grid
	Inputs    = Size * Size
	// NumSprites is the number of sprites in every image.
	NumSprites = 3
)

// Sprite is one placed pentomino.
type Sprite struct {
	Shape int // 0..NumShapes-1, see [ShapeNames]
	Rot   int // rotation in quarter turns, 0..3
	Scale int // 1 or 2
	Patch int // row·8 + col of the patch whose top-left corner is the sprite's
}

// Origin is the pixel (row, col) of the sprite's top-left corner.
func (s Sprite) Origin() (row, col int) {
	return s.Patch / Grid * PatchSize, s.Patch % Grid * PatchSize
}

// Pixels are the image pixels (row, col) the sprite sets.
func (s Sprite) Pixels() [][2]int {
	r0, c0 := s.Origin()
	v := &variants[s.Shape][s.Rot][s.Scale-1]
	out := make([][2]int, len(v.pixels))
	for i, p := range v.pixels {
		out[i] = [2]int{r0 + p[0], c0 + p[1]}
	}
	return out
}

// Scene is one image before rendering: its three sprites in draw order and
// its label. In a negative scene Sprites[0] is the odd one out and Sprites[1]
// and Sprites[2] share a shape; in a positive scene all three share a shape.
type Scene struct {
	Sprites [NumSprites]Sprite
	// Same is the task's answer: all three sprites have the same shape.
	Same bool
}

// Label is the class of the scene: 1 when all three sprites have the same
// shape, 0 otherwise (the polarity of the Knowledge Matters abstract).
func (s Scene) Label() int32 {
	if s.Same {
		return 1
	}
	return 0
}

// Draw sets the scene's sprite pixels to 1 in dst, a 64×64 image flattened
// row-major; other pixels are left as they are (zero them first).
func (s Scene) Draw(dst []float32) {
	if len(dst) != Inputs {
		panic(fmt.Sprintf("pentomino: Draw into %d values, want %d", len(dst), Inputs))
	}
	for _, sp := range s.Sprites {
		r0, c0 := sp.Origin()
		for _, p := range variants[sp.Shape][sp.Rot][sp.Scale-1].pixels {
			dst[(r0+p[0])*Size+c0+p[1]] = 1
		}
	}
}

// Hints is the generator's object-presence vector: per patch, the shape id of
// the sprite anchored there, or −1 for an empty patch.
func (s Scene) Hints() [NumPatch]int8 {
	var h [NumPatch]int8
	for i := range h {
		h[i] = -1
	}
	for _, sp := range s.Sprites {
		h[sp.Patch] = int8(sp.Shape)
	}
	return h
}

// Generator draws scenes by the original generative process (paper/BASELINES.md
// §3: Arcade-Universe's TwoGroups with task 4 and 8×8 patches).
type Generator struct {
	r *rand.Rand
	// Attempts counts draws, rejected ones included.
	Attempts int
	count    [Inputs]uint8
}

// NewGenerator returns the generator of data seed seed, reading the stream
// rng.New(seed, "pentomino/data").
func NewGenerator(seed uint64) *Generator {
	return &Generator{r: rng.New(seed, "pentomino/data")}
}

// ri is the original generator's randint: uniform in [a, b], inclusive.
func (g *Generator) ri(a, b int) int { return a + g.r.IntN(b-a+1) }

// Next draws one scene. Per attempt, in the original order of draws: the
// flag (all the same or not), the shapes, then the rotation, the scale and
// the patch of each sprite. An attempt whose collision masks overlap is
// rejected whole, its label included, and the process starts again.
func (g *Generator) Next() Scene {
	for {
		g.Attempts++
		var sc Scene
		var shapes [NumSprites]int
		if g.ri(0, 1) == 1 {
			k := g.ri(0, NumShapes-1)
			shapes = [NumSprites]int{k, k, k}
			sc.Same = true
		} else {
			a := g.ri(0, NumShapes-1)
			b := g.ri(0, NumShapes-1)
			for b == a {
				b = g.ri(0, NumShapes-1)
			}
			shapes = [NumSprites]int{a, b, b}
		}
		for i := range sc.Sprites {
			sc.Sprites[i].Shape = shapes[i]
		}
		for i := range sc.Sprites {
			sc.Sprites[i].Rot = g.ri(0, NumRotations-1)
		}
		for i := range sc.Sprites {
			sc.Sprites[i].Scale = g.ri(1, MaxScale)
		}
		for i := range sc.Sprites {
			sc.Sprites[i].Patch = g.ri(0, NumPatch-1)
		}
		if !g.collides(sc) {
			return sc
		}
	}
}

// collides sums the sprites' collision masks, clipped to the image, and
// reports whether any pixel is covered twice or more.
func (g *Generator) collides(sc Scene) bool {
	clear(g.count[:])
	for _, sp := range sc.Sprites {
		r0, c0 := sp.Origin()
		for _, p := range variants[sp.Shape][sp.Rot][sp.Scale-1].maskPixels {
			r, c := r0+p[0], c0+p[1]
			if r < 0 || r >= Size || c < 0 || c >= Size {
				continue
			}
			i := r*Size + c
			g.count[i]++
			if g.count[i] >= 2 {
				return true
			}
		}
	}
	return false
}

// Generate returns the first n scenes of data seed seed. Scenes come from one
// stream in order, so Generate(n, s) is a prefix of Generate(m, s) for n < m:
// a smaller profile uses the first images of the same set.
func Generate(n int, seed uint64) []Scene {
	g := NewGenerator(seed)
	out := make([]Scene, n)
	for i := range out {
		out[i] = g.Next()
	}
	return out
}

// Render turns scenes into a classification split: one row of 4096 inputs
// in {0, 1} per scene, and its label.
func Render(scenes []Scene) train.Split {
	x := nn.NewMat[float32](len(scenes), Inputs)
	y := make([]int32, len(scenes))
	for i, s := range scenes {
		s.Draw(x.Row(i))
		y[i] = s.Label()
	}
	return train.Split{X: x, Y: y}
}
