package schedule

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// schemaPlans are plans covering every optional part of the definition:
// delay or none, data folder, data update, markup in paths, and a program
// path exactly at the schema's Command limit.
func schemaPlans() map[string]Plan {
	plans := map[string]Plan{"default": windowsPlan}
	p := windowsPlan
	p.RandomDelay, p.Hour, p.Minute, p.Keep = 0, 23, 45, 0
	plans["no delay, keep none"] = p
	p = windowsPlan
	p.DataDir, p.UpdateData, p.RandomDelay = `\\server\it only\dspt data`, true, 90*time.Minute+5*time.Second
	plans["data folder, update"] = p
	p = windowsPlan
	p.ResultsDir = `\\server\share\<dspt> & "co" é`
	plans["markup"] = p
	p = windowsPlan
	p.ChecksDirs = []string{`\\server\it only\dspt checks`, `C:\ProgramData\dspt-audit\our checks\`}
	plans["checks folders"] = p
	p = windowsPlan
	p.Exe = longExe(MaxCommand - 2)
	plans["command at the limit"] = p
	return plans
}

// longExe is an absolute program path of n characters.
func longExe(n int) string {
	const dir, name = `C:\Tools\`, `\dspt-audit.exe`
	return dir + strings.Repeat("é", n-len(dir)-len(name)) + name
}

func TestTaskXMLValidatesAgainstTheSchema(t *testing.T) {
	xmllint, err := exec.LookPath("xmllint")
	if err != nil {
		const why = "xmllint is not installed (Debian package libxml2-utils), so the task definitions were not validated against Microsoft's schema"
		if os.Getenv("DSPT_AUDIT_REQUIRE_XMLLINT") != "" {
			t.Fatal(why)
		}
		t.Skip(why)
	}
	dir := tempDir(t)
	schema, err := filepath.Abs(filepath.Join("testdata", "task.xsd"))
	if err != nil {
		t.Fatal(err)
	}
	for name, p := range schemaPlans() {
		def, err := TaskXML(p, time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		// The bytes schtasks is given: UTF-16 with a byte-order mark.
		file := filepath.Join(dir, strings.ReplaceAll(name, " ", "-")+".xml")
		if err := os.WriteFile(file, UTF16(def), 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(xmllint, "--noout", "--nonet", "--schema", schema, file).CombinedOutput()
		if err != nil || !strings.Contains(string(out), "validates") {
			t.Errorf("%s: the task definition does not validate against task.xsd: %v\n%s\n%s", name, err, out, def)
		}
	}
}

// The schema's Command is at most 260 characters, and the quotes count: a
// path of 259 characters passes a check on the path alone and fails the schema.
func TestTaskXMLRefusesACommandOverTheSchemaLimit(t *testing.T) {
	p := windowsPlan
	p.Exe = longExe(MaxCommand - 1)
	if _, err := TaskXML(p, time.Now()); err == nil || !strings.Contains(err.Error(), "261 characters with its quotes") {
		t.Errorf("a %d-character path gave %v, want a refusal counting the quotes", MaxCommand-1, err)
	}
	p.Exe = longExe(MaxCommand - 2)
	if _, err := TaskXML(p, time.Now()); err != nil {
		t.Errorf("a %d-character path (260 with quotes) refused: %v", MaxCommand-2, err)
	}
}
