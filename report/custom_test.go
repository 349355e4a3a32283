package report

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nhs-dspt/dspt-audit/checks"
	"github.com/nhs-dspt/dspt-audit/checks/probe"
	"github.com/nhs-dspt/dspt-audit/standards"
)

const customFile = `\\server\it\checks\reception.yaml`

var customHash = strings.Repeat("ab", 32)

// smb1ClientOff is a custom check as the declared loader gives one: it
// fails while the SMBv1 client driver starts (wannacry's profile).
func smb1ClientOff() *checks.Check {
	q := probe.RegistryValue(`HKLM\SYSTEM\CurrentControlSet\Services\mrxsmb10`, "Start")
	return &checks.Check{
		ID: "custom-smb1-client-off", Title: "SMBv1 client driver off (reception baseline)", Severity: standards.Critical,
		Platforms: []string{checks.Windows}, Mappings: standards.Mappings{NDG: []int{9}}, Reads: []probe.Query{q}, Origin: customFile,
		Evaluate: func(e *checks.Env) checks.Verdict {
			if start, err := e.Observe(q).RegInt(); err == nil && start != 4 {
				return checks.Verdict{Status: standards.Fail, Summary: "The SMBv1 client driver starts."}
			}
			return checks.Verdict{Status: standards.Pass, Summary: "The SMBv1 client driver does not start."}
		},
	}
}

// buildWithCustom is a profile's report with custom checks run beside the
// built-in ones, and the checks file recorded.
func buildWithCustom(t testing.TB, name string, custom ...*checks.Check) *Report {
	t.Helper()
	data, err := standards.Load()
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
	scan, err := checks.Run(context.Background(), probe.NewReplay(snap), checks.Options{Checks: append(checks.All(), custom...), Data: data, Clock: func() time.Time { return snap.CollectedAt }})
	if err != nil {
		t.Fatal(err)
	}
	rep := Build(scan, data, Tool{Name: "dspt-audit", Version: "test"}, "snapshot "+name+".json")
	file := CustomFile{Path: customFile, SHA256: customHash}
	for _, c := range custom {
		file.Loaded = append(file.Loaded, c.ID)
	}
	rep.CustomChecks = &CustomChecks{Files: []CustomFile{file}, NotLoaded: []CustomProblem{{Path: customFile, Line: 12, ID: "custom-usb", Message: `unknown probe kind "usb"`}}}
	return rep
}

func resultOf(rep *Report, id string) (CheckResult, bool) {
	i := slices.IndexFunc(rep.Results, func(r CheckResult) bool { return r.ID == id })
	if i < 0 {
		return CheckResult{}, false
	}
	return rep.Results[i], true
}

func standardNine(rep *Report) StandardResult { return rep.Standards[8] }

// A result from another machine keeps its custom checks' verdicts, and
// they count towards their standard as a built-in's do.
func TestRecountKeepsCustomChecksTheFilesAccountFor(t *testing.T) {
	built := buildWithCustom(t, "win11-enterprise-24h2-patched", smb1ClientOff())
	rep := roundTrip(t, built)
	got, err := Recount(rep, ndg(t))
	if err != nil || got.Unknown != 0 || got.Differs {
		t.Fatalf("recount %+v, %v", got, err)
	}
	r, ok := resultOf(rep, "custom-smb1-client-off")
	if !ok || r.Origin != customFile || r.Status != standards.Pass || r.Severity != standards.Critical {
		t.Fatalf("custom result %+v", r)
	}
	if !slices.Contains(standardNine(rep).Checks, r.ID) || *rep.Score != *built.Score {
		t.Errorf("standard 9 checks %q; score %d, built %d", standardNine(rep).Checks, *rep.Score, *built.Score)
	}
	// The same scan without the custom check scores standard 9 otherwise:
	// the custom check counts.
	plain := buildProfile(t, "win11-enterprise-24h2-patched")
	failing := buildWithCustom(t, "win10-1607-wannacry-era", smb1ClientOff())
	if !slices.Contains(standardNine(failing).Failing, "custom-smb1-client-off") || slices.Contains(standardNine(plain).Checks, "custom-smb1-client-off") {
		t.Errorf("a failing custom check is not among standard 9's failing: %q", standardNine(failing).Failing)
	}
}

