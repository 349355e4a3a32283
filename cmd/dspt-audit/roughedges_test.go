package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
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
	if os.Geteuid() == 0 {
		return // root writes anywhere
	}
	locked := filepath.Join(dir, "locked")
	os.Mkdir(locked, 0o555)
	runCases(t, []cliCase{{"no permission", []string{"scan", "--from", patchedProfile, "-o", filepath.Join(locked, "r.json")}, exitError, []string{"no permission to write in " + locked}, []string{".tmp-"}}})
}
