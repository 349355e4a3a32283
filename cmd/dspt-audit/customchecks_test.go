package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/nhs-dspt/dspt-audit/checks"
	"github.com/nhs-dspt/dspt-audit/checks/declared"
	"github.com/nhs-dspt/dspt-audit/checks/probe"
	"github.com/nhs-dspt/dspt-audit/report"
	"github.com/nhs-dspt/dspt-audit/standards"
)

// Queries of the test's custom checks: probes the profiles recorded.
var (
	smb1ClientStart = probe.RegistryValue(`HKLM\SYSTEM\CurrentControlSet\Services\mrxsmb10`, "Start")
	smbServerConfig = probe.NewWMI[struct{ EnableSMB1Protocol *bool }](`root\Microsoft\Windows\SMB`, "SELECT EnableSMB1Protocol FROM MSFT_SmbServerConfiguration").Query
	osRelease       = probe.FileContents("/etc/os-release")
)

// customCheck is a check as the declared loader gives one: a custom ID, its
// file as Origin, one read, and a verdict from that read alone that is
// never pass when the read failed.
func customCheck(id, origin string, platform string, q probe.Query, pass func(probe.Observation) bool) *checks.Check {
	return &checks.Check{
		ID: id, Title: "Custom: " + id, Severity: standards.High, Platforms: []string{platform},
		Mappings: standards.Mappings{NDG: []int{9}}, Remediation: "Ask IT.", Reads: []probe.Query{q}, Origin: origin,
		Evaluate: func(e *checks.Env) checks.Verdict {
			o := e.Observe(q)
			switch {
			case o.Is(probe.AccessDenied):
				return checks.Verdict{Status: standards.NeedsAdmin, Summary: "Could not read " + q.String() + "."}
			case o.Error != nil && !o.Is(probe.NotFound):
				return checks.Verdict{Status: standards.Unknown, Summary: "Could not read " + q.String() + "."}
			case pass(o):
				return checks.Verdict{Status: standards.Pass, Summary: "As the practice wants."}
			}
			return checks.Verdict{Status: standards.Fail, Summary: "Not as the practice wants."}
		},
	}
}

// fakeLoader stands in for declared.LoadDirs until the loader lands: it
// reads each folder's *.yaml files in name order, hashes them, and gives
// the checks its table names for each file's base name; a file the table
// does not know is a problem, as a malformed file is. dirs records the
// folders it was asked to load.
type fakeLoader struct {
	dirs []string
}

func (f *fakeLoader) load(dirs []string, builtin []*checks.Check) *declared.Pack {
	f.dirs = append(f.dirs, dirs...)
	pack := &declared.Pack{}
	for _, dir := range dirs {
		names, _ := filepath.Glob(filepath.Join(dir, "*.yaml"))
		slices.Sort(names)
		for _, path := range names {
			b, err := os.ReadFile(path)
			if err != nil {
				continue
			}
			sum := sha256.Sum256(b)
			file := declared.File{Path: path, SHA256: hex.EncodeToString(sum[:])}
			made := fakeChecks(filepath.Base(path), path)
			if made == nil {
				pack.Problems = append(pack.Problems, declared.Problem{Path: path, Line: 3, Message: `unknown key "severty"`})
			}
			for _, c := range made {
				if c.Evaluate == nil { // a check refused on its own
					pack.Problems = append(pack.Problems, declared.Problem{Path: path, Line: 7, ID: c.ID, Message: "regex: missing closing )"})
					continue
				}
				file.Loaded = append(file.Loaded, c.ID)
				pack.Checks = append(pack.Checks, c)
			}
			pack.Files = append(pack.Files, file)
		}
	}
	return pack
}