// What a result claims of custom checks is checked: a custom result no file
// accounts for counts for nothing, and a built-in never claims an origin.
func TestRecountDropsCustomResultsNoFileAccountsFor(t *testing.T) {
	tests := []struct {
		name    string
		alter   func(*Report)
		unknown int
	}{
		{"no files at all", func(r *Report) { r.CustomChecks = nil }, 1},
		{"another file", func(r *Report) { r.CustomChecks.Files[0].Path = `\\other\checks.yaml` }, 1},
		{"not loaded from it", func(r *Report) { r.CustomChecks.Files[0].Loaded = []string{"custom-other"} }, 1},
		{"an ID without the prefix", func(r *Report) {
			r.Results[len(r.Results)-1].ID = "smb1-client-off"
			r.CustomChecks.Files[0].Loaded = []string{"smb1-client-off"}
		}, 0},
		{"no severity", func(r *Report) { r.Results[len(r.Results)-1].Severity = 0 }, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := roundTrip(t, buildWithCustom(t, "win10-1607-wannacry-era", smb1ClientOff()))
			tt.alter(rep)
			got, err := Recount(rep, ndg(t))
			if tt.name == "an ID without the prefix" {
				if err == nil || !strings.Contains(err.Error(), "not a custom check ID") {
					t.Errorf("a file claiming a non-custom ID: %v", err)
				}
				return
			}
			if err != nil || got.Unknown != tt.unknown {
				t.Fatalf("recount %+v, %v; want %d unknown", got, err, tt.unknown)
			}
			if _, ok := resultOf(rep, "custom-smb1-client-off"); ok || slices.Contains(standardNine(rep).Failing, "custom-smb1-client-off") {
				t.Errorf("an unaccounted custom result was kept")
			}
		})
	}
	rep := roundTrip(t, buildWithCustom(t, "win10-1607-wannacry-era", smb1ClientOff()))
	rep.Results[0].Origin = customFile
	custom := &rep.Results[len(rep.Results)-1]
	custom.Mappings.NDG = []int{9, 42}
	if _, err := Recount(rep, ndg(t)); err != nil {
		t.Fatal(err)
	}
	if rep.Results[0].Origin != "" {
		t.Errorf("built-in %s keeps the origin %q a file gave it", rep.Results[0].ID, rep.Results[0].Origin)
	}
	if r, _ := resultOf(rep, "custom-smb1-client-off"); !slices.Equal(r.Mappings.NDG, []int{9}) {
		t.Errorf("a custom result maps to NDG %v: a standard that does not exist is dropped", r.Mappings.NDG)
	}
}

func TestRecountRefusesMalformedCustomChecks(t *testing.T) {
	tests := map[string]func(*CustomChecks){
		"short hash":      func(c *CustomChecks) { c.Files[0].SHA256 = "abc" },
		"upper-case hash": func(c *CustomChecks) { c.Files[0].SHA256 = strings.ToUpper(customHash) },
		"empty path":      func(c *CustomChecks) { c.Files[0].Path = "" },
		"long path":       func(c *CustomChecks) { c.Files[0].Path = strings.Repeat("x", 5000) },
		"bad ID":          func(c *CustomChecks) { c.Files[0].Loaded = []string{"custom-X\x1b"} },
		"too many files": func(c *CustomChecks) {
			c.Files = slices.Repeat(c.Files, maxCustomFiles+1)
		},
		"long message":  func(c *CustomChecks) { c.NotLoaded[0].Message = strings.Repeat("m", 5000) },
		"negative line": func(c *CustomChecks) { c.NotLoaded[0].Line = -1 },
	}
	for name, alter := range tests {
		t.Run(name, func(t *testing.T) {
			rep := roundTrip(t, buildWithCustom(t, "win10-1607-wannacry-era", smb1ClientOff()))
			alter(rep.CustomChecks)
			if _, err := Recount(rep, ndg(t)); err == nil {
				t.Error("accepted")
			}
		})
	}
}

func TestCustomTextNamesTheFilesAndTheCount(t *testing.T) {
	rep := buildWithCustom(t, "win10-1607-wannacry-era", smb1ClientOff())
	want := `1 custom check used, 1 not loaded (refused, below), from 1 file: \\server\it\checks\reception.yaml (SHA-256 abababababab; custom-smb1-client-off)`
	if got := rep.CustomText(); got != want {
		t.Errorf("CustomText\n got %q\nwant %q", got, want)
	}
	if got := rep.NotLoadedLines(); !slices.Equal(got, []string{`custom-usb: \\server\it\checks\reception.yaml:12: unknown probe kind "usb"`}) {
		t.Errorf("NotLoadedLines %q", got)
	}
	if plain := buildProfile(t, "win10-1607-wannacry-era"); plain.CustomText() != "" || len(plain.Provenance()) != 7 {
		t.Errorf("a report without custom checks says %q, %d provenance rows", plain.CustomText(), len(plain.Provenance()))
	}
}

