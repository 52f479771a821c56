package ptb

import (
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func loadOrSkip(t *testing.T) *Texts {
	t.Helper()
	tx, err := Load(Dir())
	if err != nil {
		t.Fatal(err)
	}
	return tx
}

func TestWordCorpus(t *testing.T) {
	c, vocab, err := WordCorpus(loadOrSkip(t))
	if err != nil {
		t.Fatal(err)
	}
	if c.Vocab != 10000 || len(vocab) != 10000 {
		t.Fatalf("vocabulary of %d words, want 10000", c.Vocab)
	}
	// The most frequent words of PTB's training text.
	if vocab[0] != "the" || vocab[1] != "<unk>" || vocab[2] != EOS {
		t.Errorf("most frequent words %q, want the, <unk>, <eos>", vocab[:3])
	}
	if len(c.Train) != 929589 || len(c.Valid) != 73760 || len(c.Test) != 82430 {
		t.Errorf("token counts %d/%d/%d", len(c.Train), len(c.Valid), len(c.Test))
	}
}

func TestCharCorpus(t *testing.T) {
	c, vocab, err := CharCorpus(loadOrSkip(t))
	if err != nil {
		t.Fatal(err)
	}
	if c.Vocab != 50 {
		t.Fatalf("%d symbols, want 50", c.Vocab)
	}
	nl := int32(-1)
	for i, s := range vocab {
		if s == `\n` {
			nl = int32(i)
		}
	}
	// README: 4,975,414 / 389,672 / 438,662 symbols besides the newlines,
	// and one newline per line (42,068 / 3,370 / 3,761).
	for _, c := range []struct {
		s             []int32
		chars, breaks int
	}{{c.Train, 4975414, 42068}, {c.Valid, 389672, 3370}, {c.Test, 438662, 3761}} {
		breaks := 0
		for _, v := range c.s {
			if v == nl {
				breaks++
			}
		}
		if breaks != c.breaks || len(c.s)-breaks != c.chars {
			t.Errorf("%d symbols and %d newlines, want %d and %d", len(c.s)-breaks, breaks, c.chars, c.breaks)
		}
	}
}

func TestCharTextRule(t *testing.T) {
	got := string(CharText([]byte(" a bc \n\n de\n")))
	if want := "a _ b c \n \n d e \n "; got != want {
		t.Fatalf("CharText = %q, want %q", got, want)
	}
}

func TestBadFiles(t *testing.T) {
	dir := t.TempDir()
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "simple-examples.tgz") {
		t.Fatalf("missing files: %v, want an error saying where to get them", err)
	}
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(dir, f.name), []byte(" a b \n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "sha256") {
		t.Fatalf("corrupt files: %v, want a checksum error", err)
	}
	// A gzip copy is read when the .txt is absent.
	gz := t.TempDir()
	fh, err := os.Create(filepath.Join(gz, files[0].name+".gz"))
	if err != nil {
		t.Fatal(err)
	}
	z := gzip.NewWriter(fh)
	z.Write([]byte("x\n"))
	z.Close()
	fh.Close()
	if _, err := readText(gz, files[0]); err == nil || !strings.Contains(err.Error(), "sha256") {
		t.Fatalf("gzip copy: %v, want it read and rejected by checksum", err)
	}
}

func TestDirFromEnvironment(t *testing.T) {
	t.Setenv(EnvDir, "/nowhere/ptb")
	if d := Dir(); d != "/nowhere/ptb" {
		t.Fatalf("Dir = %q", d)
	}
	if _, err := Load(Dir()); err == nil || !strings.Contains(err.Error(), "/nowhere/ptb") || !strings.Contains(err.Error(), EnvDir) {
		t.Fatalf("Load from a missing $%s: %v, want an error naming the folder and the variable", EnvDir, err)
	}
	t.Setenv(EnvDir, "")
	if d := Dir(); d != Embedded {
		t.Fatalf("Dir with %s unset = %q, want the embedded copy", EnvDir, d)
	}
}

// TestEmbedded checks the embedded copy end to end: its three files pass
// their published sha256 (Load checks it) and tokenise to the published
// counts, and a damaged copy in a folder is refused with the file's name.
func TestEmbedded(t *testing.T) {
	tx, err := Load(Embedded)
	if err != nil {
		t.Fatal(err)
	}
	for i, b := range [][]byte{tx.Train, tx.Valid, tx.Test} {
		if len(b) == 0 {
			t.Fatalf("%s: empty", files[i].name)
		}
	}
	dir := t.TempDir()
	for i, b := range [][]byte{tx.Train, tx.Valid, tx.Test} {
		if i == 1 {
			b = b[:len(b)/2] // a truncated download
		}
		if err := os.WriteFile(filepath.Join(dir, files[i].name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), files[1].name) || !strings.Contains(err.Error(), "sha256") {
		t.Fatalf("truncated %s: %v, want a checksum error naming it", files[1].name, err)
	}
}