func fakeChecks(name, path string) []*checks.Check {
	switch name {
	case "smb.yaml":
		return []*checks.Check{
			customCheck("custom-smb1-client-off", path, checks.Windows, smb1ClientStart, func(o probe.Observation) bool {
				start, err := o.RegInt()
				return o.Is(probe.NotFound) || err == nil && start == 4
			}),
			customCheck("custom-smb-server-read", path, checks.Windows, smbServerConfig, func(o probe.Observation) bool { return o.Error == nil }),
			{ID: "custom-bad-regex", Origin: path},
		}
	case "zz-clash.yaml": // what a loader should refuse, if one let it through
		always := func(probe.Observation) bool { return true }
		return []*checks.Check{
			customCheck("custom-smb1-client-off", path, checks.Windows, smb1ClientStart, always),
			customCheck("custom-Bad_ID", path, checks.Windows, smb1ClientStart, always),
			customCheck("firewall-on", path, checks.Windows, smb1ClientStart, always),
		}
	case "linux.yaml":
		return []*checks.Check{customCheck("custom-os-release-read", path, checks.Linux, osRelease, func(o probe.Observation) bool { return o.Error == nil })}
	}
	return nil
}

// customTestStreams are test streams whose checks loader is f.
func customTestStreams(f *fakeLoader) (*streams, *bytes.Buffer, *bytes.Buffer) {
	s, out, errOut := testStreams()
	s.loadChecks = f.load
	return s, out, errOut
}

func runCustom(t *testing.T, f *fakeLoader, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	s, out, errOut := customTestStreams(f)
	code = run(args, s)
	return code, out.String(), errOut.String()
}

// checksDir is a folder with the given checks files (name: body).
func checksDir(t *testing.T, files ...string) string {
	t.Helper()
	dir := tempDir(t)
	for _, name := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("# "+name+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func sha256Of(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func TestScanWithCustomChecksRecordsThemInTheResult(t *testing.T) {
	dir := checksDir(t, "smb.yaml", "broken.yaml")
	smb, broken := filepath.Join(dir, "smb.yaml"), filepath.Join(dir, "broken.yaml")
	wannacry, patched := profiles+"win10-1607-wannacry-era.json", profiles+"win11-enterprise-24h2-patched.json"
	nonAdmin := profiles + "win11-enterprise-24h2-non-admin.json"
	tests := []struct {
		profile    string
		smb1Client standards.Status
		server     standards.Status
	}{
		{wannacry, standards.Fail, standards.Pass},       // mrxsmb10 Start = 2
		{patched, standards.Pass, standards.Pass},        // mrxsmb10 absent
		{nonAdmin, standards.Pass, standards.NeedsAdmin}, // the SMB server WMI query denied
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.profile), func(t *testing.T) {
			code, out, errOut := runCustom(t, &fakeLoader{}, "scan", "--from", tt.profile, "--checks-dir", dir, "-f", "json")
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			if !strings.Contains(errOut, "custom check not loaded: "+broken+`:3: unknown key "severty"`) {
				t.Errorf("stderr does not warn of the broken file: %q", errOut)
			}
			rep, err := report.Decode([]byte(out))
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]report.CheckResult{}
			for _, r := range rep.Results {
				got[r.ID] = r
			}
			for id, want := range map[string]standards.Status{"custom-smb1-client-off": tt.smb1Client, "custom-smb-server-read": tt.server} {
				if r := got[id]; r.Status != want || r.Origin != smb {
					t.Errorf("%s: %s from %q, want %s from %s", id, r.Status, r.Origin, want, smb)
				}
			}
			if r := got["smb1-disabled"]; r.Origin != "" {
				t.Errorf("a built-in check claims origin %q", r.Origin)
			}
			wantFiles := []report.CustomFile{
				{Path: broken, SHA256: sha256Of(t, broken)},
				{Path: smb, SHA256: sha256Of(t, smb), Loaded: []string{"custom-smb1-client-off", "custom-smb-server-read"}},
			}
			c := rep.CustomChecks
			if c == nil || len(c.Files) != 2 || c.Files[1].SHA256 != wantFiles[1].SHA256 || !slices.Equal(c.Files[1].Loaded, wantFiles[1].Loaded) || c.Files[0].Path != broken {
				t.Fatalf("custom_checks %+v, want files %+v", c, wantFiles)
			}
			wantNotLoaded := []string{broken + `:3: unknown key "severty"`, "custom-bad-regex: " + smb + ":7: regex: missing closing )"}
			if got := rep.NotLoadedLines(); !slices.Equal(got, wantNotLoaded) {
				t.Errorf("not loaded %q, want %q", got, wantNotLoaded)
			}
		})
	}
}

