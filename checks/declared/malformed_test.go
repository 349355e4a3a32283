package declared_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/nhs-dspt/dspt-audit/checks"
	"github.com/nhs-dspt/dspt-audit/checks/checkfile"
	"github.com/nhs-dspt/dspt-audit/checks/declared"
)

// TestMalformedFiles loads each file of testdata/malformed: each is refused
// with exactly one problem, on one line, naming the file and the line.
func TestMalformedFiles(t *testing.T) {
	tests := []struct {
		file string
		want string // LINE: MESSAGE
		id   string // the check refused; empty when the whole file is
	}{
		{"alias", `7: anchors, aliases and merge keys (&, *, <<) are not allowed in a checks file`, ""},
		{"bad-file-path", `12: file path "relative/path" is not an absolute path (/etc/... or C:\...) without wildcards`, "custom-base"},
		{"bad-hive", `12: registry key "HKCU\Software\Base" is not a path under HKLM\ or HKU\ without wildcards`, "custom-base"},
		{"bad-regex", "14: matches: \"(unclosed\" is not a regular expression (RE2): error parsing regexp: missing closing ): `(unclosed`", "custom-base"},
		{"bad-severity", `5: severity "urgent" is not low, medium, high or critical`, "custom-base"},
		{"bad-status", `15: status "passed" is not pass, warn, fail or not_applicable`, "custom-base"},
		{"bad-version-floor", `14: version_at_least "1.x" is not a version of dotted numbers (10.2.1)`, "custom-base"},
		{"bits-on-program", `14: bits: over read policy, whose value is not a number`, "custom-base"},
		{"builtin-id", `3: id autorun-disabled is a built-in check's; a custom check's id starts "custom-"`, "autorun-disabled"},
		{"combinator-and-test", `14: a rule must be exactly one of all:, any:, none: or a test on a read: (it has all and read)`, "custom-base"},
		{"control-character", `4: a control or invisible character U+0007 at column 17`, ""},
		{"duplicate-id", `20: id custom-base is taken by the check on line 3`, "custom-base"},
		{"duplicate-read-name", `13: read "policy" is named twice`, "custom-base"},
		{"empty-any", `14: any: lists no rules`, "custom-base"},
		{"empty-verdicts", `3: check custom-base has no verdicts:`, "custom-base"},
		{"empty", `1: the file holds nothing`, ""},
		{"escaped-control-character", `19: a control or invisible character U+0007 in a text (written as an escape)`, ""},
		{"field-of-another-kind", "16: summary: {policy.source}: source is for policy reads, and policy is a registry read", "custom-base"},
		{"linux-path-on-windows", "11: read policy is a file read, which only linux has, but the check runs on windows (write one check for each platform)", "custom-base"},
		{"merge-key", `7: anchors, aliases and merge keys (&, *, <<) are not allowed in a checks file`, ""},
		{"min-above-max", `14: min 10 is above max 5`, "custom-base"},
		{"missing-prefix", `3: id "usb-blocked" does not start with "custom-", which every custom check's id must`, "usb-blocked"},
		{"ndg-11", `7: mappings: NDG standard 11 does not exist (1-10)`, "custom-base"},
		{"no-format-version", `1: no dspt_audit_checks: 1 line, so this is not a checks file (or not one this version reads)`, ""},
		{"no-otherwise", `3: check custom-base has no otherwise: (the verdict when no case applies)`, "custom-base"},
		{"non-utf8", `4: not UTF-8 text (save the file as UTF-8)`, ""},
		{"program-name-too-long", `12: program name: a regular expression of 1001 characters; at most 1000`, "custom-base"},
		{"remediation-other-platform", `8: remediation for "linux", which is not one of the check's platforms [windows]`, "custom-base"},
		{"rule-unknown-read", `14: rule reads "nope", which is not one of the check's reads`, "custom-base"},
		{"second-document", `21: a second YAML document (---); a checks file is one document`, ""},
		{"tab-indent", `9: a tab character at column 1 (indent with spaces)`, ""},
		{"tag", `4: YAML tags (!!) are not allowed in a checks file`, ""},
		{"template-unknown-read", `16: summary: {polcy} names "polcy", which is not one of the check's reads`, "custom-base"},
		{"two-kinds-in-a-read", `11: read policy must be exactly one of registry, policy, file, service, program or setting (it has 2)`, "custom-base"},
		{"two-tests-in-a-rule", `14: a test on read policy must be exactly one of exists, equals, one_of, min/max, bits, matches, version_at_least (it has exists and equals)`, "custom-base"},
		{"unclosed-template", `16: summary: a { without its } (write {{ for a brace)`, "custom-base"},
		{"unknown-dspt-item", `7: DSPT item 9.9.9 is not an item of the v8 2025-26 toolkit (Category 4)`, "custom-base"},
		{"unknown-key", `6: unknown key "colour"`, "custom-base"},
		{"unknown-read-kind", `12: "wmi" is not a kind of read; a read is one of registry, policy, file, service, program or setting (no WMI, commands or network)`, "custom-base"},
		{"unknown-top-key", `2: unknown key "author"; a checks file has dspt_audit_checks: and checks:`, ""},
		{"windows-read-on-linux", `11: read policy is a registry read, which only windows has, but the check runs on linux (write one check for each platform)`, "custom-base"},
		{"wrong-format-version", `1: dspt_audit_checks: 2 is not a format version this dspt-audit reads (1)`, ""},
		{"title-list", `4: title must be text, not a list`, "custom-base"},
		{"min-negative", `14: min must be a whole number from 0 to 18446744073709551615, not -1`, "custom-base"},
		{"duplicate-top-key", `20: the key checks appears twice (first on line 2)`, ""},
		{"version-as-text", `1: dspt_audit_checks: must be the number 1, not text or a list`, ""},
		{"long-title", `4: title is 2049 bytes long; at most 2048`, "custom-base"},
		{"long-remediation", `8: remediation for windows is 2049 bytes long; at most 2048`, "custom-base"},
		{"zero-width-space", `4: a control or invisible character U+200B at column 16`, ""},
		{"escaped-word-joiner", `19: a control or invisible character U+2060 in a text (written as an escape)`, ""},
		{"unknown-key-quoted-line", `6: unknown key (a key that is not a word of letters, digits and _)`, "custom-base"},
		{"yaml-syntax", `7: ',' or ']' must be specified`, ""},
	}
	files, _ := filepath.Glob("testdata/malformed/*.yaml")
	if len(files) != len(tests) {
		t.Errorf("%d files in testdata/malformed, %d cases", len(files), len(tests))
	}
	builtin := checks.All()
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			path := "testdata/malformed/" + tt.file + ".yaml"
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			pack := declared.LoadFile(path, b, builtin)
			checkProblem(t, pack, path+":"+tt.want, tt.id)
			loaded := 0
			if tt.file == "duplicate-id" {
				loaded = 1 // the first of the two
			}
			if len(pack.Checks) != loaded {
				t.Errorf("%d checks loaded, want %d", len(pack.Checks), loaded)
			}
		})
	}
}

