package report

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/nhs-dspt/dspt-audit/checks"
	"github.com/nhs-dspt/dspt-audit/checks/probe"
	"github.com/nhs-dspt/dspt-audit/standards"

	"github.com/xuri/excelize/v2"
)

// screenWiper is the process name an unprivileged user gave a listener:
// clear the screen, home the cursor, hide what follows.
const screenWiper = "\x1b[2J\x1b[H\x1b[8m"

// buildEdited scans a profile after replacing old with new in its bytes.
func buildEdited(t testing.TB, name, old, new string) *Report {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "profiles", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.ReplaceAll(string(b), old, new)
	if edited == string(b) {
		t.Fatalf("%s has no %s", name, old)
	}
	snap, err := probe.ReadSnapshot(strings.NewReader(edited))
	if err != nil {
		t.Fatal(err)
	}
	data, err := standards.Load()
	if err != nil {
		t.Fatal(err)
	}
	scan, err := checks.Run(context.Background(), probe.NewReplay(snap), checks.Options{Checks: checks.All(), Data: data, Clock: func() time.Time { return snap.CollectedAt }})
	if err != nil {
		t.Fatal(err)
	}
	return Build(scan, data, Tool{Name: "dspt-audit", Version: "test"}, "snapshot")
}

// rawControls lists the control characters in out other than line ends.
func rawControls(out string) []rune {
	var found []rune
	for _, r := range out {
		if r != '\n' && unsafeRune(r) {
			found = append(found, r)
		}
	}
	return found
}

func terminalText(t *testing.T, rep *Report) string {
	t.Helper()
	var b bytes.Buffer
	if err := Terminal(&b, rep, TerminalOptions{Width: 100}); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestTerminalShowsHostileProcessNameVisibly(t *testing.T) {
	name, _ := json.Marshal(screenWiper)
	rep := buildEdited(t, "debian-12-container-neglected", `"process": "inetd"`, `"process": `+string(name))
	out := terminalText(t, rep)
	if bad := rawControls(out); len(bad) > 0 {
		t.Errorf("raw control characters %q reach the terminal", bad)
	}
	if !strings.Contains(out, `Telnet on 0.0.0.0:23 (\x1b[2J\x1b[H\x1b[8m, PID 41)`) {
		t.Errorf("the risky-ports summary does not show the process name visibly:\n%s", out)
	}
}

func TestTerminalShowsHostileHostNameVisibly(t *testing.T) {
	rep := buildEdited(t, "debian-12-container-neglected", `"hostname": "legacy-app-ct"`, `"hostname": "PC1\r\u001b[2K\u001b]0;owned\u0007 Standards Met"`)
	out := terminalText(t, rep)
	if bad := rawControls(out); len(bad) > 0 {
		t.Errorf("raw control characters %q reach the terminal", bad)
	}
	if !strings.Contains(out, `PC1\x0d\x1b[2K\x1b]0;owned\x07 Standards Met`) {
		t.Errorf("host name not shown visibly:\n%s", out)
	}
}

// TestTerminalShowsEveryStringVisibly puts escapes in every string a
// report read from a file can carry, then asserts none reaches the
// terminal raw, with colour off and on.
func TestTerminalShowsEveryStringVisibly(t *testing.T) {
	// A copy: the built report shares the catalogue's mappings.
	b, err := json.Marshal(buildProfile(t, "win10-1607-wannacry-era"))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Read(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	poison(reflect.ValueOf(rep).Elem())
	out := terminalText(t, rep)
	if bad := rawControls(out); len(bad) > 0 {
		t.Errorf("raw control characters %q reach the terminal", bad)
	}
	if n := strings.Count(out, `\x1b[8m`); n < 20 {
		t.Errorf("the payload is shown %d times; the test no longer reaches the fields", n)
	}
	var colour bytes.Buffer
	if err := Terminal(&colour, rep, TerminalOptions{Color: true, Width: 100}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(colour.String(), screenWiper) || strings.ContainsAny(colour.String(), "\r\a\u202e") {
		t.Error("colour output carries the payload raw")
	}
}

// poison appends a payload to every settable string in v.
func poison(v reflect.Value) {
	const payload = "\r" + screenWiper + "\u202e\a\n"
	switch v.Kind() {
	case reflect.String:
		if v.CanSet() {
			v.SetString(v.String() + payload)
		}
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			poison(v.Elem())
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				poison(v.Field(i))
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			poison(v.Index(i))
		}
	}
}

func TestMachineReadableFormatsEscapeControls(t *testing.T) {
	name, _ := json.Marshal(screenWiper)
	rep := buildEdited(t, "debian-12-container-neglected", `"process": "inetd"`, `"process": `+string(name))
	for _, f := range Formats() {
		if f.Name != "json" && f.Name != "ocsf" {
			continue
		}
		var b bytes.Buffer
		if err := f.Write(&b, rep); err != nil {
			t.Fatal(err)
		}
		if bytes.ContainsRune(b.Bytes(), 0x1b) {
			t.Errorf("%s output carries a raw ESC", f.Name)
		}
		if !bytes.Contains(b.Bytes(), []byte(`\u001b[2J`)) {
			t.Errorf("%s output lost the process name", f.Name)
		}
	}
}

func TestClip(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"ŵŷŵŷ", 4, "ŵŷŵŷ"},
		{"ŵŷŵŷŵ", 4, "ŵŷŵŷ… (1 more characters in the JSON report)"},
		{strings.Repeat("a", 2500), ShownLimit, strings.Repeat("a", 2000) + "… (500 more characters in the JSON report)"},
	}
	for _, tt := range tests {
		if got := Clip(tt.in, tt.n); got != tt.want {
			t.Errorf("Clip(%.20q, %d) = %.60q, want %.60q", tt.in, tt.n, got, tt.want)
		}
	}
}