// A failing custom check counts towards its standard as a built-in does.
func TestCustomChecksCountTowardsTheirStandards(t *testing.T) {
	patched := profiles + "win11-enterprise-24h2-patched.json"
	standard9 := func(args ...string) report.StandardResult {
		t.Helper()
		code, out, errOut := runCustom(t, &fakeLoader{}, append([]string{"scan", "--from", patched, "-f", "json"}, args...)...)
		if code != exitOK {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		rep, err := report.Decode([]byte(out))
		if err != nil {
			t.Fatal(err)
		}
		return rep.Standards[8]
	}
	without := standard9()
	with := standard9("--checks-dir", checksDir(t, "smb.yaml"))
	if !slices.Contains(with.Checks, "custom-smb1-client-off") || slices.Contains(without.Checks, "custom-smb1-client-off") {
		t.Errorf("standard 9 checks %q with custom checks, %q without", with.Checks, without.Checks)
	}
	if len(with.Checks) != len(without.Checks)+2 {
		t.Errorf("standard 9 counts %d checks with two custom ones, %d without", len(with.Checks), len(without.Checks))
	}
}

func TestScanWithoutCustomChecksHasNoCustomField(t *testing.T) {
	code, out, errOut := runCustom(t, &fakeLoader{}, "scan", "--from", profiles+"win10-1607-wannacry-era.json", "-f", "json")
	if code != exitOK || strings.Contains(out, "custom_checks") || strings.Contains(out, `"origin"`) || errOut != "" {
		t.Errorf("exit %d, stderr %q; custom fields present: %v", code, errOut, strings.Contains(out, "custom"))
	}
}

// The checks load from the data folder's checks folder, then the practice
// folder's, then each --checks-dir, in that order.
func TestCustomChecksLoadFromTheDataAndPracticeFolders(t *testing.T) {
	data, share := tempDir(t), tempDir(t)
	if err := os.Mkdir(filepath.Join(data, "checks"), 0o755); err != nil {
		t.Fatal(err)
	}
	practiceFile := filepath.Join(share, "practice.yaml")
	if code, _, errOut := runArgs(t, "practice", "init", "-o", practiceFile); code != exitOK {
		t.Fatal(errOut)
	}
	extra := checksDir(t)
	f := &fakeLoader{}
	code, _, errOut := runCustom(t, f, "scan", "--from", profiles+"win10-1607-wannacry-era.json", "--data-dir", data,
		"--practice", practiceFile, "--checks-dir", extra, "-o", os.DevNull)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	want := []string{filepath.Join(data, "checks"), filepath.Join(share, "checks"), extra}
	if !slices.Equal(f.dirs, want) {
		t.Errorf("loaded %q, want %q", f.dirs, want)
	}
}

func TestOnlyAndSkipTakeCustomIDs(t *testing.T) {
	dir := checksDir(t, "smb.yaml")
	wannacry := profiles + "win10-1607-wannacry-era.json"
	code, out, errOut := runCustom(t, &fakeLoader{}, "scan", "--from", wannacry, "--checks-dir", dir, "--only", "CUSTOM-SMB1-CLIENT-OFF,smb1-disabled", "-f", "json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	rep, err := report.Decode([]byte(out))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range rep.Results {
		ids = append(ids, r.ID)
	}
	slices.Sort(ids)
	if !slices.Equal(ids, []string{"custom-smb1-client-off", "smb1-disabled"}) {
		t.Errorf("--only ran %q", ids)
	}
	refused := []struct{ name, arg, want string }{
		{"unknown custom ID", "custom-nope", `no check "custom-nope"; the checks are: os-supported`},
		{"the list names the custom checks", "custom-nope", "custom-smb1-client-off, custom-smb-server-read"},
		{"a check that did not load says why", "custom-bad-regex", "check custom-bad-regex was not loaded: " + filepath.Join(dir, "smb.yaml") + ":7: regex: missing closing )"},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := runCustom(t, &fakeLoader{}, "scan", "--from", wannacry, "--checks-dir", dir, "--skip", tt.arg)
			if code != exitUsage || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d, stderr %q, want %q", code, errOut, tt.want)
			}
		})
	}
	if code, _, errOut := runCustom(t, &fakeLoader{}, "scan", "--from", wannacry, "--checks-dir", filepath.Join(dir, "nope")); code != exitUsage || !strings.Contains(errOut, "is not a folder") {
		t.Errorf("a missing --checks-dir: exit %d, %q", code, errOut)
	}
}

