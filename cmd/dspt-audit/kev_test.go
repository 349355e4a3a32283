package main

import (
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A saved KEV catalogue imported with the CVRF months that fix its entries
// becomes one windows-kev file (-o), and a scan using it lists the
// exploited flaws a PC left without updates is open to.
func TestDataImportOfAKEVCatalogue(t *testing.T) {
	if underRace(t) {
		t.Skip("data import parses four CVRF months and starts no goroutine: TestDataImportOutput runs the command under -race")
	}
	dir := tempDir(t)
	kev := filepath.Join(dir, "known_exploited_vulnerabilities.json")
	f, err := os.Open("../../testdata/kev/kev-edited.json.gz")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(kev, b, 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "windows-kev.json")
	args := []string{"data", "import", kev, "-o", out, "--now", "2026-11-27", "--dir", filepath.Join(dir, "none")}
	for _, m := range []string{"2025-Nov", "2025-Dec", "2026-Jan", "2026-Mar"} {
		args = append(args, cvrfDocs+"cvrfDocument-"+m+".xml.gz")
	}
	if code, _, errOut := runArgs(t, args...); code != exitOK {
		t.Fatalf("import: exit %d: %s", code, errOut)
	}
	code, stdout, errOut := runArgs(t, "scan", "--format", "json", "--only", "known-exploits", "--from", profiles+"win10-pro-22h2-no-esu.json", "--data", out)
	if code != exitOK {
		t.Fatalf("scan: exit %d, %s", code, errOut)
	}
	var rep scanned
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Results) != 1 || rep.Results[0].Status != "fail" || !strings.Contains(rep.Results[0].Summary, "CVE-2025-62215") || !strings.Contains(rep.Results[0].Summary, "2026.11.24-edited") {
		t.Errorf("known-exploits with the imported catalogue: %+v", rep.Results)
	}
}
