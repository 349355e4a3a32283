package probe

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// addFiles adds each file matching pattern (relative to the package) to the
// seed corpus; the project's real files are the seeds.
func addFiles(f *testing.F, pattern string) {
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

// FuzzReadSnapshot reads any bytes as a snapshot, then reads every
// observation it holds the ways checks do: nothing panics.
func FuzzReadSnapshot(f *testing.F) {
	addFiles(f, "../../testdata/profiles/*.json")
	f.Add([]byte(`{"schema_version":1,"observations":[{"key":"x","kind":"file","query":"/etc/x","value":"\"a\""}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		snap, err := ReadSnapshot(bytes.NewReader(b))
		if err != nil {
			return
		}
		for _, o := range snap.Observations {
			_ = o.Display()
			_, _ = o.RegString()
			_, _ = o.RegInt()
			_, _ = o.Text()
			_, _ = o.Output()
			_, _ = o.Host()
			var v any
			_ = o.Decode(&v)
		}
	})
}