func TestEveryViewSaysWhichCustomChecksRan(t *testing.T) {
	dir := checksDir(t, "smb.yaml", "broken.yaml")
	smb := filepath.Join(dir, "smb.yaml")
	hash := sha256Of(t, smb)[:12]
	summary := "2 custom checks used, 2 not loaded (refused, below), from 2 files"
	notLoaded := filepath.Join(dir, "broken.yaml") + `:3: unknown key "severty"`
	origin := "Custom check from " + smb
	for _, format := range []string{"text", "html", "csv", "ocsf"} {
		t.Run(format, func(t *testing.T) {
			code, out, errOut := runCustom(t, &fakeLoader{}, "scan", "--from", profiles+"win10-1607-wannacry-era.json", "--checks-dir", dir, "-f", format)
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			var want []string
			switch format {
			case "text", "html":
				want = []string{summary, hash, notLoaded, origin}
			case "csv":
				want = []string{origin}
			case "ocsf":
				want = []string{`"custom_check_file":` + strconvQuote(smb), `"custom_check_sha256":"` + sha256Of(t, smb)}
			}
			switch format {
			case "html":
				out = htmlText(out)
			case "text": // wrapped at spaces; paths have none
				out = strings.Join(strings.Fields(out), " ")
			}
			for _, w := range want {
				if !strings.Contains(out, w) {
					t.Errorf("%s lacks %q", format, w)
				}
			}
		})
	}
	t.Run("xlsx", func(t *testing.T) {
		path := filepath.Join(tempDir(t), "r.xlsx")
		if code, _, errOut := runCustom(t, &fakeLoader{}, "scan", "--from", profiles+"win10-1607-wannacry-era.json", "--checks-dir", dir, "-o", path); code != exitOK {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		f, err := excelize.OpenFile(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		summaryRows, _ := f.GetRows("Summary")
		findings, _ := f.GetRows("Findings")
		if cell := rowWith(summaryRows, "Custom"); !strings.Contains(cell, summary) || !strings.Contains(cell, hash) {
			t.Errorf("Summary's custom checks row %q", cell)
		}
		if cell := rowWith(summaryRows, "Refused"); !strings.Contains(cell, notLoaded) {
			t.Errorf("Summary's not loaded row %q", cell)
		}
		if row := rowWith(findings, "custom-smb1-client-off"); !strings.Contains(row, origin) {
			t.Errorf("the custom check's Findings row is not marked: %q", row)
		}
		if row := rowWith(findings, "smb1-disabled"); strings.Contains(row, "Custom check") {
			t.Errorf("a built-in check's Findings row is marked custom: %q", row)
		}
	})
}

// rowWith is the first row that has a cell equal to key, its cells joined.
func rowWith(rows [][]string, key string) string {
	for _, r := range rows {
		if slices.Contains(r, key) {
			return strings.Join(r, " | ")
		}
	}
	return ""
}

// htmlText undoes the escapes html/template writes in text.
func htmlText(s string) string {
	return strings.NewReplacer("&#34;", `"`, "&quot;", `"`, "&#39;", "'", "&amp;", "&", "&lt;", "<", "&gt;", ">").Replace(s)
}

func strconvQuote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// collect runs the custom checks too, so that the snapshot holds what they
// read and replays them; without the checks files the replay has no such
// check.
func TestCollectRecordsWhatCustomChecksRead(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the custom check reads /etc/os-release, which a collect on Windows does not read")
	}
	dir := checksDir(t, "linux.yaml")
	snap := filepath.Join(tempDir(t), "snap.json")
	code, _, errOut := runCustom(t, &fakeLoader{}, "collect", "--only", "os-supported,custom-os-release-read", "--checks-dir", dir, "-o", snap)
	if code != exitOK {
		t.Fatalf("collect: exit %d: %s", code, errOut)
	}
	b, err := os.ReadFile(snap)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"file:/etc/os-release"`) {
		t.Fatal("the snapshot lacks the custom check's read")
	}
	code, out, errOut := runCustom(t, &fakeLoader{}, "scan", "--from", snap, "--checks-dir", dir, "--only", "custom-os-release-read", "-f", "json")
	if code != exitOK {
		t.Fatalf("scan: exit %d: %s", code, errOut)
	}
	rep, err := report.Decode([]byte(out))
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Results) != 1 || rep.Results[0].Status == standards.Unknown {
		t.Errorf("the replayed custom check: %+v", rep.Results)
	}
}

func TestChecksListsCustomChecksWithTheirFile(t *testing.T) {
	dir := checksDir(t, "smb.yaml")
	smb := filepath.Join(dir, "smb.yaml")
	for _, args := range [][]string{{"checks"}, {"checks", "--long"}, {"checks", "-f", "json"}} {
		code, out, errOut := runCustom(t, &fakeLoader{}, append(args, "--checks-dir", dir)...)
		if code != exitOK || !strings.Contains(out, "custom-smb1-client-off") || !strings.Contains(out, smb) && !strings.Contains(out, strings.ReplaceAll(smb, `\`, `\\`)) || !strings.Contains(errOut, "custom-bad-regex") {
			t.Errorf("%q: exit %d, stderr %q, custom check or its file missing:\n%s", args, code, errOut, out)
		}
		code, out, _ = runCustom(t, &fakeLoader{}, args...)
		if code != exitOK || strings.Contains(out, "custom-") {
			t.Errorf("%q without --checks-dir lists custom checks", args)
		}
	}
}

func TestScheduleCarriesAndGuardsTheChecksFolders(t *testing.T) {
	results, state := tempDir(t), tempDir(t)
	it := checksDir(t, "smb.yaml")
	code, out, errOut := runCustom(t, &fakeLoader{}, "schedule", "install", "--daily", "02:00", "--results-dir", results, "--checks-dir", it, "--print")
	if code != exitOK || !strings.Contains(out, `"--checks-dir" `+quoteForUnit(it)) && !strings.Contains(out, "--checks-dir "+it) {
		t.Errorf("install --print: exit %d, stderr %q, the definition lacks the checks folder:\n%s", code, errOut, out)
	}
	inside := filepath.Join(results, "checks")
	if err := os.Mkdir(inside, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, cmd := range [][]string{
		{"schedule", "install", "--daily", "02:00", "--results-dir", results, "--checks-dir", inside, "--print"},
		{"schedule", "run", "--from", profiles + "win10-1607-wannacry-era.json", "--results-dir", results, "--state-dir", state, "--checks-dir", inside},
	} {
		if code, _, errOut := runCustom(t, &fakeLoader{}, cmd...); code != exitUsage || !strings.Contains(errOut, "is the results folder "+results+" or inside it") {
			t.Errorf("%s with a checks folder in the results folder: exit %d, %q", cmd[1], code, errOut)
		}
	}
	// A practice file in the results folder (warned of at install): its
	// checks folder is not loaded, and the result says why. The file need
	// not load for that.
	practiceFile := filepath.Join(results, "practice.yaml")
	f := &fakeLoader{}
	code, _, errOut = runCustom(t, f, "schedule", "run", "--from", profiles+"win10-1607-wannacry-era.json", "--results-dir", results,
		"--state-dir", state, "--keep", "0", "--practice", practiceFile, "--checks-dir", it, "--now", "2026-11-24")
	if code == exitError || code == exitUsage {
		t.Fatalf("schedule run: exit %d: %s", code, errOut)
	}
	if slices.Contains(f.dirs, inside) || !slices.Contains(f.dirs, it) {
		t.Errorf("the run loaded %q", f.dirs)
	}
	rep := decodeResultFile(t, filepath.Join(results, "GP-OLD-SCANNER.json"))
	if got := rep.NotLoadedLines(); len(got) != 2 || !strings.HasPrefix(got[0], inside+": the checks folder "+inside+" is inside the results folder") {
		t.Errorf("not loaded %q", got)
	}
	if len(rep.CustomUsed()) != 2 {
		t.Errorf("the run used %d custom checks, want the 2 of %s", len(rep.CustomUsed()), it)
	}
}

// quoteForUnit is a path as a systemd unit quotes it.
func quoteForUnit(p string) string { return `"` + p + `"` }

// decodeResultFile reads a result the nightly run wrote, signature and all.
func decodeResultFile(t *testing.T, path string) *report.Report {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := report.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// The nightly runs of two PCs, one with custom checks, rolled up: the
// roll-up counts the custom check and names its file; report convert of
// the custom PC's result keeps its verdicts.
func TestRollupOfResultsWithAndWithoutCustomChecks(t *testing.T) {
	results, state := tempDir(t), tempDir(t)
	it := checksDir(t, "smb.yaml")
	runs := map[string][]string{
		"win10-1607-wannacry-era":       {"--checks-dir", it},
		"win11-enterprise-24h2-patched": nil,
	}
	for p, extra := range runs {
		args := append([]string{"schedule", "run", "--from", profiles + p + ".json", "--results-dir", results, "--state-dir", filepath.Join(state, p), "--keep", "0"}, extra...)
		if code, _, errOut := runCustom(t, &fakeLoader{}, args...); code == exitError || code == exitUsage {
			t.Fatalf("schedule run %s: %s", p, errOut)
		}
	}
	trust := filepath.Join(state, "trust.json")
	code, out, errOut := runArgs(t, "fleet", results, "--trust", trust, "--trust-new", "--now", "2026-11-24")
	if code != exitOK && code != exitFindings {
		t.Fatalf("fleet: exit %d: %s", code, errOut)
	}
	out = strings.Join(strings.Fields(out), " ")
	// The roll-up judges the custom results again and agrees with the scan.
	if strings.Contains(out, "claim an outcome or score") || strings.Contains(out, "not in this build's catalogue") {
		t.Errorf("the roll-up disagrees with a result with custom checks:\n%s", out)
	}
	for _, want := range []string{
		"2 custom checks ran on 1 of 2 hosts",
		"custom-smb1-client-off (1 host, 1 failing)",
		filepath.Join(it, "smb.yaml") + " (SHA-256 " + sha256Of(t, filepath.Join(it, "smb.yaml"))[:12],
		"did not load on 1 host: GP-OLD-SCANNER",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the roll-up lacks %q:\n%s", want, out)
		}
	}
	code, out, errOut = runArgs(t, "report", "convert", filepath.Join(results, "GP-OLD-SCANNER.json"), "-f", "json")
	if code != exitOK {
		t.Fatalf("report convert: exit %d: %s", code, errOut)
	}
	rep, err := report.Decode([]byte(out))
	if err != nil {
		t.Fatal(err)
	}
	if r := rep.CustomUsed(); len(r) != 2 || r[0].Origin != filepath.Join(it, "smb.yaml") || !slices.Contains(rep.Standards[8].Failing, "custom-smb1-client-off") {
		t.Errorf("converted: custom results %+v, standard 9 failing %q", r, rep.Standards[8].Failing)
	}
}

// A data folder that looks like a results folder is not used for data, so
// its checks folder is not loaded either; the nightly run says why.
func TestAnUnusableDataFolderLendsNoChecks(t *testing.T) {
	results, state, data := tempDir(t), tempDir(t), tempDir(t)
	checks := filepath.Join(data, "checks")
	if err := os.Mkdir(checks, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(data, "PC-9.json"), []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	f := &fakeLoader{}
	code, _, errOut := runCustom(t, f, "schedule", "run", "--from", profiles+"win10-1607-wannacry-era.json", "--results-dir", results,
		"--state-dir", state, "--keep", "0", "--data-dir", data)
	if code == exitError || code == exitUsage {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if slices.Contains(f.dirs, checks) {
		t.Errorf("loaded %q", f.dirs)
	}
	rep := decodeResultFile(t, filepath.Join(results, "GP-OLD-SCANNER.json"))
	if got := rep.NotLoadedLines(); len(got) != 1 || !strings.Contains(got[0], "PC-9.json, which is not reference data") {
		t.Errorf("not loaded %q", got)
	}
}

// The wiring records only what a result can carry and its readers accept:
// a check with a malformed ID, or one another check has, is refused there
// even if a loader let it through.
func TestChecksAResultCannotCarryAreRefused(t *testing.T) {
	dir := checksDir(t, "smb.yaml", "zz-clash.yaml")
	clash := filepath.Join(dir, "zz-clash.yaml")
	code, out, errOut := runCustom(t, &fakeLoader{}, "scan", "--from", profiles+"win10-1607-wannacry-era.json", "--checks-dir", dir, "-f", "json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	rep, err := report.Decode([]byte(out))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(rep.CustomUsed()); n != 2 {
		t.Errorf("%d custom results, want smb.yaml's 2 only", n)
	}
	for _, f := range rep.CustomChecks.Files {
		if f.Path == clash && len(f.Loaded) != 0 {
			t.Errorf("zz-clash.yaml is said to have loaded %q", f.Loaded)
		}
	}
	lines := strings.Join(rep.NotLoadedLines(), "\n")
	for _, want := range []string{
		"custom-smb1-client-off: " + clash + ": check ID custom-smb1-client-off is taken by another check",
		"custom-Bad_ID: " + clash + `: check ID "custom-Bad_ID" is not custom- followed by lower-case letters`,
		"firewall-on: " + clash + `: check ID "firewall-on" is not custom-`,
	} {
		if !strings.Contains(lines, want) {
			t.Errorf("not loaded lacks %q:\n%s", want, lines)
		}
	}
	if _, err := report.Recount(rep, mustNDG(t)); err != nil {
		t.Errorf("the result is refused on reading: %v", err)
	}
}

func mustNDG(t *testing.T) []standards.Standard {
	t.Helper()
	data, err := standards.Load()
	if err != nil {
		t.Fatal(err)
	}
	return data.NDG.Standards
}

// The results folder spelt another way, or reached through a link, is still
// the results folder: for --checks-dir, --data-dir and the practice folder's
// checks, at install and in the run.
func TestTheChecksFolderRuleSeesThroughLinksAndSpellings(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symbolic links need a privilege on Windows")
	}
	root, state := tempDir(t), tempDir(t)
	results := filepath.Join(root, "res")
	if err := os.MkdirAll(filepath.Join(results, "checks"), 0o755); err != nil {
		t.Fatal(err)
	}
	resLink := filepath.Join(root, "reslink")
	if err := os.Symlink(results, resLink); err != nil {
		t.Fatal(err)
	}
	for _, flags := range [][]string{
		{"--results-dir", results, "--checks-dir", root + "//res/checks"},
		{"--results-dir", root + "//res", "--checks-dir", results + "/checks"},
		{"--results-dir", results, "--checks-dir", resLink + "/checks"},
		{"--results-dir", resLink, "--checks-dir", results + "/checks"},
		{"--results-dir", resLink, "--data-dir", results},
	} {
		install := append([]string{"schedule", "install", "--daily", "02:00", "--print"}, flags...)
		run := append([]string{"schedule", "run", "--from", profiles + "win10-1607-wannacry-era.json", "--state-dir", state, "--keep", "0"}, flags...)
		for _, cmd := range [][]string{install, run} {
			if code, _, errOut := runCustom(t, &fakeLoader{}, cmd...); code != exitUsage || !strings.Contains(errOut, "or inside it") {
				t.Errorf("%q: exit %d, %q", cmd, code, errOut)
			}
		}
	}
	f := &fakeLoader{}
	code, _, errOut := runCustom(t, f, "schedule", "run", "--from", profiles+"win10-1607-wannacry-era.json", "--results-dir", results,
		"--state-dir", state, "--keep", "0", "--practice", filepath.Join(resLink, "practice.yaml"), "--now", "2026-11-24")
	if code == exitError || code == exitUsage {
		t.Fatalf("schedule run: exit %d: %s", code, errOut)
	}
	for _, d := range f.dirs {
		if strings.HasPrefix(d, resLink) || strings.HasPrefix(d, results) {
			t.Errorf("the run loaded %s, the results folder's checks through a link", d)
		}
	}
	// The practice folder's checks folder itself a link into the results folder.
	it := filepath.Join(root, "it")
	if err := os.Mkdir(it, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(results, "checks"), filepath.Join(it, "checks")); err != nil {
		t.Fatal(err)
	}
	code, _, errOut = runCustom(t, &fakeLoader{}, "schedule", "install", "--daily", "02:00", "--print", "--results-dir", results, "--practice", filepath.Join(it, "practice.yaml"))
	if code != exitOK || !strings.Contains(errOut, "leads into the results folder") {
		t.Errorf("install with the practice folder's checks a link into the results: exit %d, %q", code, errOut)
	}
	// And the data folder's: the run leaves it aside, install warns.
	code, _, errOut = runCustom(t, &fakeLoader{}, "schedule", "install", "--daily", "02:00", "--print", "--results-dir", results, "--data-dir", it)
	if code != exitOK || !strings.Contains(errOut, "the data folder's checks folder "+filepath.Join(it, "checks")+" leads into the results folder") {
		t.Errorf("install with the data folder's checks a link into the results: exit %d, %q", code, errOut)
	}
	f = &fakeLoader{}
	runCustom(t, f, "schedule", "run", "--from", profiles+"win10-1607-wannacry-era.json", "--results-dir", results, "--state-dir", state, "--keep", "0", "--data-dir", it, "--now", "2026-11-24")
	if slices.Contains(f.dirs, filepath.Join(it, "checks")) {
		t.Errorf("the run loaded the data folder's checks, a link into the results folder: %q", f.dirs)
	}
}

// A --checks-dir that is not a folder is refused at install, as by scan:
// otherwise every nightly run would go without the checks asked for.
func TestInstallRefusesAChecksDirThatIsNotAFolder(t *testing.T) {
	missing := filepath.Join(tempDir(t), "dir with space")
	code, _, errOut := runCustom(t, &fakeLoader{}, "schedule", "install", "--daily", "02:00", "--print", "--results-dir", tempDir(t), "--checks-dir", missing)
	if code != exitUsage || !strings.Contains(errOut, "--checks-dir "+missing+" is not a folder") {
		t.Errorf("exit %d, %q", code, errOut)
	}
}

// --only of a custom check no checks file loaded says where custom checks
// come from, not only which built-in checks there are.
func TestOnlyAnUnloadedCustomCheckSaysWhereCustomChecksLoadFrom(t *testing.T) {
	code, _, errOut := runCustom(t, &fakeLoader{}, "scan", "--from", profiles+"win10-1607-wannacry-era.json", "--only", "custom-x")
	if code != exitUsage || !strings.Contains(errOut, "custom checks load with --checks-dir, the data folder's checks folder or the practice folder's") {
		t.Errorf("exit %d, %q", code, errOut)
	}
	code, _, errOut = runCustom(t, &fakeLoader{}, "scan", "--from", profiles+"win10-1607-wannacry-era.json", "--only", "smb1-of")
	if code != exitUsage || strings.Contains(errOut, "custom checks load") {
		t.Errorf("a mistyped built-in: exit %d, %q", code, errOut)
	}
}
