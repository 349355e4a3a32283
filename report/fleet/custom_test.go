package fleet

import (
	"bytes"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/nhs-dspt/dspt-audit/standards"
)

const usbFile = `\\server\it\checks\reception.yaml`

var (
	usbV1 = strings.Repeat("a1", 32)
	usbV2 = strings.Repeat("b2", 32)
)

// withCustom adds to a result a custom check's verdict, the checks file
// version it came from, and optionally a check of it that did not load.
func withCustom(status, sha string, notLoaded bool) func(map[string]any) {
	return func(doc map[string]any) {
		doc["results"] = append(doc["results"].([]any), map[string]any{
			"id": "custom-usb-blocked", "title": "USB storage is blocked on reception PCs", "status": status, "severity": "high",
			"summary": "USB storage policy as found.", "mappings": map[string]any{"ndg": []int{9}}, "evidence": []any{},
			"remediation": "Apply the reception GPO.", "origin": usbFile,
		})
		custom := map[string]any{"files": []any{map[string]any{"path": usbFile, "sha256": sha, "loaded": []string{"custom-usb-blocked"}}}}
		if notLoaded {
			custom["not_loaded"] = []any{map[string]any{"path": usbFile, "line": 30, "id": "custom-clinical-client", "message": "version_at_least: not a version"}}
		}
		doc["custom_checks"] = custom
	}
}

// customShare is four hosts' results: three ran the custom check, from two
// versions of its file; one did not.
func customShare(t *testing.T) *Rollup {
	dir := tempDir(t)
	at := genNow.Add(-24 * time.Hour)
	writeHost(t, filepath.Join(dir, "PC-1.json"), "PC-1", at, withCustom("fail", usbV1, false))
	writeHost(t, filepath.Join(dir, "PC-2.json"), "PC-2", at, withCustom("pass", usbV1, false))
	writeHost(t, filepath.Join(dir, "PC-3.json"), "PC-3", at, withCustom("pass", usbV2, true))
	writeHost(t, filepath.Join(dir, "PC-4.json"), "PC-4", at, nil)
	return rollUp(t, []string{dir}, false)
}

func TestRollupTalliesCustomChecksAndTheirFiles(t *testing.T) {
	roll := customShare(t)
	c := roll.Custom
	if c == nil || c.Hosts != 3 || c.NotLoaded != 1 || !slices.Equal(c.NotLoadedHosts, []string{"PC-3"}) {
		t.Fatalf("custom roll-up %+v", c)
	}
	if want := []CustomCheckUse{{ID: "custom-usb-blocked", Title: "USB storage is blocked on reception PCs", Hosts: 3, Fail: 1}}; !slices.Equal(c.Checks, want) {
		t.Errorf("checks %+v, want %+v", c.Checks, want)
	}
	if len(c.Files) != 2 || c.Files[0].SHA256 != usbV1 || c.Files[0].Hosts != 2 || !slices.Equal(c.Files[0].Named, []string{"PC-1", "PC-2"}) ||
		c.Files[1].SHA256 != usbV2 || !slices.Equal(c.Files[1].Named, []string{"PC-3"}) || !slices.Equal(c.Files[1].Loaded, []string{"custom-usb-blocked"}) {
		t.Errorf("files %+v", c.Files)
	}
	if len(c.Differs) != 1 || c.Differs[0].Path != usbFile || len(c.Differs[0].Versions) != 2 {
		t.Errorf("differs %+v", c.Differs)
	}
	// The custom check is tallied and counts in the hosts' figures as a
	// built-in check does.
	i := slices.IndexFunc(roll.Checks, func(c *CheckTally) bool { return c.ID == "custom-usb-blocked" })
	if i < 0 || roll.Checks[i].Count(standards.Fail) != 1 || roll.Checks[i].Hosts() != 3 || !slices.Contains(roll.Checks[i].ndg, 9) {
		t.Fatalf("the custom check's tally: %d", i)
	}
	failing := map[string]int{}
	for _, h := range roll.Hosts {
		failing[h.Name] = h.Failing
	}
	if failing["PC-1"] != failing["PC-4"]+1 || failing["PC-2"] != failing["PC-4"] {
		t.Errorf("failing per host %v: PC-1's custom failure is not counted", failing)
	}
}

func TestRollupWithoutCustomChecksSaysNothingOfThem(t *testing.T) {
	dir := tempDir(t)
	writeHost(t, filepath.Join(dir, "PC-4.json"), "PC-4", genNow.Add(-time.Hour), nil)
	roll := rollUp(t, []string{dir}, false)
	if roll.Custom != nil || roll.customFacts() != nil {
		t.Errorf("custom roll-up %+v", roll.Custom)
	}
	for _, format := range []string{"json", "html"} {
		if out := write(t, format, roll); bytes.Contains(out, []byte("custom")) {
			t.Errorf("%s mentions custom checks", format)
		}
	}
}

func TestEveryRollupViewSaysWhichCustomChecksRan(t *testing.T) {
	roll := customShare(t)
	want := []string{
		"1 custom check ran on 3 of 4 hosts",
		"custom-usb-blocked (3 hosts, 1 failing)",
		"(SHA-256 a1a1a1a1a1a1; custom-usb-blocked) on 2 hosts: PC-1, PC-2",
		"is not the same file on every host: SHA-256 a1a1a1a1a1a1 on 2 hosts: PC-1, PC-2; SHA-256 b2b2b2b2b2b2 on 1 host: PC-3",
		"did not load on 1 host: PC-3",
	}
	var terminal bytes.Buffer
	if err := Terminal(&terminal, roll, TerminalOptions{}); err != nil {
		t.Fatal(err)
	}
	views := map[string]string{
		"text": terminal.String(),
		"html": strings.NewReplacer("&#34;", `"`, "&#39;", "'", "&amp;", "&").Replace(string(write(t, "html", roll))),
		"json": string(write(t, "json", roll)),
	}
	f, err := excelize.OpenReader(bytes.NewReader(write(t, "xlsx", roll)))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, _ := f.GetRows(sheetSummary)
	var cells []string
	for _, r := range rows {
		cells = append(cells, strings.Join(r, " | "))
	}
	views["xlsx"] = strings.Join(cells, "\n")
	for name, out := range views {
		if name == "json" {
			for _, w := range []string{`"custom_checks":{"hosts":3`, `"sha256":"` + usbV2 + `"`, `"files_differ":`} {
				if !strings.Contains(out, w) {
					t.Errorf("json lacks %s", w)
				}
			}
			continue
		}
		for _, w := range want {
			if !strings.Contains(out, w) {
				t.Errorf("%s lacks %q", name, w)
			}
		}
	}
}
