package main

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nhs-dspt/dspt-audit/checks"
	"github.com/nhs-dspt/dspt-audit/standards"
)

// The Wine stage (.ci/wine/run) plants machine states into a Windows 10
// prefix and scans them with the real dspt-audit.exe; testdata/wine holds
// the states and what each check must say about them.
const wineStates = "../../testdata/wine/"

type wineManifest struct {
	About  string      `json:"about"`
	States []wineState `json:"states"`
}

type wineState struct {
	Reg    string                     `json:"reg"`
	Now    string                     `json:"now"`
	Kernel string                     `json:"kernel"`
	Expect map[string]wineExpectation `json:"expect"`
}

type wineExpectation struct {
	Status standards.Status `json:"status"`
	Says   []string         `json:"says"`
}

func readWineManifest(t *testing.T) wineManifest {
	t.Helper()
	b, err := os.ReadFile(wineStates + "states.json")
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	var m wineManifest
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("states.json: %v", err)
	}
	return m
}

// Every planted state is listed, dated and judged by checks that exist, so
// a state cannot sit in testdata unexamined.
func TestWineManifestIsComplete(t *testing.T) {
	m := readWineManifest(t)
	regs, _ := filepath.Glob(wineStates + "*.reg")
	listed := map[string]bool{}
	for _, s := range m.States {
		listed[s.Reg] = true
		if _, err := os.Stat(wineStates + s.Reg); err != nil {
			t.Errorf("%s: %v", s.Reg, err)
		}
		if _, err := time.Parse(time.RFC3339, s.Now); err != nil {
			t.Errorf("%s: now: %v", s.Reg, err)
		}
		if len(s.Expect) == 0 || s.Kernel == "" {
			t.Errorf("%s: no expectations or kernel version", s.Reg)
		}
		for id, e := range s.Expect {
			if !slices.ContainsFunc(checks.All(), func(c *checks.Check) bool { return c.ID == id }) || len(e.Says) == 0 {
				t.Errorf("%s: expectation for %q names no check or says nothing", s.Reg, id)
			}
		}
	}
	for _, r := range regs {
		if !listed[filepath.Base(r)] {
			t.Errorf("%s is not in states.json", filepath.Base(r))
		}
	}
}

// wineReport is the part of the JSON report these tests read.
type wineReport struct {
	Host    struct{ OS, Platform string }
	Results []wineResult
}

type wineResult struct {
	ID       string
	Status   standards.Status
	Summary  string
	Evidence []struct {
		Source string
		Query  string
		Value  *string
		Error  *struct{ Class, Detail string }
	}
}

func TestWineStates(t *testing.T) {
	exe, template := os.Getenv("DSPT_AUDIT_WINE_EXE"), os.Getenv("DSPT_AUDIT_WINE_PREFIX")
	if exe == "" || template == "" {
		t.Skip("needs Wine and a built dspt-audit.exe: run `bash .ci/wine/run`")
	}
	for _, s := range readWineManifest(t).States {
		t.Run(strings.TrimSuffix(s.Reg, ".reg"), func(t *testing.T) {
			r, code := scanUnderWine(t, exe, template, s)
			checkWineReport(t, s, r, code)
		})
	}
}

// scanUnderWine plants the state into a fresh copy of the template prefix
// and runs `dspt-audit.exe scan --format json --fail-on low` there.
func scanUnderWine(t *testing.T, exe, template string, s wineState) (wineReport, int) {
	prefix := winePrefix(t, template)
	reg, err := filepath.Abs(wineStates + s.Reg)
	if err != nil {
		t.Fatal(err)
	}
	mustRun(t, prefix, "wine", "regedit", "/S", reg)
	// Services' start modes are read from the registry only when Wine's
	// services restart.
	mustRun(t, prefix, "wineserver", "-k")
	mustRun(t, prefix, "wineserver", "-w")

	out, code, err := runWine(t, prefix, "wine", exe, "scan", "--format", "json", "--fail-on", "low", "--now", s.Now)
	if err != nil {
		t.Fatalf("running %s under Wine: %v", exe, err)
	}
	var r wineReport
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("report does not decode: %v\n%s", err, out)
	}
	return r, code
}

