package pentomino

import (
	"math"
	"slices"
	"testing"

	"github.com/mollifying/mollify/experiment"
)

func TestShapesArePentominoes(t *testing.T) {
	for sh := range NumShapes {
		b := parseArt(shapeArt[sh])
		if n := b.count(); n != 5 {
			t.Errorf("%s has %d cells, want 5", ShapeNames[sh], n)
		}
		if !connected4(b) {
			t.Errorf("%s (%v) is not 4-connected", ShapeNames[sh], b)
		}
	}
}

// connected4 reports whether the set pixels of b form one 4-connected piece.
func connected4(b bitmap) bool {
	seen := make([]bool, len(b.px))
	start := slices.Index(b.px, true)
	stack := []int{start}
	seen[start] = true
	n := 0
	for len(stack) > 0 {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		n++
		r, c := i/b.cols, i%b.cols
		for _, d := range [][2]int{{-1, 0}, {1, 0}, {0, -1}, {0, 1}} {
			rr, cc := r+d[0], c+d[1]
			if rr < 0 || rr >= b.rows || cc < 0 || cc >= b.cols {
				continue
			}
			j := rr*b.cols + cc
			if b.px[j] && !seen[j] {
				seen[j] = true
				stack = append(stack, j)
			}
		}
	}
	return n == b.count()
}

func TestRotationConvention(t *testing.T) {
	// A 2×3 bitmap with no symmetry; the clockwise quarter turn of
	//   ab c          d a
	//   d. .   is     . b
	//                 . c
	b := parseArt([]string{"xxx", "x.."})
	cw := parseArt([]string{"xx", ".x", ".x"})
	if got := b.rotate(1); !got.equal(cw) {
		t.Errorf("rotate(1) = %v, want the clockwise turn %v", got, cw)
	}
	for sh := range NumShapes {
		base := parseArt(shapeArt[sh])
		r := base
		for q := range NumRotations {
			if got := base.rotate(q); !got.equal(r) {
				t.Errorf("%s: rotate(%d) = %v, want %d quarter turns %v", ShapeNames[sh], q, got, q, r)
			}
			r = r.rotate(1)
		}
		if !r.equal(base) {
			t.Errorf("%s: four quarter turns give %v, want %v", ShapeNames[sh], r, base)
		}
	}
}

// TestNoReflections: the 40 rotated shapes are all different, and each
// mirror pair's second shape is the left-right mirror of its first, which no
// rotation reaches: the classes really are distinct.
func TestNoReflections(t *testing.T) {
	var all []bitmap
	for sh := range NumShapes {
		for rot := range NumRotations {
			b := variants[sh][rot][0].sprite
			for _, o := range all {
				if o.equal(b) {
					t.Errorf("%s rotated %d equals an earlier shape/rotation (%v)", ShapeNames[sh], rot, b)
				}
			}
			all = append(all, b)
		}
	}
	for _, pair := range [][2]int{{PentL, PentJ}, {PentN, PentN2}, {PentP, PentQ}, {PentF, PentF2}, {PentY, PentY2}} {
		a, b := parseArt(shapeArt[pair[0]]), parseArt(shapeArt[pair[1]])
		if !a.hflip().equal(b) {
			t.Errorf("%s mirrored is %v, want %s %v", ShapeNames[pair[0]], a.hflip(), ShapeNames[pair[1]], b)
		}
	}
}

func TestMaskIsDilatedThenScaled(t *testing.T) {
	// PENTP at scale 2: 3×2 bitmap → 6×4 sprite, 5×4 dilated → 10×8 mask
	// whose corner sits 2 pixels up and left of the sprite's.
	v := variants[PentP][0][1]
	if v.sprite.rows != 6 || v.sprite.cols != 4 || v.mask.rows != 10 || v.mask.cols != 8 {
		t.Fatalf("sprite %d×%d, mask %d×%d; want 6×4 and 10×8", v.sprite.rows, v.sprite.cols, v.mask.rows, v.mask.cols)
	}
	if v.maskPixels[0] != [2]int{-2, -2} {
		t.Errorf("first mask pixel at %v, want (-2, -2)", v.maskPixels[0])
	}
	if len(v.pixels) != 5*4 {
		t.Errorf("%d sprite pixels, want 20", len(v.pixels))
	}
}

