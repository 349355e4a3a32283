package standards

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var updateBuiltIn = flag.Bool("update-builtin", false, "rewrite standards/data/{windows-releases,linux-releases,eol-software}.json from testdata/endoflife")

// builtInAsOf is the day the built-in lifecycle data is as of: the fixtures
// are the endoflife.date pages of 2026-08-22, judged as of this day.
var builtInAsOf = MustDate("2026-11-27")

func endOfLifeFixtures(t *testing.T) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, p := range EndOfLifeProducts {
		b, err := os.ReadFile(filepath.Join("..", "testdata", "endoflife", p+".json"))
		if err != nil {
			t.Fatal(err)
		}
		out[p] = b
	}
	return out
}

func convertFixtures(t *testing.T, base *Data, asOf Date) Lifecycle {
	t.Helper()
	lc, err := ConvertEndOfLife(endOfLifeFixtures(t), base, asOf)
	if err != nil {
		t.Fatal(err)
	}
	return lc
}

func TestUpdateBuiltIn(t *testing.T) {
	if !*updateBuiltIn {
		t.Skip("run with -update-builtin to rewrite the built-in lifecycle data")
	}
	base, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	lc := convertFixtures(t, base, builtInAsOf)
	files, err := lc.Files()
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join("data", name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, n := range lc.Notes {
		t.Log(n)
	}
}
