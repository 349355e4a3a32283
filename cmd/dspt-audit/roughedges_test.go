package main

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/xuri/excelize/v2"
)

// Issue 15, items 18–30: a command line without rough edges.

const patchedProfile = profiles + "win11-enterprise-24h2-patched.json"

type cliCase struct {
	name   string
	args   []string
	code   int
	stderr []string // each must appear
	not    []string // none may appear
}

func runCases(t *testing.T, tests []cliCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runArgs(t, tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, tt.code, errOut)
			}
			for _, want := range tt.stderr {
				if !strings.Contains(errOut, want) {
					t.Errorf("stderr %q lacks %q", errOut, want)
				}
			}
			for _, bad := range tt.not {
				if strings.Contains(errOut, bad) || strings.Contains(out, bad) {
					t.Errorf("output has %q:\nstderr %s\nstdout %.300s", bad, errOut, out)
				}
			}
			if code != exitOK && !strings.HasPrefix(errOut, "dspt-audit: ") {
				t.Errorf("error is not a dspt-audit: line: %q", errOut)
			}
		})
	}
}

// Item 18 (and 30: the suggestion on one line).
func TestMistypedSubcommandIsAUsageError(t *testing.T) {
	runCases(t, []cliCase{
		{"report conver", []string{"report", "conver"}, exitUsage, []string{`dspt-audit: unknown command "conver" for "dspt-audit report"; did you mean "convert"?` + "\n"}, []string{"Usage:"}},
		{"schedule instal", []string{"schedule", "instal"}, exitUsage, []string{`unknown command "instal" for "dspt-audit schedule"; did you mean "install"?`}, []string{"Usage:"}},
		{"schedule instal with flags", []string{"schedule", "instal", "--daily", "02:00"}, exitUsage, []string{`did you mean "install"?`}, []string{"unknown flag"}},
		{"data updat", []string{"data", "updat"}, exitUsage, []string{`did you mean "update"?`}, nil},
		{"root typo", []string{"scna"}, exitUsage, []string{`unknown command "scna" for "dspt-audit"; did you mean "scan"?` + "\n"}, []string{"Did you mean this?"}},
		{"no likely command", []string{"schedule", "xyzzy"}, exitUsage, []string{"its commands are: install, remove, run, status"}, nil},
		{"group alone is help", []string{"report"}, exitOK, nil, nil},
		{"group help", []string{"schedule", "--help"}, exitOK, nil, nil},
		{"help command", []string{"help", "scan"}, exitOK, nil, nil},
	})
}

// Item 19 (and 30: --format and --only in any case).
func TestOutputExtensionChoosesAFormatOrIsRefused(t *testing.T) {
	dir := tempDir(t)
	runCases(t, []cliCase{
		{"pdf", []string{"scan", "--from", patchedProfile, "-o", filepath.Join(dir, "report.pdf")}, exitUsage, []string{"no report format is written as .pdf", "--format (text, json, xlsx, html, csv, ocsf)"}, nil},
		{"docx", []string{"scan", "--from", patchedProfile, "-o", filepath.Join(dir, "report.docx")}, exitUsage, []string{"no report format is written as .docx"}, nil},
		{"docx with format", []string{"scan", "--from", patchedProfile, "-f", "text", "-o", filepath.Join(dir, "report.docx")}, exitOK, nil, nil},
		{"txt", []string{"scan", "--from", patchedProfile, "-o", filepath.Join(dir, "report.txt")}, exitOK, nil, nil},
		{"no extension", []string{"scan", "--from", patchedProfile, "-o", filepath.Join(dir, "report")}, exitOK, nil, nil},
		{"format in capitals", []string{"scan", "--from", patchedProfile, "--format", "XLSX", "-o", filepath.Join(dir, "r.xlsx")}, exitOK, nil, nil},
		{"check ID in capitals", []string{"scan", "--from", patchedProfile, "--only", "FIREWALL-ON", "-o", filepath.Join(dir, "fw.json")}, exitOK, nil, nil},
	})
	if _, err := os.Stat(filepath.Join(dir, "report.pdf")); err == nil {
		t.Error("report.pdf was written")
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "report.txt")); !strings.Contains(string(b), "NHS data security standards") {
		t.Errorf(".txt is not the terminal text: %.100q", b)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "fw.json")); strings.Contains(string(b), `"id": "os-supported"`) || !strings.Contains(string(b), `"id": "firewall-on"`) {
		t.Errorf("--only FIREWALL-ON did not run firewall-on alone: %.300s", b)
	}
}