func checkProblem(t *testing.T, pack *declared.Pack, want, id string) {
	t.Helper()
	if len(pack.Problems) != 1 {
		t.Fatalf("%d problems, want 1: %v", len(pack.Problems), pack.Problems)
	}
	p := pack.Problems[0]
	if got := p.Error(); got != want || strings.ContainsAny(got, "\n\r") {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if p.ID != id {
		t.Errorf("problem names check %q, want %q", p.ID, id)
	}
}

func TestOversizedFile(t *testing.T) {
	b, err := os.ReadFile("testdata/pack/ten.yaml")
	if err != nil {
		t.Fatal(err)
	}
	big := append(b, bytes.Repeat([]byte("# padding to make the file too large\n"), checkfile.MaxSize/36)...)
	pack := declared.LoadFile("big.yaml", big, nil)
	lines := bytes.Count(big[:checkfile.MaxSize], []byte("\n")) + 1
	checkProblem(t, pack, "big.yaml:"+itoa(lines)+": the file is larger than 1 MiB, too large for a checks file", "")
}

// TestBadCheckRefusedAlone: a check with a problem is refused, and the
// file's other checks load.
func TestBadCheckRefusedAlone(t *testing.T) {
	b, err := os.ReadFile("testdata/pack/ten.yaml")
	if err != nil {
		t.Fatal(err)
	}
	bad := bytes.Replace(b, []byte("status: warn\n        summary: \"The Print Spooler starts"), []byte("status: amber\n        summary: \"The Print Spooler starts"), 1)
	pack := declared.LoadFile("ten.yaml", bad, checks.All())
	checkProblem(t, pack, `ten.yaml:59: status "amber" is not pass, warn, fail or not_applicable`, "custom-spooler-disabled")
	if len(pack.Checks) != 9 || len(pack.Files) != 1 || len(pack.Files[0].Loaded) != 9 {
		t.Errorf("loaded %d checks (%v), want the other 9", len(pack.Checks), pack.Files)
	}
}

// TestBadFileNeverStopsOthers: in a folder with a good file, a bad one and
// a second file reusing an ID, the good checks load and each problem names
// its file.
func TestBadFileNeverStopsOthers(t *testing.T) {
	dir := tempDir(t)
	good, _ := os.ReadFile("testdata/pack/ten.yaml")
	bad, _ := os.ReadFile("testdata/malformed/alias.yaml")
	dup, _ := os.ReadFile("testdata/pack/unrecorded.yaml")
	dup = bytes.Replace(dup, []byte("id: custom-unrecorded-policy"), []byte("id: custom-llmnr-policy"), 1)
	for name, b := range map[string][]byte{"a-good.yaml": good, "b-bad.yml": bad, "c-dup.yaml": dup, "notes.txt": bad} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	pack := declared.LoadDirs([]string{dir, filepath.Join(dir, "missing")}, checks.All())
	var got []string
	for _, p := range pack.Problems {
		got = append(got, strings.TrimPrefix(p.Error(), dir+string(filepath.Separator)))
	}
	want := []string{
		"b-bad.yml:7: anchors, aliases and merge keys (&, *, <<) are not allowed in a checks file",
		"c-dup.yaml:5: id custom-llmnr-policy is taken by the check at " + filepath.Join(dir, "a-good.yaml") + ":5",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(pack.Checks) != 11 || len(pack.Files) != 3 {
		t.Errorf("loaded %d checks from %d files, want 11 from 3", len(pack.Checks), len(pack.Files))
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
