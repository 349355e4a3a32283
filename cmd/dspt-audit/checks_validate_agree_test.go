package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nhs-dspt/dspt-audit/checks"
)

// TestValidateRefusesWhatScanRefuses: a 900 KB title is refused by
// checks validate with its line, as the scan refuses it, not passed.
func TestValidateRefusesWhatScanRefuses(t *testing.T) {
	dir := tempDir(t)
	body := `dspt_audit_checks: 1
checks:
  - id: custom-ok
    title: ` + strings.Repeat("x", 900_000) + `
    severity: low
    platforms: [linux]
    mappings: {ndg: [9], dspt_items: ["8.4.3"]}
    remediation: {linux: "fix"}
    about: the thing
    reads:
      - name: f
        file: {path: /etc/f}
    verdicts:
      - when: {read: f, exists: true}
        status: pass
        summary: "ok"
    otherwise: {status: fail, summary: "no"}
`
	path := filepath.Join(dir, "long.yaml")
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	err := runChecksValidate(&out, []string{path}, checks.All())
	var problems checksProblemsError
	if !errors.As(err, &problems) || problems.problems != 1 {
		t.Fatalf("validate: %v\n%s", err, out.String())
	}
	if want := path + ":4: title is 900000 bytes long; at most 2048"; !strings.Contains(out.String(), want) {
		t.Errorf("output lacks %q:\n%s", want, out.String())
	}
}