func TestCollisions(t *testing.T) {
	sp := func(shape, rot, scale, patch int) Sprite {
		return Sprite{Shape: shape, Rot: rot, Scale: scale, Patch: patch}
	}
	cases := []struct {
		name    string
		sprites [3]Sprite
		want    bool
	}{
		{"far apart", [3]Sprite{sp(PentL, 0, 2, 0), sp(PentL, 0, 2, 27), sp(PentL, 0, 2, 63)}, false},
		{"same patch", [3]Sprite{sp(PentL, 0, 1, 9), sp(PentP, 0, 1, 9), sp(PentL, 0, 1, 63)}, true},
		// Scale-2 L is 8 rows × 4 columns: its mask reaches row 9, and
		// the patch below starts at row 8.
		{"large sprite touches the patch below", [3]Sprite{sp(PentL, 0, 2, 0), sp(PentL, 0, 1, 8), sp(PentL, 0, 1, 63)}, true},
		// Scale-1 L occupies rows 0..3, its mask rows −1..4; the sprite
		// below starts at row 8, its mask at row 7: a gap of two rows.
		{"small sprites in adjacent patches", [3]Sprite{sp(PentL, 0, 1, 0), sp(PentL, 0, 1, 8), sp(PentL, 0, 1, 1)}, false},
		// The rotated scale-2 L is 4 × 8 and fills its patch to the right
		// edge; the mask of a sprite in the next patch starts one column
		// before it.
		{"wide sprite and right neighbour", [3]Sprite{sp(PentL, 1, 2, 0), sp(PentL, 0, 1, 1), sp(PentL, 0, 1, 63)}, true},
	}
	g := NewGenerator(0)
	for _, c := range cases {
		if got := g.collides(Scene{Sprites: c.sprites}); got != c.want {
			t.Errorf("%s: collides = %v, want %v", c.name, got, c.want)
		}
	}
}

// testScenes is a sample large enough for the statistics below.
func testScenes(t *testing.T) []Scene {
	t.Helper()
	n := 20000
	if testing.Short() {
		n = 4000
	}
	return Generate(n, 12345)
}

func TestSceneStatistics(t *testing.T) {
	scenes := testScenes(t)
	n := len(scenes)
	pos := 0
	var seenRot [NumShapes][NumRotations]int
	var seenScale [MaxScale + 1]int
	var seenPatch [NumPatch]int
	for _, s := range scenes {
		a, b, c := s.Sprites[0].Shape, s.Sprites[1].Shape, s.Sprites[2].Shape
		allSame := a == b && b == c
		if s.Same != allSame {
			t.Fatalf("scene %+v: Same = %v but the shapes are %d, %d, %d", s, s.Same, a, b, c)
		}
		if want := int32(0); allSame {
			want = 1
			if s.Label() != want {
				t.Fatalf("scene %+v: label %d, want 1", s, s.Label())
			}
			pos++
		} else if s.Label() != want {
			t.Fatalf("scene %+v: label %d, want 0", s, s.Label())
		}
		if !s.Same && !(a != b && b == c) {
			t.Fatalf("negative scene %+v is not one odd sprite and two identical ones", s)
		}
		for _, sp := range s.Sprites {
			seenRot[sp.Shape][sp.Rot]++
			seenScale[sp.Scale]++
			seenPatch[sp.Patch]++
			if sp.Scale < 1 || sp.Scale > MaxScale || sp.Rot < 0 || sp.Rot >= NumRotations {
				t.Fatalf("sprite %+v out of range", sp)
			}
		}
	}
	// Balance: the flag is a fair coin; rejection could bias it only if
	// positive and negative draws were rejected at different rates.
	frac := float64(pos) / float64(n)
	if sd := math.Sqrt(0.25 / float64(n)); math.Abs(frac-0.5) > 5*sd {
		t.Errorf("%.4f of %d scenes are positive, want 0.5 ± %.4f", frac, n, 5*sd)
	}
	for sh := range NumShapes {
		for rot := range NumRotations {
			if seenRot[sh][rot] == 0 {
				t.Errorf("%s never appears at rotation %d", ShapeNames[sh], rot)
			}
		}
	}
	if seenScale[1] == 0 || seenScale[2] == 0 {
		t.Errorf("scales seen %v, want both 1 and 2", seenScale[1:])
	}
	for q, k := range seenPatch {
		if k == 0 {
			t.Errorf("no sprite in patch %d", q)
		}
	}
	t.Logf("%d scenes: %.4f positive; scale 1/2: %d/%d", n, frac, seenScale[1], seenScale[2])
}