// Item 21: the output is checked before the scan (the missing snapshot is
// never reached), and no temporary name is shown.
func TestOutputPathIsCheckedFirst(t *testing.T) {
	dir := tempDir(t)
	folder := filepath.Join(dir, "adir.xlsx")
	os.Mkdir(folder, 0o755)
	missing := filepath.Join(dir, "nosuchdir")
	runCases(t, []cliCase{
		{"missing folder", []string{"scan", "--from", "no-such-snapshot.json", "-o", filepath.Join(missing, "pc1.xlsx")}, exitError, []string{"folder " + missing + " does not exist"}, []string{".tmp-", "snapshot"}},
		{"a folder", []string{"scan", "--from", "no-such-snapshot.json", "-o", folder}, exitError, []string{folder + " is a folder"}, []string{".tmp-", "snapshot"}},
		{"collect", []string{"collect", "--only", "os-supported", "-o", filepath.Join(missing, "snap.json")}, exitError, []string{"does not exist"}, []string{".tmp-"}},
		{"convert", []string{"report", "convert", "no-such-report.json", "-o", filepath.Join(missing, "r.html")}, exitError, []string{"does not exist"}, []string{".tmp-"}},
	})
	if os.Geteuid() == 0 || runtime.GOOS == "windows" {
		return // root writes anywhere; a read-only folder on Windows still takes new files
	}
	locked := filepath.Join(dir, "locked")
	os.Mkdir(locked, 0o555)
	runCases(t, []cliCase{{"no permission", []string{"scan", "--from", patchedProfile, "-o", filepath.Join(locked, "r.json")}, exitError, []string{"no permission to write in " + locked}, []string{".tmp-"}}})
}

// Item 22.
func TestScheduleInstallSaysUNCIsForWindows(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("UNC shares are what Windows takes")
	}
	runCases(t, []cliCase{
		{"UNC", []string{"schedule", "install", "--daily", "02:00", "--results-dir", `\\server\share\dspt`, "--print"}, exitUsage, []string{`--results-dir \\server\share\dspt is a Windows path`, "mount the share"}, []string{`\\\\`}},
		{"drive letter", []string{"schedule", "install", "--daily", "02:00", "--results-dir", `C:\dspt`, "--print"}, exitUsage, []string{"is a Windows path"}, nil},
		{"relative", []string{"schedule", "install", "--daily", "02:00", "--results-dir", "results", "--print"}, exitUsage, []string{"must be an absolute path, such as /srv/dspt"}, []string{"UNC"}},
	})
}

