package fleet

import (
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// FuzzDecode reads any bytes as a result in the share, and rolls up what it
// accepts, then writes the JSON and terminal roll-ups: nothing panics.
func FuzzDecode(f *testing.F) {
	for _, pattern := range []string{"../../testdata/fleet/*.json", "../../testdata/golden/*.json"} {
		paths, _ := filepath.Glob(pattern)
		for _, p := range paths {
			b, err := os.ReadFile(p)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	opts := Options{Now: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), StaleAfter: 30 * 24 * time.Hour, Standards: ndgStandards(f)}
	f.Fuzz(func(t *testing.T, b []byte) {
		res, err := reader{ndg: opts.Standards, now: opts.Now}.decode(b)
		if err != nil {
			return
		}
		res.path = "host.json"
		c := newCollector(opts)
		c.add(decoded{path: res.path, result: res})
		roll := c.finish()
		if err := JSON(io.Discard, roll); err != nil {
			t.Errorf("JSON roll-up of an accepted result: %v", err)
		}
		_ = Terminal(io.Discard, roll, TerminalOptions{})
	})
}
