package standards

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"testing"
)

func addSeedFiles(f *testing.F, pattern string) {
	f.Helper()
	paths, err := filepath.Glob(pattern)
	if err != nil || len(paths) == 0 {
		f.Fatalf("no seeds match %s (%v)", pattern, err)
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

// FuzzDecodeDataFile decodes any bytes as a reference data file: nothing
// panics.
func FuzzDecodeDataFile(f *testing.F) {
	addSeedFiles(f, "data/*.json")
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = DecodeDataFile(b)
	})
}

// FuzzParseCVRF parses any bytes as a Microsoft CVRF document. Seeds are the
// JSON fixture and the head of an XML one (whole documents are hundreds of
// kilobytes, too slow to mutate), plain and gzipped.
func FuzzParseCVRF(f *testing.F) {
	for _, name := range []string{"cvrfDocument-2026-Jan.json.gz", "cvrfDocument-2026-Jan.xml.gz"} {
		gz, err := os.ReadFile(filepath.Join("..", "testdata", "cvrf", name))
		if err != nil {
			f.Fatal(err)
		}
		zr, err := gzip.NewReader(bytes.NewReader(gz))
		if err != nil {
			f.Fatal(err)
		}
		head, err := io.ReadAll(io.LimitReader(zr, 24<<10))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(head)
		f.Add(gzipped(f, head))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = ParseCVRF(b)
	})
}

func gzipped(f *testing.F, b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		f.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		f.Fatal(err)
	}
	return buf.Bytes()
}

// FuzzConvertEndOfLife converts any bytes as one endoflife.date product's
// response, over the built-in data: nothing panics.
func FuzzConvertEndOfLife(f *testing.F) {
	for i, product := range EndOfLifeProducts {
		b, err := os.ReadFile(filepath.Join("..", "testdata", "endoflife", product+".json"))
		if err != nil {
			continue
		}
		f.Add(uint8(i), b)
	}
	base, err := Load()
	if err != nil {
		f.Fatal(err)
	}
	asOf, err := ParseDate("2026-03-01")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, i uint8, b []byte) {
		product := EndOfLifeProducts[int(i)%len(EndOfLifeProducts)]
		_, _ = ConvertEndOfLife(map[string][]byte{product: b}, base, asOf)
	})
}
