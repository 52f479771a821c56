package ptb

import (
	"strings"
	"testing"
)

// FuzzCharText: the character-level derivation never panics and writes one
// newline symbol per line of the word-level text.
func FuzzCharText(f *testing.F) {
	f.Add([]byte(" a b \n c \n"))
	f.Add([]byte(""))
	f.Add([]byte("\n\n"))
	f.Add([]byte(" <unk> N \n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		out := string(CharText(b))
		if got, want := strings.Count(out, "\n"), len(lines(b)); got != want {
			t.Fatalf("%d newline symbols for %d lines", got, want)
		}
	})
}