func TestTerminalCapsAMillionCharacterSummary(t *testing.T) {
	rep := buildProfile(t, "win10-1607-wannacry-era", "smb1-disabled")
	rep.Results[0].Summary = strings.Repeat("x", 1_000_000)
	out := terminalText(t, rep)
	if !strings.Contains(out, "(998000 more characters in the JSON report)") {
		t.Error("the summary is not cut with a note")
	}
	if len(out) > 20_000 {
		t.Errorf("terminal output is %d bytes", len(out))
	}
}

func TestWordWrapLongWord(t *testing.T) {
	word := strings.Repeat(`ab\`, 100_000) + strings.Repeat("ŵ", 1000)
	lines := wordWrap("start "+word+" end", 94)
	if got := strings.ReplaceAll(strings.Join(lines, ""), " ", ""); got != "start"+word+"end" {
		t.Error("wrapping lost or added characters")
	}
	for _, l := range lines {
		if w := len([]rune(l)); w > 94 || w == 0 {
			t.Fatalf("line of %d characters: %q", w, l)
		}
	}
	if got := wordWrap(strings.Repeat("x", 50), 5); len(got) != 10 {
		t.Errorf("a narrow wrap gave %q", got)
	}
}

// BenchmarkWordWrap wraps a one-word summary of a million characters.
// Run: go test -run '^$' -bench WordWrap ./report
func BenchmarkWordWrap(b *testing.B) {
	word := strings.Repeat("x", 1_000_000)
	for b.Loop() {
		wordWrap(word, 94)
	}
}

// BenchmarkTerminalHugeSummary renders a report whose summary is one word
// of a million characters.
func BenchmarkTerminalHugeSummary(b *testing.B) {
	rep := buildProfile(b, "win10-1607-wannacry-era", "smb1-disabled")
	rep.Results[0].Summary = strings.Repeat("x", 1_000_000)
	for b.Loop() {
		Terminal(io.Discard, rep, TerminalOptions{Width: 100})
	}
}

// TestLongValuesDoNotBreakTheFiles: a host name and OS string of 40,000
// characters failed the workbook ("row height ≤ 409 points") and went
// whole into every cell; each view now shows ShownLimit characters and
// says where the rest is, and the JSON keeps all of it.
func TestLongValuesDoNotBreakTheFiles(t *testing.T) {
	rep := buildProfile(t, "win10-1607-wannacry-era")
	long := strings.Repeat("GABINET-Ł1 ", 4000)
	rep.Host.Name, rep.Host.OS = long, long
	rep.Results[0].Summary = long
	rep.Results[0].Evidence[0].Value = long
	note := "(42000 more characters in the JSON report)"
	for _, f := range Formats() {
		var b bytes.Buffer
		if err := f.Write(&b, rep); err != nil {
			t.Errorf("%s: %v", f.Name, err)
			continue
		}
		switch f.Name {
		case "json":
			if !strings.Contains(b.String(), long) {
				t.Error("the JSON report does not keep the whole value")
			}
		case "csv", "html":
			if !strings.Contains(b.String(), note) {
				t.Errorf("%s does not say the value was cut", f.Name)
			}
		case "xlsx":
			cells := workbookCells(t, b.Bytes())
			for _, c := range cells {
				if len([]rune(c)) > ShownLimit+60 {
					t.Fatalf("a cell of %d characters", len([]rune(c)))
				}
			}
			if !strings.Contains(strings.Join(cells, "\n"), note) {
				t.Error("the workbook does not say the value was cut")
			}
		}
	}
}

// workbookCells is every cell's text in a workbook.
func workbookCells(t *testing.T, b []byte) []string {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cells []string
	for _, sheet := range f.GetSheetList() {
		rows, err := f.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			cells = append(cells, r...)
		}
	}
	return cells
}
