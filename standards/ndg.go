package standards

import (
	"fmt"
	"regexp"
	"slices"
)

// Standard is one of the National Data Guardian's 10 data security standards.
type Standard struct {
	Number     int    `json:"number"`
	Title      string `json:"title"`
	Obligation string `json:"obligation"`
	Summary    string `json:"summary"`
	// MachineEvidence is false for standards that are about people and
	// paperwork (training, contracts), which no scan of a PC can evidence.
	MachineEvidence bool `json:"machine_evidence"`
}

// Mappings ties a check to the frameworks a DSPT submission and a CQC
// inspection are judged against. Values follow shared/standards-reference.md
// section 8; a DSPT item is written with the toolkit version it comes from.
type Mappings struct {
	NDG []int `json:"ndg"`
	// DSPTItems are the evidence items of the current Category 4 toolkit
	// (data.DSPT) the check gives evidence for, as the toolkit numbers
	// them: "6.2.1".
	DSPTItems []string `json:"dspt_items"`
	// DSPT are references to earlier toolkits and the CAF-aligned DSPT,
	// each with where it comes from: "6.2 (2024-25)", "B4.c (CAF)".
	DSPT            []string `json:"dspt"`
	CyberEssentials []string `json:"cyber_essentials"`
	CAF             []string `json:"caf"`
	CIS             []string `json:"cis,omitempty"`
}

// CyberEssentialsControls are the five technical controls of Cyber
// Essentials (Requirements for IT Infrastructure v3.x).
var CyberEssentialsControls = []string{
	"Firewalls",
	"Secure configuration",
	"Security update management",
	"User access control",
	"Malware protection",
}

var cafOutcome = regexp.MustCompile(`^[A-E][1-9]\.[a-f]$`)

// Validate reports the first mapping that names something that does not
// exist, so a typo in a check's metadata fails the tests.
func (m Mappings) Validate() error {
	if len(m.NDG) == 0 {
		return fmt.Errorf("no NDG standard")
	}
	for _, n := range m.NDG {
		if n < 1 || n > 10 {
			return fmt.Errorf("NDG standard %d does not exist (1-10)", n)
		}
	}
	for _, c := range m.CyberEssentials {
		if !slices.Contains(CyberEssentialsControls, c) {
			return fmt.Errorf("Cyber Essentials control %q is not one of %q", c, CyberEssentialsControls)
		}
	}
	for _, c := range m.CAF {
		if !cafOutcome.MatchString(c) {
			return fmt.Errorf("CAF outcome %q is not of the form B4.d", c)
		}
	}
	if len(m.DSPTItems) == 0 {
		return fmt.Errorf("no DSPT evidence item")
	}
	for _, id := range m.DSPTItems {
		if !dsptItemID.MatchString(id) {
			return fmt.Errorf("DSPT item %q is not of the form 7.1.1", id)
		}
	}
	return nil
}
