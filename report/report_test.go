package report

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nhs-dspt/dspt-audit/checks"
	"github.com/nhs-dspt/dspt-audit/checks/probe"
	"github.com/nhs-dspt/dspt-audit/standards"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// builtInData is the built-in data, decoded once for the package's tests
// (each standards.Load decodes every embedded file afresh, a second's work
// under -race); judging and building a report only read it.
var builtInData = sync.OnceValues(func() (*standards.Data, error) { return standards.Load() })

func buildProfile(t testing.TB, name string, only ...string) *Report {
	t.Helper()
	selected, err := checks.Select(checks.All(), only, nil)
	if err != nil {
		t.Fatal(err)
	}
	data, err := builtInData()
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join("..", "testdata", "profiles", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	snap, err := probe.ReadSnapshot(f)
	if err != nil {
		t.Fatal(err)
	}
	scan, err := checks.Run(context.Background(), probe.NewReplay(snap), checks.Options{Checks: selected, Data: data, Clock: func() time.Time { return snap.CollectedAt }})
	if err != nil {
		t.Fatal(err)
	}
	return Build(scan, data, Tool{Name: "dspt-audit", Version: "test"}, "snapshot "+name+".json")
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("..", "testdata", "golden", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./report -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		actual := path + ".actual"
		os.WriteFile(actual, got, 0o644)
		t.Errorf("%s differs from the golden file; wrote %s (diff them, then run go test ./report -update if the change is right)", name, actual)
	}
}

func TestJSONGolden(t *testing.T) {
	rep := buildProfile(t, "win10-1607-wannacry-era")
	var b bytes.Buffer
	if err := JSON(&b, rep); err != nil {
		t.Fatal(err)
	}
	golden(t, "win10-1607-wannacry-era.report.json", b.Bytes())

	// The contract's required fields, read back as a consumer would.
	var back map[string]any
	if err := json.Unmarshal(b.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"schema_version", "host", "scanned_at", "outcome", "standards", "results"} {
		if _, ok := back[k]; !ok {
			t.Errorf("report lacks %q", k)
		}
	}
	if back["outcome"] != string(standards.NotMet) {
		t.Errorf("outcome %v", back["outcome"])
	}
	r0 := back["results"].([]any)[0].(map[string]any)
	for _, k := range []string{"id", "title", "status", "severity", "mappings", "evidence", "remediation"} {
		if _, ok := r0[k]; !ok {
			t.Errorf("result lacks %q", k)
		}
	}
}

func TestIfFixedSaysWhatChanges(t *testing.T) {
	// The four checks this test was written for keep the figures small
	// enough to check by hand.
	rep := buildProfile(t, "win11-pro-25h2-public-firewall-off-by-gpo", "os-supported", "patches-current", "smb1-disabled", "firewall-on")
	for _, r := range rep.Results {
		if r.ID != "firewall-on" {
			if len(r.IfFixed) != 0 {
				t.Errorf("%s passes but has if_fixed %+v", r.ID, r.IfFixed)
			}
			continue
		}
		if len(r.IfFixed) != 2 {
			t.Fatalf("firewall-on if_fixed = %+v, want standards 9 and 6", r.IfFixed)
		}
		// Standard 9 also holds the passing smb1-disabled; standard 6 only this.
		want := map[int]string{
			9: "standard 9: 50 -> 100 (Approaching Standards -> Standards Met)",
			6: "standard 6: 0 -> 100 (Standards Not Met -> Standards Met)",
		}
		for _, c := range r.IfFixed {
			if c.String() != want[c.Standard] {
				t.Errorf("change %q, want %q", c, want[c.Standard])
			}
		}
	}
	if rep.Outcome != standards.NotMet {
		t.Errorf("outcome %s", rep.Outcome)
	}
}

func TestTerminal(t *testing.T) {
	rep := buildProfile(t, "win10-1607-wannacry-era")
	var plain, colour bytes.Buffer
	if err := Terminal(&plain, rep, TerminalOptions{Width: 100}); err != nil {
		t.Fatal(err)
	}
	if err := Terminal(&colour, rep, TerminalOptions{Color: true, Width: 100}); err != nil {
		t.Fatal(err)
	}
	out := plain.String()
	if strings.Contains(out, "\x1b[") {
		t.Error("plain output has escape codes")
	}
	if !strings.Contains(colour.String(), "\x1b[") {
		t.Error("colour output has no escape codes")
	}
	for _, want := range []string{
		"GP-OLD-SCANNER", "Outcome:  Standards Not Met", "8 Unsupported systems", "coverage 100%",
		"FAIL", "seen: HKLM\\SYSTEM\\CurrentControlSet\\Services\\mrxsmb10\\Start = 2 (REG_DWORD)", "more values not present", "2018-04-10, 3149 days ago",
		"Fix: Remove SMBv1", "If fixed: standard 9", "Scoring: Each standard's score",
		"not assessed by this tool",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("terminal output lacks %q", want)
		}
	}
	for _, line := range strings.Split(out, "\n") {
		if len([]rune(line)) > 100 {
			t.Errorf("line wider than 100: %q", line)
		}
	}
	golden(t, "win10-1607-wannacry-era.terminal.txt", plain.Bytes())
}

func TestTerminalListsFailuresFirst(t *testing.T) {
	rep := buildProfile(t, "win11-pro-25h2-public-firewall-off-by-gpo")
	var b bytes.Buffer
	if err := Terminal(&b, rep, TerminalOptions{}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if fw, os := strings.Index(out, "firewall-on"), strings.Index(out, "os-supported"); fw < 0 || os < 0 || fw > os {
		t.Errorf("the failing firewall-on is not listed before the passing os-supported")
	}
}

func TestWriteFileAtomic(t *testing.T) {
	dir := tempDir(t)
	path := filepath.Join(dir, "report.json")
	if err := WriteFileAtomic(path, func(w io.Writer) error { _, err := io.WriteString(w, "first"); return err }); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("renderer failed")
	err := WriteFileAtomic(path, func(w io.Writer) error { io.WriteString(w, "half a rep"); return boom })
	if !errors.Is(err, boom) {
		t.Errorf("error %v, want the renderer's", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "first" {
		t.Errorf("a failed write changed the earlier report to %q", b)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
	if err := WriteFileAtomic(filepath.Join(dir, "no", "such", "dir.json"), func(io.Writer) error { return nil }); err == nil {
		t.Error("write into a missing folder succeeded")
	}
}

func TestWordWrap(t *testing.T) {
	path := `HKLM\SYSTEM\CurrentControlSet\Services\SharedAccess\Parameters\FirewallPolicy\StandardProfile\EnableFirewall`
	tests := []struct {
		text  string
		width int
		want  []string
	}{
		{"ended 2018-04-10, 3149 days ago", 12, []string{"ended", "2018-04-10,", "3149 days", "ago"}},
		{"seen: " + path + " = 1", 60, []string{
			`seen: HKLM\SYSTEM\CurrentControlSet\Services\SharedAccess\`,
			`Parameters\FirewallPolicy\StandardProfile\EnableFirewall = 1`}},
		{"", 10, []string{""}},
	}
	for _, tt := range tests {
		got := wordWrap(tt.text, tt.width)
		if strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("wordWrap(%q, %d) = %q, want %q", tt.text, tt.width, got, tt.want)
		}
		for _, l := range got {
			if len(l) > tt.width {
				t.Errorf("line %q wider than %d", l, tt.width)
			}
		}
	}
}