// TestRenderedImages checks the rendered pixels against the scenes with
// code independent of the collision check: every image has exactly three
// 8-connected blobs, each the size of a pentomino at its sprite's scale;
// sprites are disjoint, and pixels of two sprites are farther apart than the
// margin (Chebyshev distance > the larger scale); the hints name the shape
// anchored in each patch.
func TestRenderedImages(t *testing.T) {
	scenes := testScenes(t)
	if len(scenes) > 4000 {
		scenes = scenes[:4000]
	}
	split := Render(scenes)
	for i, s := range scenes {
		img := split.X.Row(i)
		if split.Y[i] != s.Label() {
			t.Fatalf("scene %d: rendered label %d, scene label %d", i, split.Y[i], s.Label())
		}
		sizes := blobSizes(img)
		want := make([]int, 0, 3)
		total := 0
		for _, sp := range s.Sprites {
			want = append(want, 5*sp.Scale*sp.Scale)
			total += 5 * sp.Scale * sp.Scale
		}
		slices.Sort(sizes)
		slices.Sort(want)
		if !slices.Equal(sizes, want) {
			t.Fatalf("scene %d %+v: blobs of %v pixels, want %v", i, s, sizes, want)
		}
		ones := 0
		for _, v := range img {
			switch v {
			case 1:
				ones++
			case 0:
			default:
				t.Fatalf("scene %d: pixel value %v, want 0 or 1", i, v)
			}
		}
		if ones != total {
			t.Fatalf("scene %d: %d pixels set, want %d (sprites overlap)", i, ones, total)
		}
		for a := range NumSprites {
			for b := a + 1; b < NumSprites; b++ {
				sa, sb := s.Sprites[a], s.Sprites[b]
				margin := max(sa.Scale, sb.Scale)
				for _, p := range sa.Pixels() {
					for _, q := range sb.Pixels() {
						if d := max(abs(p[0]-q[0]), abs(p[1]-q[1])); d <= margin {
							t.Fatalf("scene %d: sprites %d and %d have pixels %v and %v at distance %d ≤ margin %d", i, a, b, p, q, d, margin)
						}
					}
				}
			}
		}
		h := s.Hints()
		nonEmpty := 0
		for q, v := range h {
			if v < 0 {
				continue
			}
			nonEmpty++
			k := slices.IndexFunc(s.Sprites[:], func(sp Sprite) bool { return sp.Patch == q })
			if k < 0 || int(v) != s.Sprites[k].Shape {
				t.Fatalf("scene %d: hint %d at patch %d does not match the sprites %+v", i, v, q, s.Sprites)
			}
			// The anchored sprite's top-left pixel row is in this patch.
			r0, c0 := s.Sprites[k].Origin()
			if r0/PatchSize*Grid+c0/PatchSize != q {
				t.Fatalf("scene %d: sprite origin (%d,%d) not in patch %d", i, r0, c0, q)
			}
		}
		if nonEmpty != NumSprites {
			t.Fatalf("scene %d: %d patches hinted, want 3", i, nonEmpty)
		}
	}
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// blobSizes returns the sizes of the 8-connected components of set pixels.
func blobSizes(img []float32) []int {
	seen := make([]bool, len(img))
	var sizes []int
	for start, v := range img {
		if v == 0 || seen[start] {
			continue
		}
		stack := []int{start}
		seen[start] = true
		n := 0
		for len(stack) > 0 {
			i := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			n++
			r, c := i/Size, i%Size
			for dr := -1; dr <= 1; dr++ {
				for dc := -1; dc <= 1; dc++ {
					rr, cc := r+dr, c+dc
					if rr < 0 || rr >= Size || cc < 0 || cc >= Size {
						continue
					}
					j := rr*Size + cc
					if img[j] != 0 && !seen[j] {
						seen[j] = true
						stack = append(stack, j)
					}
				}
			}
		}
		sizes = append(sizes, n)
	}
	return sizes
}

func TestRejectionHappens(t *testing.T) {
	g := NewGenerator(7)
	for range 2000 {
		g.Next()
	}
	if g.Attempts <= 2000 {
		t.Errorf("%d attempts for 2000 scenes: the collision check never rejected", g.Attempts)
	}
	t.Logf("acceptance rate %.3f", 2000/float64(g.Attempts))
}

func TestDeterminism(t *testing.T) {
	a := Generate(500, 99)
	b := Generate(500, 99)
	if !slices.Equal(a, b) {
		t.Fatal("two generations with the same seed differ")
	}
	if c := Generate(200, 99); !slices.Equal(c, a[:200]) {
		t.Error("Generate(200, s) is not a prefix of Generate(500, s)")
	}
	if d := Generate(500, 100); slices.Equal(d, a) {
		t.Error("seeds 99 and 100 give the same scenes")
	}
	// The data seeds of the splits give different sets.
	tr, va, te := Generate(50, TrainSeed), Generate(50, ValidSeed), Generate(50, TestSeed)
	if slices.Equal(tr, va) || slices.Equal(tr, te) || slices.Equal(va, te) {
		t.Error("two splits share their scenes")
	}
}

// BenchmarkGenerate measures drawing and rendering one scene.
func BenchmarkGenerate(b *testing.B) {
	g := NewGenerator(1)
	row := make([]float32, Inputs)
	for b.Loop() {
		clear(row)
		g.Next().Draw(row)
	}
	b.ReportMetric(float64(g.Attempts)/float64(b.N), "attempts/scene")
}

// BenchmarkDatasetPaper measures generating and rendering the paper
// profile's 110,000 images (1.8 GB of float32); run with -benchtime 1x.
func BenchmarkDatasetPaper(b *testing.B) {
	s, err := settingsFor(experiment.MustBuiltin("paper"))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		Dataset(s.Split, s.DataSeeds)
	}
}