// Item 23.
func TestNowIsRefusedBeforeTheSnapshotAndNamedAsGiven(t *testing.T) {
	runCases(t, []cliCase{
		{"before collection", []string{"scan", "--from", patchedProfile, "--now", "1999-01-01"}, exitUsage, []string{"--now 1999-01-01T00:00:00Z is before the snapshot was collected (2026-09-20T08:15:00Z)"}, []string{"pass"}},
		{"bad form", []string{"scan", "--from", patchedProfile, "--now", "27/11/2026"}, exitUsage, []string{`--now "27/11/2026" is not a date: give YYYY-MM-DD`}, []string{"2006-01-02"}},
		{"at collection", []string{"scan", "--from", patchedProfile, "--now", "2026-09-20T08:15:00Z"}, exitOK, nil, nil},
		{"schedule run", []string{"schedule", "run", "--from", patchedProfile, "--now", "1999-01-01", "--results-dir", tempDir(t), "--state-dir", tempDir(t)}, exitUsage, []string{"before the snapshot was collected"}, nil},
	})
	for _, env := range []string{"bad", "1999-01-01"} {
		s, _, errOut := testStreams()
		s.Getenv = func(k string) string {
			if k == "DSPT_AUDIT_NOW" {
				return env
			}
			return ""
		}
		code := run([]string{"scan", "--from", patchedProfile}, s)
		if code != exitUsage || !strings.HasPrefix(errOut.String(), "dspt-audit: DSPT_AUDIT_NOW ") || strings.Contains(errOut.String(), "--now") {
			t.Errorf("DSPT_AUDIT_NOW=%s: exit %d, %q", env, code, errOut)
		}
	}
	badDate := filepath.Join(tempDir(t), "data.json")
	os.WriteFile(badDate, []byte(`{"kind":"windows-updates","as_of":"tomorrow"}`), 0o644)
	runCases(t, []cliCase{{"data file date", []string{"scan", "--from", patchedProfile, "--data", badDate}, exitUsage, []string{"YYYY-MM-DD"}, []string{"2006-01-02"}}})
	for _, cmd := range []string{"scan", "fleet", "data"} {
		_, out, _ := runArgs(t, cmd, "--help")
		if strings.Contains(out, "2006-01-02") {
			t.Errorf("%s --help quotes Go's reference date", cmd)
		}
	}
}

// Item 24.
func TestFleetOfAnEmptyFolderSaysSo(t *testing.T) {
	empty, nested := tempDir(t), tempDir(t)
	site := filepath.Join(nested, "site-a")
	os.Mkdir(site, 0o755)
	good, _ := os.ReadFile(profiles + "win10-1607-wannacry-era.json")
	os.WriteFile(filepath.Join(site, "pc1.json"), good, 0o644)
	trust := filepath.Join(tempDir(t), "trust.json")
	runCases(t, []cliCase{
		{"empty", []string{"fleet", empty, "--trust", trust}, exitError, []string{"no results found in " + empty}, []string{"practice roll-up", "--recursive"}},
		{"only in subfolders", []string{"fleet", nested, "--trust", trust}, exitError, []string{"no results found in " + nested, site + " holds some: add --recursive"}, []string{"practice roll-up"}},
	})
}

// Item 25.
func TestScheduleRunRefusesRelativeAndMissingResultsFolders(t *testing.T) {
	state := tempDir(t)
	missing := filepath.Join(tempDir(t), "mistyped-share")
	runCases(t, []cliCase{
		{"relative", []string{"schedule", "run", "--from", patchedProfile, "--results-dir", "results", "--state-dir", state}, exitUsage, []string{"must be an absolute path"}, nil},
		{"missing", []string{"schedule", "run", "--from", patchedProfile, "--results-dir", missing, "--state-dir", state}, exitError, []string{"the results folder " + missing + " does not exist", "the result is kept in " + state}, nil},
	})
	if _, err := os.Stat(missing); err == nil {
		t.Error("the missing results folder was created")
	}
	if _, err := os.Stat(filepath.Join(state, "GP-RECEPTION-01.json")); err != nil {
		t.Errorf("no local copy: %v", err)
	}
	if _, err := os.Stat(filepath.Join("results")); err == nil {
		os.RemoveAll("results")
		t.Error("a relative results folder was written")
	}
}