// A custom check's words come from a file outside the binary: the terminal
// shows its escapes, never obeys them.
func TestCustomChecksWordsCannotActOnATerminal(t *testing.T) {
	rep := buildWithCustom(t, "win10-1607-wannacry-era", smb1ClientOff())
	rep.CustomChecks.NotLoaded[0].Message = "bad\x1b[2J\x1b]0;owned\x07"
	rep.CustomChecks.Files[0].Path = "x\x1b[8m.yaml"
	var b strings.Builder
	if err := Terminal(&b, rep, TerminalOptions{}); err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(b.String(), "\x1b\x07") || !strings.Contains(b.String(), `bad\x1b[2J`) {
		t.Errorf("the terminal view carries a control character or hides the escape")
	}
}

// A custom result's mappings to NDG standards, DSPT items, Cyber Essentials
// controls or CAF outcomes that do not exist are dropped, and a note says
// which; the result still counts towards what exists.
func TestRecountDropsCustomMappingsToNothingWithANote(t *testing.T) {
	rep := roundTrip(t, buildWithCustom(t, "win10-1607-wannacry-era", smb1ClientOff()))
	custom := &rep.Results[len(rep.Results)-1]
	custom.Mappings.NDG = []int{11, 9, 0, -1}
	custom.Mappings.DSPTItems = []string{"99.99.99", "9.2.1"}
	custom.Mappings.CyberEssentials = []string{"Magic", "Firewalls"}
	custom.Mappings.CAF = []string{"Z9.z", "B4.d"}
	got, err := Recount(rep, ndg(t))
	if err != nil || got.Unknown != 0 {
		t.Fatalf("recount %+v, %v", got, err)
	}
	r, _ := resultOf(rep, "custom-smb1-client-off")
	m := r.Mappings
	if !slices.Equal(m.NDG, []int{9}) || !slices.Equal(m.DSPTItems, []string{"9.2.1"}) || !slices.Equal(m.CyberEssentials, []string{"Firewalls"}) || !slices.Equal(m.CAF, []string{"B4.d"}) {
		t.Errorf("mappings kept %+v", m)
	}
	if !slices.Contains(standardNine(rep).Failing, r.ID) {
		t.Error("the custom check no longer counts towards standard 9")
	}
	note := strings.Join(got.Notes, "\n")
	for _, want := range []string{"mappings to 6 things that do not exist dropped", "custom-smb1-client-off NDG standard 11", `DSPT item "99.99.99"`, "and 1 more"} {
		if !strings.Contains(note, want) {
			t.Errorf("the notes lack %q:\n%s", want, note)
		}
	}
}

// A custom result left out says why: no file lists it, or it is malformed,
// not "written by a newer dspt-audit".
func TestRecountSaysWhyACustomResultIsLeftOut(t *testing.T) {
	for _, tt := range []struct {
		alter func(*Report)
		want  string
	}{
		{func(r *Report) { r.CustomChecks.Files[0].Loaded = []string{"custom-other"} }, "1 custom check's result left out: no checks file the result lists loaded it"},
		{func(r *Report) { r.Results[len(r.Results)-1].Title = strings.Repeat("t", maxCustomText+1) }, "1 custom check's result left out: a title over 2048 bytes or no severity"},
	} {
		rep := roundTrip(t, buildWithCustom(t, "win10-1607-wannacry-era", smb1ClientOff()))
		tt.alter(rep)
		got, err := Recount(rep, ndg(t))
		if err != nil || got.Unknown != 1 {
			t.Fatalf("recount %+v, %v", got, err)
		}
		note := strings.Join(got.Notes, "\n")
		if !strings.Contains(note, tt.want) || strings.Contains(note, "newer dspt-audit") {
			t.Errorf("notes %q, want %q", note, tt.want)
		}
	}
}

// The Custom line counts and names the same checks: those used, of those
// loaded when a platform or --only left some aside.
func TestCustomTextNamesTheChecksUsed(t *testing.T) {
	rep := buildWithCustom(t, "win10-1607-wannacry-era", smb1ClientOff())
	rep.CustomChecks.NotLoaded = nil
	rep.CustomChecks.Files[0].Loaded = append(rep.CustomChecks.Files[0].Loaded, "custom-linux-sshd", "custom-linux-ufw")
	rep.CustomChecks.Files = append(rep.CustomChecks.Files, CustomFile{Path: "/etc/linux.yaml", SHA256: customHash, Loaded: []string{"custom-auditd"}})
	want := `1 custom check used (of 4 loaded), from 2 files: \\server\it\checks\reception.yaml (SHA-256 abababababab; custom-smb1-client-off; 3 loaded); /etc/linux.yaml (SHA-256 abababababab; none used; 1 loaded)`
	if got := rep.CustomText(); got != want {
		t.Errorf("CustomText\n got %q\nwant %q", got, want)
	}
}