func checkWineReport(t *testing.T, s wineState, r wineReport, code int) {
	if r.Host.Platform != "windows" || !strings.Contains(r.Host.OS, s.Kernel) {
		t.Errorf("host = %+v; want windows at %s, read by gopsutil from the planted registry", r.Host, s.Kernel)
	}
	anyFail := false
	for _, res := range r.Results {
		anyFail = anyFail || res.Status == standards.Fail
		if want, ok := s.Expect[res.ID]; ok {
			if res.Status != want.Status {
				t.Errorf("%s = %s, want %s: %s", res.ID, res.Status, want.Status, res.Summary)
			}
			for _, phrase := range want.Says {
				if !strings.Contains(res.Summary, phrase) {
					t.Errorf("%s summary does not say %q: %s", res.ID, phrase, res.Summary)
				}
			}
		}
		for _, e := range res.Evidence {
			// Wine's WMI answers a class it lacks with no rows and cannot
			// read properties of rows it has: anything else would be a
			// value built from nothing.
			if e.Source == "wmi" && (e.Error == nil && (e.Value == nil || *e.Value != "[]") || e.Error != nil && (e.Error.Class == "" || e.Error.Detail == "")) {
				t.Errorf("%s: WMI %s answered %v %+v under Wine; want a classified error or no rows", res.ID, e.Query, e.Value, e.Error)
			}
			// Wine's Windows Update Agent is a stub that cannot search.
			if e.Query == "WindowsUpdateAgent()" && (e.Error == nil || e.Error.Class == "" || e.Error.Detail == "") {
				t.Errorf("%s: the Windows Update Agent answered %v %+v under Wine; want a classified error", res.ID, e.Value, e.Error)
			}
		}
	}
	for id := range s.Expect {
		if !slices.ContainsFunc(r.Results, func(res wineResult) bool { return res.ID == id }) {
			t.Errorf("the report has no result for %s", id)
		}
	}
	if wantCode := map[bool]int{true: exitFindings, false: exitOK}[anyFail]; code != wantCode {
		t.Errorf("exit code %d under Wine, want %d (--fail-on low, a failing check: %t)", code, wantCode, anyFail)
	}
}

// runWine runs a command in prefix and returns its standard output and
// exit code; a failure to run at all, or a hang, is the error. Output goes
// through files, not pipes: Wine's helper processes (services.exe and the
// like) inherit stderr and outlive the command, so a pipe would never close.
func runWine(t *testing.T, prefix, name string, args ...string) ([]byte, int, error) {
	out, _, code, err := runWineTraced(t, prefix, "-all", name, args...)
	return out, code, err
}

// runWineTraced is runWine with Wine's debug channels set (WINEDEBUG), and
// its standard error returned too.
func runWineTraced(t *testing.T, prefix, debug, name string, args ...string) (out, errText []byte, code int, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	dir := t.TempDir()
	stdout, _ := os.Create(filepath.Join(dir, "stdout"))
	stderr, _ := os.Create(filepath.Join(dir, "stderr"))
	defer stdout.Close()
	defer stderr.Close()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), "WINEDEBUG="+debug, "WINEPREFIX="+prefix)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	err = cmd.Run()
	out, _ = os.ReadFile(stdout.Name())
	if errText, _ = os.ReadFile(stderr.Name()); len(errText) > 0 && debug == "-all" {
		t.Logf("%s stderr: %s", name, errText)
	}
	var exit *exec.ExitError
	if errors.As(err, &exit) && ctx.Err() == nil {
		return out, errText, exit.ExitCode(), nil
	}
	return out, errText, 0, err
}

func mustRun(t *testing.T, prefix, name string, args ...string) {
	t.Helper()
	if _, code, err := runWine(t, prefix, name, args...); err != nil || code != 0 {
		t.Fatalf("%s %s: exit %d, %v", name, strings.Join(args, " "), code, err)
	}
}