// Item 20: a wrong kind of file is named, the same way by scan --from,
// report convert and fleet, never with the decoder's words.
func TestWrongKindOfFileIsNamed(t *testing.T) {
	dir := tempDir(t)
	result := filepath.Join(dir, "pc1.json")
	if code, _, errOut := runArgs(t, "scan", "--from", patchedProfile, "-o", result); code != exitOK {
		t.Fatal(errOut)
	}
	workbook := filepath.Join(dir, "pc1.xlsx")
	if code, _, errOut := runArgs(t, "report", "convert", result, "-o", workbook); code != exitOK {
		t.Fatal(errOut)
	}
	ocsf := filepath.Join(dir, "pc1.ndjson")
	if code, _, errOut := runArgs(t, "report", "convert", result, "-o", ocsf); code != exitOK {
		t.Fatal(errOut)
	}
	rollup := filepath.Join(dir, "practice.json")
	if code, _, errOut := runArgs(t, "fleet", signedResults(t), "--trust", filepath.Join(tempDir(t), "trust.json"), "--trust-new", "-o", rollup); code != exitOK {
		t.Fatal(errOut)
	}
	catalogue := filepath.Join(dir, "checks.json")
	_, list, _ := runArgs(t, "checks", "--format", "json")
	os.WriteFile(catalogue, []byte(list), 0o644)
	word := filepath.Join(dir, "policy.docx")
	os.WriteFile(word, wordDocument(t), 0o644)
	pdf := filepath.Join(dir, "report.pdf")
	os.WriteFile(pdf, []byte("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"), 0o644)

	internals := []string{"Go struct", "Go value", "unknown field", "invalid character", "cannot unmarshal", "at byte"}
	runCases(t, []cliCase{
		{"report to scan", []string{"scan", "--from", result}, exitUsage, []string{result + " is a scan result", "not a snapshot from 'dspt-audit collect'", "dspt-audit report convert " + result}, internals},
		{"roll-up to scan", []string{"scan", "--from", rollup}, exitUsage, []string{rollup + " is a roll-up from 'dspt-audit fleet', not a snapshot"}, internals},
		{"catalogue to scan", []string{"scan", "--from", catalogue}, exitUsage, []string{"is another program's JSON file, not a snapshot"}, internals},
		{"Word to scan", []string{"scan", "--from", word}, exitUsage, []string{word + " is a Word document, not a snapshot"}, internals},
		{"PDF to scan", []string{"scan", "--from", pdf}, exitUsage, []string{"is a PDF document, not a snapshot"}, internals},
		{"workbook to convert", []string{"report", "convert", workbook}, exitUsage, []string{"is an Excel workbook, not a scan result", "give the JSON one"}, internals},
		{"OCSF to convert", []string{"report", "convert", ocsf}, exitUsage, []string{"is OCSF events"}, internals},
		{"roll-up to convert", []string{"report", "convert", rollup}, exitUsage, []string{rollup + " is a roll-up from 'dspt-audit fleet', not a scan result"}, append(internals, "snapshot")},
		{"snapshot to convert", []string{"report", "convert", patchedProfile}, exitUsage, []string{"is a snapshot from 'dspt-audit collect', not a scan result", "dspt-audit scan --from " + patchedProfile}, internals},
	})
	// fleet names them with the same words.
	mixed := tempDir(t)
	for _, f := range []string{word, pdf, workbook} {
		b, _ := os.ReadFile(f)
		os.WriteFile(filepath.Join(mixed, filepath.Base(f)+".json"), b, 0o644)
	}
	_, out, errOut := runArgs(t, "fleet", mixed, "--trust", filepath.Join(tempDir(t), "trust.json"))
	for _, want := range []string{"a Word document, not a scan result", "a PDF document, not a scan result", "an Excel workbook, not a scan result"} {
		if !strings.Contains(out, want) {
			t.Errorf("fleet does not say %q:\n%s%s", want, out, errOut)
		}
	}
}

// wordDocument is the smallest .docx Word opens: its parts zipped.
func wordDocument(t *testing.T) []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for name, body := range map[string]string{
		"[Content_Types].xml": `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`,
		"word/document.xml":   `<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>IT policy</w:t></w:r></w:p></w:body></w:document>`,
	} {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(body))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// Item 29: a counts line near the top, --summary, and where -o wrote.
