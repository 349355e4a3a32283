package checks

import (
	"slices"
	"strings"
	"testing"
)

func TestCatalogueMetadata(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range All() {
		if seen[c.ID] {
			t.Errorf("duplicate check ID %s", c.ID)
		}
		seen[c.ID] = true
		if err := c.Mappings.Validate(); err != nil {
			t.Errorf("%s: %v", c.ID, err)
		}
		if c.Title == "" || c.Remediation == "" || len(c.Platforms) == 0 || len(c.Reads) == 0 || c.Evaluate == nil {
			t.Errorf("%s: title, remediation, platforms, reads and Evaluate are all required", c.ID)
		}
	}
}

// A standard is marked as machine-evidenced exactly when some check serves
// it, so reports never call a standard "not assessable" that a check
// covers, nor imply a check covers one that none does.
func TestMachineEvidenceMatchesCatalogue(t *testing.T) {
	for _, std := range loadData(t).NDG.Standards {
		served := slices.ContainsFunc(All(), func(c *Check) bool { return slices.Contains(c.Mappings.NDG, std.Number) })
		if served != std.MachineEvidence {
			t.Errorf("standard %d (%s): machine_evidence %t, but a check serves it: %t", std.Number, std.Title, std.MachineEvidence, served)
		}
	}
}

func TestSelect(t *testing.T) {
	all := All()
	got, err := Select(all, []string{"smb1-disabled", "firewall-on"}, nil)
	if err != nil || len(got) != 2 || got[0].ID != "firewall-on" || got[1].ID != "smb1-disabled" {
		t.Errorf("--only: %v %v, want firewall-on, smb1-disabled in catalogue order", ids(got), err)
	}
	got, err = Select(all, nil, []string{"os-supported"})
	if err != nil || len(got) != len(all)-1 || slices.Contains(ids(got), "os-supported") {
		t.Errorf("--skip: %v %v", ids(got), err)
	}
	if _, err := Select(all, []string{"firewal-on"}, nil); err == nil || !strings.Contains(err.Error(), `"firewal-on"`) || !strings.Contains(err.Error(), "firewall-on") {
		t.Errorf("unknown ID: %v, want an error naming it and the valid IDs", err)
	}
	if _, err := Select(all, []string{"os-supported"}, []string{"os-supported"}); err == nil {
		t.Error("--only X --skip X leaves nothing and must be an error")
	}
}

func ids(cs []*Check) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.ID)
	}
	return out
}
