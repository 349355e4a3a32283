package checks

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/nhs-dspt/dspt-audit/standards"
)

// A verdict that rests on a fact a data file changed names the change: the
// new value, the built-in one and the file.
func TestVerdictNamesAChangedFact(t *testing.T) {
	b, err := os.ReadFile("../standards/data/linux-releases.json")
	if err != nil {
		t.Fatal(err)
	}
	var f map[string]any
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	builtIn := ""
	for _, r := range f["releases"].([]any) {
		if r := r.(map[string]any); r["id"] == "debian" && r["version"] == "12" {
			builtIn = r["end"].(string)
			r["end"] = "2026-11-01"
		}
	}
	// One file removed by name: t.TempDir's RemoveAll fails under Wine 8.
	tmp, err := os.CreateTemp("", "linux-releases-*.json")
	if err != nil {
		t.Fatal(err)
	}
	file := tmp.Name()
	t.Cleanup(func() { os.Remove(file) })
	out, _ := json.Marshal(f)
	if _, err := tmp.Write(out); err != nil || tmp.Close() != nil {
		t.Fatal(err)
	}
	data, err := standards.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	scan := replay(t, loadProfile(t, "debian-12-nftables"), data)
	r := resultsByID(scan)["os-supported"]
	want := "debian 12 end is 2026-11-01 in " + file + " (built-in: " + builtIn + ")"
	if r.Verdict.Status != standards.Fail || !strings.Contains(r.Verdict.Summary, want) {
		t.Errorf("os-supported = %s %q; want fail naming %q", r.Verdict.Status, r.Verdict.Summary, want)
	}
	if s := resultsByID(replay(t, loadProfile(t, "debian-12-nftables"), loadData(t)))["os-supported"].Verdict.Summary; strings.Contains(s, "Data file") {
		t.Errorf("built-in data alone: %q", s)
	}
}
