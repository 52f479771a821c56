package mnist

import (
	"encoding/binary"
	"testing"
)

// FuzzParseIdx: the idx parsers never panic, and what they accept has the
// sizes its header declares.
func FuzzParseIdx(f *testing.F) {
	img := make([]byte, 16+Pixels)
	binary.BigEndian.PutUint32(img, imageMagic)
	binary.BigEndian.PutUint32(img[4:], 1)
	binary.BigEndian.PutUint32(img[8:], Side)
	binary.BigEndian.PutUint32(img[12:], Side)
	lab := []byte{0, 0, 8, 1, 0, 0, 0, 2, 3, 9}
	f.Add(img)
	f.Add(lab)
	f.Add(img[:15])
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		if s, err := parseImages(b); err == nil && len(s.Images)%Pixels != 0 {
			t.Fatalf("accepted %d pixel bytes, not whole images", len(s.Images))
		}
		if l, err := parseLabels(b); err == nil {
			for _, v := range l {
				if v > 9 {
					t.Fatalf("accepted label %d", v)
				}
			}
		}
	})
}
