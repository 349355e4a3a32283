package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nhs-dspt/dspt-audit/standards"
	"github.com/nhs-dspt/dspt-audit/standards/practice"
)

const goodPractice = "../../standards/practice/testdata/good.yaml"

func TestPracticeInit(t *testing.T) {
	file := filepath.Join(tempDir(t), "practice.yaml")
	code, out, errOut := runArgs(t, "practice", "init", "-o", file)
	if code != exitOK || !strings.Contains(out, "items to answer") {
		t.Fatalf("init: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	b, _ := os.ReadFile(file)
	data, _ := standards.Load()
	p, err := practice.Parse(b, practice.Options{Items: &data.DSPT, Checks: checkIDs()})
	if err != nil || len(p.Attestations) == 0 || len(practice.ToAnswer(p, p.Attestations[0].Reviewed.Time)) != len(p.Attestations) {
		t.Fatalf("the template does not parse as a blank practice: %v", err)
	}
	os.WriteFile(file, []byte("name: Mine\n"), 0o644)
	if code, _, errOut := runArgs(t, "practice", "init", "-o", file); code != exitUsage || !strings.Contains(errOut, "already exists") {
		t.Errorf("init over a file: exit %d, %q", code, errOut)
	}
	if b, _ := os.ReadFile(file); string(b) != "name: Mine\n" {
		t.Errorf("init without --force changed the file")
	}
	if code, _, errOut := runArgs(t, "practice", "init", "-o", file, "--force"); code != exitOK {
		t.Errorf("init --force: exit %d, %q", code, errOut)
	}
	if code, out, _ := runArgs(t, "practice", "check", file); code != exitOK || !strings.Contains(out, "Items answered and in date: 0 of ") {
		t.Errorf("check of a fresh template: exit %d, %q", code, out)
	}
}

func TestPracticeCheck(t *testing.T) {
	code, out, errOut := runArgs(t, "practice", "check", goodPractice, "--now", "2026-06-01")
	if code != exitOK {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	for _, want := range []string{
		"Riverside Surgery (A81001)",
		"Items answered and in date: 2 of 3 (mandatory: 2 of 3)",
		"os-supported on SPIRO-01: until 2027-03-31 (303 days left), approved by Dr A Partner",
		"disk-encrypted on RECEPTION-*, PM-LAPTOP: until 2026-10-31 (152 days left)",
		"Host notes: 1; other assets: 2",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	// On 2026-11-27 the training answer is past its review and one risk has expired.
	code, _, errOut = runArgs(t, "practice", "check", goodPractice, "--now", "2026-11-27")
	want := "dspt-audit: " + goodPractice + ": practice file line 37: accepted risk for disk-encrypted expired on 2026-10-31; renew it or remove it\n"
	if code != exitUsage || errOut != want {
		t.Errorf("expired risk: exit %d, stderr %q, want %q", code, errOut, want)
	}
	dir := tempDir(t)
	for name, body := range map[string]string{
		"tab.yaml":   "name: x\n\titems: []\n",
		"empty.yaml": "",
	} {
		file := filepath.Join(dir, name)
		os.WriteFile(file, []byte(body), 0o644)
		code, _, errOut := runArgs(t, "practice", "check", file)
		if code != exitUsage || !strings.Contains(errOut, "practice file line ") || strings.Count(errOut, "\n") != 1 {
			t.Errorf("%s: exit %d, stderr %q", name, code, errOut)
		}
	}
	if code, _, errOut := runArgs(t, "practice", "check", filepath.Join(dir, "none.yaml")); code != exitUsage || !strings.Contains(errOut, "does not exist ('dspt-audit practice init") {
		t.Errorf("missing: exit %d, stderr %q", code, errOut)
	}
	big := filepath.Join(dir, "big.yaml")
	os.WriteFile(big, make([]byte, practice.MaxSize+1), 0o644)
	if code, _, errOut := runArgs(t, "practice", "check", big); code != exitUsage || !strings.Contains(errOut, "larger than 1 MiB") {
		t.Errorf("big: exit %d, stderr %q", code, errOut)
	}
}

// TestScanWithPractice: a missing or broken practice file never stops a scan.
func TestScanWithPractice(t *testing.T) {
	dir := tempDir(t)
	broken := filepath.Join(dir, "broken.yaml")
	os.WriteFile(broken, []byte("name: x\nbogus: 1\n"), 0o644)
	for _, file := range []string{goodPractice, broken, filepath.Join(dir, "missing.yaml")} {
		code, out, errOut := runArgs(t, "scan", "--from", profiles+"win10-1607-wannacry-era.json", "--format", "json", "--practice", file)
		var rep struct{ Outcome string }
		if code != exitOK || json.Unmarshal([]byte(out), &rep) != nil || rep.Outcome == "" {
			t.Errorf("scan --practice %s: exit %d, stderr %q", file, code, errOut)
		}
	}
}

func TestFleetAndScheduleRunWithPractice(t *testing.T) {
	results, state := tempDir(t), tempDir(t)
	broken := filepath.Join(state, "broken.yaml")
	os.WriteFile(broken, []byte("name: x\naccepted_risks:\n  - check: no-such-check\n"), 0o644)
	code, _, errOut := runArgs(t, "schedule", "run", "--from", profiles+"win11-enterprise-24h2-patched.json", "--results-dir", results,
		"--state-dir", filepath.Join(state, "pc"), "--keep", "0", "--practice", broken)
	if code == exitError || code == exitUsage {
		t.Fatalf("schedule run with a broken practice file: exit %d, %s", code, errOut)
	}
	trust := filepath.Join(state, "trust.json")
	code, out, errOut := runArgs(t, "fleet", results, "--trust", trust, "--trust-new", "--practice", broken)
	if code != exitOK || !strings.Contains(out, "Hosts:") {
		t.Errorf("fleet with a broken practice file: exit %d, stdout %q", code, out)
	}
	want := "dspt-audit: warning: the practice file is not used: " + broken + ": practice file line 3: accepted risk names check \"no-such-check\", which does not exist"
	if !strings.Contains(errOut, want) {
		t.Errorf("stderr %q, want %q", errOut, want)
	}
	if code, _, errOut := runArgs(t, "fleet", results, "--trust", trust, "--practice", goodPractice); code != exitOK || errOut != "" {
		t.Errorf("fleet with a good practice file: exit %d, stderr %q", code, errOut)
	}
}

func TestPracticeAnswerNeedsATerminal(t *testing.T) {
	code, _, errOut := runArgs(t, "practice", "answer", goodPractice)
	if code != exitUsage || !strings.Contains(errOut, "needs a terminal") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
}

// TestScheduleInstallPractice: the practice file's path is stored in the
// task like --data-dir, must be absolute, and is warned of inside the
// results folder every PC writes.
func TestScheduleInstallPractice(t *testing.T) {
	results := tempDir(t)
	admin := filepath.Join(tempDir(t), "practice.yaml")
	code, out, errOut := runArgs(t, "schedule", "install", "--daily", "02:00", "--results-dir", results, "--practice", admin, "--print")
	if code != exitOK || !strings.Contains(out, "--practice") || !strings.Contains(out, "practice.yaml") || strings.Contains(errOut, "practice file") {
		t.Errorf("absolute practice file: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	code, _, errOut = runArgs(t, "schedule", "install", "--daily", "02:00", "--results-dir", results, "--practice", "practice.yaml", "--print")
	if code != exitUsage || !strings.Contains(errOut, "--practice practice.yaml must be an absolute path") {
		t.Errorf("relative practice file: exit %d, stderr %q", code, errOut)
	}
	inside := filepath.Join(results, "practice.yaml")
	code, _, errOut = runArgs(t, "schedule", "install", "--daily", "02:00", "--results-dir", results, "--practice", inside, "--print")
	if code != exitOK || !strings.Contains(errOut, "inside the results folder, which every PC can write") {
		t.Errorf("practice file in the results folder: exit %d, stderr %q", code, errOut)
	}
}

// A result judged with a fresh template (nothing answered, no dates) reads
// back: report convert and the roll-up must take what scan wrote. Results
// of earlier builds wrote the missing dates as "" and read back too.
func TestResultWithBlankPracticeReadsBack(t *testing.T) {
	dir := tempDir(t)
	file, result := filepath.Join(dir, "practice.yaml"), filepath.Join(dir, "PC.json")
	if code, _, errOut := runArgs(t, "practice", "init", "-o", file); code != exitOK {
		t.Fatalf("init: %q", errOut)
	}
	if code, _, errOut := runArgs(t, "scan", "--from", profiles+"win11-enterprise-24h2-patched.json", "--practice", file, "-o", result); code != exitOK {
		t.Fatalf("scan: %q", errOut)
	}
	b, _ := os.ReadFile(result)
	if !strings.Contains(string(b), `"attestations"`) {
		t.Fatal("the result records no attestations: nothing was tested")
	}
	older := filepath.Join(dir, "older.json")
	os.WriteFile(older, []byte(strings.ReplaceAll(string(b), `"standard":`, `"reviewed": "", "next_review": "", "standard":`)), 0o644)
	for _, in := range []string{result, older} {
		if code, _, errOut := runArgs(t, "report", "convert", in, "-o", filepath.Join(dir, "out.html")); code != exitOK {
			t.Errorf("report convert %s: exit %d, %q", filepath.Base(in), code, errOut)
		}
	}
}