// winePrefix is a fresh copy of the template prefix, its server stopped
// when the test ends.
func winePrefix(t *testing.T, template string) string {
	prefix := filepath.Join(t.TempDir(), "prefix")
	mustRun(t, "", "cp", "-a", template, prefix)
	t.Cleanup(func() {
		stop := exec.Command("wineserver", "-k")
		stop.Env = append(os.Environ(), "WINEPREFIX="+prefix)
		stop.Run()
	})
	return prefix
}

// TestWineScheduledTask installs the nightly task with the real
// dspt-audit.exe (schtasks /Create /XML and the event source), runs what
// the task runs, and removes it. Wine's Task Scheduler keeps only part of
// a definition, so the definition itself is proved by the schedule
// package's tests; here the Windows calls are.
func TestWineScheduledTask(t *testing.T) {
	exe, template := os.Getenv("DSPT_AUDIT_WINE_EXE"), os.Getenv("DSPT_AUDIT_WINE_PREFIX")
	if exe == "" || template == "" {
		t.Skip("needs Wine and a built dspt-audit.exe: run `bash .ci/wine/run`")
	}
	prefix := winePrefix(t, template)
	// Wine starts its Task Scheduler service on demand no more than
	// Windows does on a fresh image; "already running" exits 1 too.
	runWine(t, prefix, "wine", "net", "start", "schedule")
	taskFile := filepath.Join(prefix, "drive_c", "windows", "system32", "tasks", "dspt-audit", "nightly-scan")
	sourceKey := `HKLM\SYSTEM\CurrentControlSet\Services\EventLog\Application\dspt-audit`

	// The exe belongs to Wine's user, as a program a user downloaded would:
	// without --force the install is refused (the refusal's own test is
	// TestInstallRefusesAProgramOthersCouldChange), with it, it warns.
	if _, code, _ := runWine(t, prefix, "wine", exe, "schedule", "install", "--daily", "02:00", "--results-dir", `C:\results`); code != exitUsage {
		t.Errorf("install of a program others could change: exit %d, want %d", code, exitUsage)
	}
	mustRun(t, prefix, "wine", exe, "schedule", "install", "--daily", "02:00", "--results-dir", `C:\results`, "--force")
	if _, err := os.Stat(taskFile); err != nil {
		t.Errorf("schtasks registered no task: %v", err)
	}
	mustRun(t, prefix, "wine", "reg", "query", sourceKey)

	// A run writes only into a results folder that exists (a mistyped share
	// must not be created); the practice's share is there before the task.
	if err := os.MkdirAll(filepath.Join(prefix, "drive_c", "results"), 0o755); err != nil {
		t.Fatal(err)
	}
	profile, _ := filepath.Abs(profiles + "win11-enterprise-24h2-patched.json")
	_, trace, code, err := runWineTraced(t, prefix, "+eventlog", "wine", exe, "schedule", "run", "--from", "Z:"+strings.ReplaceAll(profile, "/", `\`),
		"--results-dir", `C:\results`, "--state-dir", `C:\state`)
	if err != nil || code != exitOK {
		t.Fatalf("schedule run: exit %d, %v", code, err)
	}
	// ReportEventW(handle, type 4 = information, category 0, ID 0x64 = 100, ...)
	if !strings.Contains(string(trace), ",0x0004,0x0000,0x00000064,") || !strings.Contains(string(trace), "GP-RECEPTION-01: Standards Met") {
		t.Errorf("no information event 100 reported:\n%s", trace)
	}
	for _, f := range []string{"results/GP-RECEPTION-01.json", "state/GP-RECEPTION-01.json"} {
		if _, err := os.Stat(filepath.Join(prefix, "drive_c", f)); err != nil {
			t.Errorf("the run did not write %s: %v", f, err)
		}
	}

	mustRun(t, prefix, "wine", exe, "schedule", "remove")
	if _, err := os.Stat(taskFile); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the task is still registered: %v", err)
	}
	if _, code, _ := runWine(t, prefix, "wine", "reg", "query", sourceKey); code == 0 {
		t.Error("the event source is still registered")
	}
}
