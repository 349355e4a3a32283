package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Every -o takes - for standard output, and a device (/dev/null, NUL) is
// written straight and stays a device, whoever runs the tool.
func TestOutputToStdoutAndToTheNullDevice(t *testing.T) {
	dir := tempDir(t)
	saved := filepath.Join(dir, "pc1.json")
	if code, _, errOut := runArgs(t, "scan", "--from", profiles+"win10-1607-wannacry-era.json", "-f", "json", "-o", saved); code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	commands := map[string][]string{
		"scan":           {"scan", "--from", profiles + "win10-1607-wannacry-era.json", "-f", "json"},
		"collect":        {"collect", "--only", "os-supported"},
		"report convert": {"report", "convert", saved, "-f", "json"},
		"fleet":          {"fleet", signedResults(t), "-f", "json", "--now", "2026-11-24", "--trust", filepath.Join(tempDir(t), "trust.json"), "--trust-new"},
		"data import":    {"data", "import", cvrfDocs + "cvrfDocument-2026-Oct-edited.xml.gz", "--dir", filepath.Join(dir, "data"), "--now", "2026-11-03"},
	}
	for name, args := range commands {
		t.Run(name, func(t *testing.T) {
			code, out, errOut := runArgs(t, append(args, "-o", "-")...)
			if code != exitOK || !strings.HasPrefix(out, "{") {
				t.Errorf("-o -: exit %d, stdout %.40q, stderr %s", code, out, errOut)
			}
			if _, err := os.Stat("-"); err == nil {
				os.Remove("-")
				t.Error("-o - wrote a file named -")
			}
			code, out, errOut = runArgs(t, append(args, "-o", os.DevNull)...)
			if code != exitOK || out != "" {
				t.Errorf("-o %s: exit %d, stdout %.40q, stderr %s", os.DevNull, code, out, errOut)
			}
			if info, err := os.Stat(os.DevNull); err != nil || info.Mode()&fs.ModeDevice == 0 {
				t.Fatalf("%s is now %v (%v), not a device", os.DevNull, info.Mode(), err)
			}
		})
	}
}

// signedResults is a results folder holding one signed result, as the
// nightly run writes it.
func signedResults(t *testing.T) string {
	t.Helper()
	results := tempDir(t)
	if code, _, errOut := runArgs(t, "schedule", "run", "--from", profiles+"win10-1607-wannacry-era.json", "--results-dir", results, "--state-dir", tempDir(t), "--keep", "0"); code == exitError {
		t.Fatal(errOut)
	}
	return results
}
