package rng

import (
	"flag"
	"fmt"
	"testing"
)

var printGolden = flag.Bool("printgolden", false, "print the golden stream values instead of checking them")

// TestGoldenStreams pins the derivation: if it fails, every seeded result of
// the suite has changed. Regenerate with -printgolden only on purpose.
func TestGoldenStreams(t *testing.T) {
	cases := []struct {
		seed    uint64
		purpose string
		want    [4]uint64
		derived uint64
	}{
		{1, "init", [4]uint64{0xcc1e7f4b6c129aa0, 0x7025054bf7e2a9e2, 0xf5e9399034b8f222, 0x765eb9b9bc2d9d29}, 0x470272bc47c5c61d},
		{1, "noise", [4]uint64{0x5208569f3f49e0f3, 0x96e2d5018c7a9f9e, 0xbcb7aa57974a8d22, 0xc6a3240f74c19269}, 0xdbf12f007e397b0},
		{2, "init", [4]uint64{0x4c7814703a32fefd, 0xd7070bdc349d8071, 0xd5dfbfebd082bcf, 0x509c7ae5386cad9a}, 0x423648ea1dcd461},
	}
	for _, c := range cases {
		r := New(c.seed, c.purpose)
		var got [4]uint64
		for i := range got {
			got[i] = r.Uint64()
		}
		d := Derive(c.seed, c.purpose)
		if *printGolden {
			fmt.Printf("{%d, %q, [4]uint64{%#x, %#x, %#x, %#x}, %#x},\n", c.seed, c.purpose, got[0], got[1], got[2], got[3], d)
			continue
		}
		if got != c.want || d != c.derived {
			t.Errorf("stream (%d, %q) = %#x derived %#x; want %#x derived %#x", c.seed, c.purpose, got, d, c.want, c.derived)
		}
	}
}

func TestStreamsDiffer(t *testing.T) {
	seen := map[uint64]string{}
	for seed := uint64(0); seed < 50; seed++ {
		for _, p := range []string{"init", "noise", "skip", "data", "shuffle", "noise/1", "noise/2"} {
			v := New(seed, p).Uint64()
			key := fmt.Sprintf("%d/%s", seed, p)
			if prev, ok := seen[v]; ok {
				t.Fatalf("streams %s and %s start with the same value", prev, key)
			}
			seen[v] = key
		}
	}
}

func TestSameInputsSameStream(t *testing.T) {
	a, b := New(7, "x"), New(7, "x")
	for range 100 {
		if a.Float64() != b.Float64() {
			t.Fatal("two streams for the same (seed, purpose) differ")
		}
	}
}

// TestGoldenDistributions pins the draws the suite uses beyond raw words
// (normal, uniform, bounded integers): math/rand/v2 does not promise that
// their algorithms never change across Go releases, and this test is where
// such a change would show.
func TestGoldenDistributions(t *testing.T) {
	r := New(3, "golden")
	got := fmt.Sprintf("%.17g %.17g %.17g %d %d", r.NormFloat64(), r.Float64(), r.NormFloat64(), r.IntN(1000), r.Uint64N(1<<40))
	const want = "0.53948675167456606 0.21396511598809653 -0.86705252264396293 729 65434522944"
	if *printGolden {
		fmt.Printf("%q\n", got)
		return
	}
	if got != want {
		t.Errorf("draws = %s, want %s", got, want)
	}
}
