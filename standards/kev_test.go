package standards

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

var realCVRFMonths = []string{"2025-Nov", "2025-Dec", "2026-Jan", "2026-Mar"}

func readTestdata(t testing.TB, parts ...string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(append([]string{"..", "testdata"}, parts...)...))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func realCVRFCVEs(t testing.TB) []CVRFCVEs {
	t.Helper()
	var out []CVRFCVEs
	for _, m := range realCVRFMonths {
		d, err := ParseCVRFCVEs(readTestdata(t, "cvrf", "cvrfDocument-"+m+".xml.gz"))
		if err != nil {
			t.Fatalf("%s: %v", m, err)
		}
		out = append(out, d)
	}
	return out
}

func kevFromFixture(t testing.TB, name string) KEVFile {
	t.Helper()
	c, err := ParseKEV(readTestdata(t, "kev", name))
	if err != nil {
		t.Fatal(err)
	}
	return BuildKEV(c, realCVRFCVEs(t)...)
}

func encodeKEV(t testing.TB, f KEVFile) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(f); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestUpdateBuiltInKEV(t *testing.T) {
	if !*updateBuiltIn {
		t.Skip("run with -update-builtin to rewrite standards/data/windows-kev.json")
	}
	f := kevFromFixture(t, "known_exploited_vulnerabilities.json.gz")
	if err := os.WriteFile(filepath.Join("data", "windows-kev.json"), encodeKEV(t, f), 0o644); err != nil {
		t.Fatal(err)
	}
}

// The built-in windows-kev data is the converter's output for the real
// catalogue and the real CVRF documents, byte for byte.
func TestKEVBuiltInReproduced(t *testing.T) {
	want := encodeKEV(t, kevFromFixture(t, "known_exploited_vulnerabilities.json.gz"))
	got, err := embedded.ReadFile("data/windows-kev.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("standards/data/windows-kev.json is not what the converter makes of testdata/kev and testdata/cvrf: run go test ./standards/ -run TestUpdateBuiltInKEV -update-builtin")
	}
}
