package checks

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/nhs-dspt/dspt-audit/checks/probe"
	"github.com/nhs-dspt/dspt-audit/standards"
)

// A Windows 7 or 8.1 registry has no UBR value; such a machine is still
// identified, and fails os-supported. On Windows 10 a missing UBR stays
// unknown, and a UBR that could not be read stays unknown everywhere.
func TestOSSupportedBeforeUBR(t *testing.T) {
	data := loadData(t)
	tests := []struct {
		name, build string
		ubr         *probe.Error
		want        standards.Status
		says        string
	}{
		{"windows 7", "7601", probe.Errorf(probe.NotFound, "registry value UBR does not exist"), standards.Fail, "Windows 7 SP1 (build 7601.0"},
		{"windows 8.1", "9600", probe.Errorf(probe.NotFound, "registry value UBR does not exist"), standards.Fail, "Windows 8.1 (build 9600.0"},
		{"windows 7 UBR denied", "7601", probe.Errorf(probe.AccessDenied, "denied"), standards.NeedsAdmin, ""},
		{"windows 10 without UBR", "19045", probe.Errorf(probe.NotFound, "registry value UBR does not exist"), standards.Unknown, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			snap := loadProfile(t, "win10-1607-wannacry-era")
			for i, o := range snap.Observations {
				switch o.Key {
				case regCurrentBuild.Key():
					snap.Observations[i].Value, _ = json.Marshal(probe.RegValue{Type: "REG_SZ", Data: json.RawMessage(`"` + tt.build + `"`)})
				case regUBR.Key():
					snap.Observations[i].Value, snap.Observations[i].Error = nil, tt.ubr
				}
			}
			v := verdictOf(t, replay(t, snap, data), "os-supported")
			if v.Status != tt.want || !strings.Contains(v.Summary, tt.says) {
				t.Errorf("os-supported = %s %q; want %s saying %q", v.Status, v.Summary, tt.want, tt.says)
			}
		})
	}
}

func verdictOf(t *testing.T, scan *Scan, id string) Verdict {
	t.Helper()
	for _, r := range scan.Results {
		if r.Check.ID == id {
			return r.Verdict
		}
	}
	t.Fatalf("no result for %s", id)
	return Verdict{}
}
