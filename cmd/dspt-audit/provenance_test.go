package main

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A view rendered from a saved result names that file's SHA-256, the
// program that wrote the result, and that the result was replayed.
func TestConvertNamesTheResultItWasRenderedFrom(t *testing.T) {
	dir := tempDir(t)
	result := filepath.Join(dir, "pc.json")
	if code, _, errOut := runArgs(t, "scan", "--from", profiles+"win10-1607-wannacry-era.json", "-f", "json", "-o", result); code == exitError {
		t.Fatal(errOut)
	}
	b, err := os.ReadFile(result)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	_, out, _ := runArgs(t, "report", "convert", result)
	for _, want := range []string{"Result:   SHA-256 " + hex.EncodeToString(sum[:]), "Source:   REPLAYED, not a live scan", "development build (not for evidence)", "Program:  SHA-256 " + programHash()} {
		if !strings.Contains(out, want) {
			t.Errorf("report convert lacks %q:\n%s", want, out[:min(len(out), 1500)])
		}
	}
	if programHash() == "" {
		t.Error("the test binary's own hash could not be read")
	}
}