func TestTerminalCountsSummaryAndWhereItWrote(t *testing.T) {
	wannacry := profiles + "win10-1607-wannacry-era.json"
	_, out, _ := runArgs(t, "scan", "--from", wannacry)
	head := strings.Join(strings.SplitN(out, "\n", 8)[:7], "\n")
	counts := regexp.MustCompile(`Checks:   (\d+) pass, (\d+) warn, (\d+) fail, (\d+) unknown, (\d+) needs admin, (\d+) n/a \((\d+) in all\)`).FindStringSubmatch(head)
	if counts == nil {
		t.Fatalf("no counts line near the top:\n%s", head)
	}
	sum := 0
	for _, n := range counts[1:7] {
		v, _ := strconv.Atoi(n)
		sum += v
	}
	if total, _ := strconv.Atoi(counts[7]); sum != total || counts[3] == "0" {
		t.Errorf("counts line %q does not add up, or shows no failures on the 1607 PC", counts[0])
	}
	_, summary, _ := runArgs(t, "scan", "--from", wannacry, "--summary")
	for _, want := range []string{"Checks:   2 pass", "NDG data security standards", " 8 Unsupported systems", ": not assessed"} {
		if !strings.Contains(summary, want) {
			t.Errorf("--summary lacks %q:\n%s", want, summary)
		}
	}
	for _, absent := range []string{"Fix:", "seen:", "smb1-disabled", "Scoring:"} {
		if strings.Contains(summary, absent) {
			t.Errorf("--summary has %q:\n%s", absent, summary)
		}
	}
	if lines := strings.Count(summary, "\n"); lines > 50 || lines*4 > strings.Count(out, "\n") {
		t.Errorf("--summary is %d lines, the full view %d", lines, strings.Count(out, "\n"))
	}
	runCases(t, []cliCase{{"summary of json", []string{"scan", "--from", wannacry, "--summary", "-f", "json"}, exitUsage, []string{"--summary shapes the text view"}, nil}})

	dir := tempDir(t)
	for _, args := range [][]string{
		{"scan", "--from", wannacry, "-o", filepath.Join(dir, "pc1.json")},
		{"report", "convert", filepath.Join(dir, "pc1.json"), "-o", filepath.Join(dir, "pc1.html")},
	} {
		s, _, errOut := testStreams()
		s.ErrTTY = true
		if code := run(args, s); code != exitOK {
			t.Fatalf("%v: exit %d: %s", args, code, errOut)
		}
		want := "Wrote the report of GP-OLD-SCANNER (Standards Not Met) to " + args[len(args)-1] + ".\n"
		if errOut.String() != want {
			t.Errorf("%v on a terminal: stderr %q, want %q", args, errOut, want)
		}
	}
	if _, _, errOut := runArgs(t, "scan", "--from", wannacry, "-o", filepath.Join(dir, "quiet.json")); errOut != "" {
		t.Errorf("a script is told where it wrote: %q", errOut)
	}
}

// Item 30: plurals, and statuses in words in the human views.
func TestHumanViewsSayStatusesInWords(t *testing.T) {
	_, text, _ := runArgs(t, "scan", "--from", profiles+"debian-12-nftables.json")
	_, html, _ := runArgs(t, "scan", "--from", profiles+"debian-12-nftables.json", "-f", "html")
	_, wannacry, _ := runArgs(t, "scan", "--from", profiles+"win10-1607-wannacry-era.json")
	_, jsonOut, _ := runArgs(t, "scan", "--from", profiles+"debian-12-nftables.json", "-f", "json")
	for _, c := range []struct{ name, out, want, not string }{
		{"terminal n/a", text, "  N/A ", "NOT_APPLICABLE"},
		{"html n/a", html, `badge not_applicable">N/A</span>`, "NOT_APPLICABLE"},
		{"html no raw status names", html, "N/A</span>", ": not_applicable</span>"},
		{"html one observation", html, "Evidence (1 observation)", "(1 observations)"},
		{"terminal one more value", wannacry, "seen: 1 more value not present", "1 more values"},
		{"JSON unchanged", jsonOut, `"status": "not_applicable"`, `"status": "n/a"`},
	} {
		if !strings.Contains(c.out, c.want) || strings.Contains(c.out, c.not) {
			t.Errorf("%s: want %q and no %q", c.name, c.want, c.not)
		}
	}
	book := filepath.Join(tempDir(t), "debian.xlsx")
	if code, _, errOut := runArgs(t, "scan", "--from", profiles+"debian-12-nftables.json", "-o", book); code != exitOK {
		t.Fatal(errOut)
	}
	f, err := excelize.OpenFile(book)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sawNA := false
	for _, sheet := range f.GetSheetList() {
		rows, _ := f.GetRows(sheet)
		for _, row := range rows {
			for _, cell := range row {
				if strings.Contains(cell, "not_applicable") || cell == "needs_admin" {
					t.Errorf("workbook sheet %s shows %q", sheet, cell)
				}
				sawNA = sawNA || cell == "n/a"
			}
		}
	}
	if !sawNA {
		t.Error("the workbook shows no n/a status")
	}
}

