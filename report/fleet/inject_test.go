package fleet

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
)

// TestTerminalRollupShowsHostileNamesVisibly: a host name with escapes in
// a result, and a file whose name breaks the line to print a fake "nothing
// skipped", must reach the terminal as visible text.
func TestTerminalRollupShowsHostileNamesVisibly(t *testing.T) {
	dir := tempDir(t)
	doc := toMap(t, profileReports(t)[0])
	doc["host"].(map[string]any)["name"] = "PC1\x1b[2J\x1b[H\x1b[8m"
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "pc1.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	fake := "x.json: ok\n\nFiles skipped (0): nothing skipped\x1b[8m.json"
	if err := os.WriteFile(filepath.Join(dir, fake), []byte("{"), 0o644); err != nil {
		t.Skipf("this file system refuses the name: %v", err)
	}
	roll := rollUp(t, []string{dir}, false)
	if len(roll.Skipped) != 1 {
		t.Fatalf("skipped %v, want the planted file", roll.Skipped)
	}
	var out bytes.Buffer
	if err := Terminal(&out, roll, TerminalOptions{}); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	for _, r := range text {
		if r != '\n' && unicode.IsControl(r) {
			t.Fatalf("raw %q reaches the terminal:\n%s", r, text)
		}
	}
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(line, "Files skipped (0)") {
			t.Errorf("the file name printed a line of its own: %q", line)
		}
	}
	for _, want := range []string{`PC1\x1b[2J\x1b[H`, `x.json: ok\x0a\x0aFiles skipped (0): nothing skipped\x1b[8m.json`} {
		if !strings.Contains(text, want) {
			t.Errorf("terminal view lacks %q:\n%s", want, text)
		}
	}
}

// TestJSONRollupNeverCarriesRawEscapes: JSON and OCSF lines go to logs
// and SIEMs; encoding/json escapes control characters, and this holds it.
func TestJSONRollupNeverCarriesRawEscapes(t *testing.T) {
	dir := tempDir(t)
	doc := toMap(t, profileReports(t)[0])
	doc["host"].(map[string]any)["name"] = "PC1\x1b[2J"
	b, _ := json.Marshal(doc)
	if err := os.WriteFile(filepath.Join(dir, "pc1.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "bad\x1b[2J.json"), []byte("{"), 0o644); err != nil {
		t.Skipf("this file system refuses the name: %v", err)
	}
	roll := rollUp(t, []string{dir}, false)
	for _, format := range []string{"json", "ocsf"} {
		out := write(t, format, roll)
		if bytes.ContainsRune(out, 0x1b) {
			t.Errorf("%s roll-up carries a raw ESC", format)
		}
		if !bytes.Contains(out, []byte(`PC1\u001b[2J`)) {
			t.Errorf("%s roll-up lost the host name", format)
		}
	}
}

// TestLongHostNameDoesNotBreakTheWorkbook: host names and OS strings of
// thousands of characters, and a source folder list as long, must leave
// every roll-up format writable.
func TestLongHostNameDoesNotBreakTheWorkbook(t *testing.T) {
	dir := tempDir(t)
	doc := toMap(t, profileReports(t)[0])
	long := strings.Repeat("GABINET-Ś1 ", 800)
	doc["host"].(map[string]any)["name"] = long
	doc["host"].(map[string]any)["os"] = long
	b, _ := json.Marshal(doc)
	if err := os.WriteFile(filepath.Join(dir, "pc1.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	roll := rollUp(t, []string{dir}, false)
	roll.Sources = []string{strings.Repeat(`\\server\share\`, 2000)}
	for _, f := range Formats() {
		var out bytes.Buffer
		if err := f.Write(&out, roll); err != nil {
			t.Errorf("%s: %v", f.Name, err)
		}
		if f.Name == "csv" && !strings.Contains(out.String(), "(6800 more characters in the JSON report)") {
			t.Error("the CSV does not say the host name was cut")
		}
	}
}
