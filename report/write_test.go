package report

import (
	"io"
	"testing"
)

func TestIsWindowsDeviceName(t *testing.T) {
	for name, want := range map[string]bool{
		"NUL": true, "nul": true, "nul.txt": true, "Nul.report.json": true, "NUL ": true, "con": true, "CON.xlsx": true,
		"aux": true, "PRN": true, "com1": true, "LPT9.json": true, "COM¹": true, "conin$": true, "CONOUT$": true,
		"null": false, "nul-report.json": false, "console.txt": false, "COM10": false, "LPT": false, "report.json": false, "": false,
	} {
		if got := IsWindowsDeviceName(name); got != want {
			t.Errorf("IsWindowsDeviceName(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestWriteOutputWritesAFileAtomically(t *testing.T) {
	dir := tempDir(t)
	path := dir + "/report.txt"
	for _, text := range []string{"first", "second"} {
		if err := WriteOutput(path, func(w io.Writer) error { _, err := io.WriteString(w, text); return err }); err != nil {
			t.Fatal(err)
		}
	}
	if err := WriteOutput(dir, func(io.Writer) error { return nil }); err == nil {
		t.Error("-o a folder was accepted")
	}
}