// Item 28: what the README says 'checks' prints, it prints: with --long,
// every DSPT item, CAF outcome, per-platform fix and probe of every check.
func TestChecksLongPrintsWhatTheREADMESays(t *testing.T) {
	_, long, _ := runArgs(t, "checks", "--long")
	_, list, _ := runArgs(t, "checks", "--format", "json")
	var entries []catalogueEntry
	if err := json.Unmarshal([]byte(list), &entries); err != nil || len(entries) < 20 {
		t.Fatalf("%v: %d entries", err, len(entries))
	}
	blocks := strings.Split(long, "\n\n")
	if len(blocks) != len(entries) {
		t.Fatalf("%d blocks for %d checks", len(blocks), len(entries))
	}
	for i, e := range entries {
		block := blocks[i]
		want := append([]string{e.ID, e.Title}, e.Reads...)
		want = append(want, e.Mappings.DSPT...)
		want = append(want, e.Mappings.CAF...)
		for _, p := range e.Platforms {
			want = append(want, "Fix on "+p+": "+e.Remediations[p])
		}
		for _, w := range want {
			if !strings.Contains(block, w) {
				t.Errorf("checks --long, %s: lacks %q", e.ID, w)
			}
		}
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), "`dspt-audit checks --long` prints each check's mappings") {
		t.Error("the README does not say which command prints the mappings")
	}
}

// Item 27: nothing a user reads points into the developers' shared/
// folder, which no user has: the data, the README, every help page, and
// every view of a report.
func TestNoUserVisibleTextCitesTheSharedFolder(t *testing.T) {
	texts := map[string]string{}
	files, _ := filepath.Glob("../../standards/data/*.json")
	files = append(files, "../../README.md")
	templates, _ := filepath.Glob("../../report/*.tmpl")
	fleetTemplates, _ := filepath.Glob("../../report/fleet/*.tmpl")
	files = append(append(files, templates...), fleetTemplates...)
	if len(files) < 8 {
		t.Fatalf("only %d files", len(files))
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		texts[f] = string(b)
	}
	var walk func(prefix []string, cmd *cobra.Command)
	walk = func(prefix []string, cmd *cobra.Command) {
		args := append(append([]string{}, prefix...), "--help")
		_, out, _ := runArgs(t, args...)
		texts[strings.Join(args, " ")] = out
		for _, sub := range cmd.Commands() {
			walk(append(append([]string{}, prefix...), sub.Name()), sub)
		}
	}
	s, _, _ := testStreams()
	walk(nil, newRootCommand(s))
	for _, args := range [][]string{
		{"standards"}, {"standards", "-f", "json"}, {"checks", "--long"}, {"checks", "-f", "json"},
		{"scan", "--from", profiles + "win10-1607-wannacry-era.json"},
		{"scan", "--from", profiles + "win10-1607-wannacry-era.json", "-f", "json"},
		{"scan", "--from", profiles + "win10-1607-wannacry-era.json", "-f", "html"},
		{"scan", "--from", profiles + "debian-12-container-neglected.json", "-f", "csv"},
		{"scan", "--from", profiles + "debian-12-container-neglected.json"},
	} {
		_, out, errOut := runArgs(t, args...)
		texts[strings.Join(args, " ")] = out + errOut
	}
	for name, text := range texts {
		if i := strings.Index(text, "shared/"); i >= 0 {
			t.Errorf("%s cites %q", name, text[max(0, i-60):min(len(text), i+40)])
		}
	}
	if !strings.Contains(texts["standards"], "https://www.gov.uk/government/publications/review-of-data-security-consent-and-opt-outs") {
		t.Error("standards does not cite the National Data Guardian's review")
	}
}
