package checks

import (
	"fmt"
	"strings"

	"github.com/nhs-dspt/dspt-audit/checks/probe"
	"github.com/nhs-dspt/dspt-audit/standards"
)

// Registry settings for the hardening checks (shared/windows-facts.md
// section 5).
var (
	rdpDeny = policyOver{
		policy: probe.RegistryValue(`HKLM\SOFTWARE\Policies\Microsoft\Windows NT\Terminal Services`, "fDenyTSConnections"),
		local:  regTermServDeny,
	}
	rdpNLA = policyOver{
		policy: probe.RegistryValue(`HKLM\SOFTWARE\Policies\Microsoft\Windows NT\Terminal Services`, "UserAuthentication"),
		local:  probe.RegistryValue(`HKLM\SYSTEM\CurrentControlSet\Control\Terminal Server\WinStations\RDP-Tcp`, "UserAuthentication"),
	}
	powerShell2Features = probe.NewWMI[optionalFeature](`root\cimv2`,
		"SELECT Name, InstallState FROM Win32_OptionalFeature WHERE Name='MicrosoftWindowsPowerShellV2Root' OR Name='MicrosoftWindowsPowerShellV2' OR Name='Printing-PrintToPDFServices-Features'")
)

var secureConfig = standards.Mappings{
	NDG:             []int{9},
	DSPTItems:       []string{"8.4.3"},
	DSPT:            []string{"B4.b (CAF)"},
	CyberEssentials: []string{"Secure configuration"},
	CAF:             []string{"B4.b"},
}

func withCIS(m standards.Mappings, ids ...string) standards.Mappings {
	m.CIS = ids
	return m
}

// AutorunDisabled fails a PC that runs autorun.inf from inserted media.
// It is written as data: builtin/hardening.yaml.
func AutorunDisabled() *Check { return builtinCheck("autorun-disabled") }

// LLMNRDisabled fails a PC that answers LLMNR, which lets anyone on the
// network capture password hashes by answering name lookups (Responder).
// It is written as data: builtin/hardening.yaml.
func LLMNRDisabled() *Check { return builtinCheck("llmnr-disabled") }

// PowerShell2Removed fails a PC with the PowerShell 2.0 engine, which
// attackers use to dodge script logging and AMSI.
func PowerShell2Removed() *Check {
	return &Check{
		ID:          "powershell2-removed",
		Title:       "PowerShell 2.0 is removed",
		Severity:    standards.Medium,
		Platforms:   []string{Windows},
		Mappings:    withCIS(secureConfig, "STIG WN10-00-000155 (not in CIS v3.0.0)"),
		Remediation: "Remove it: `Disable-WindowsOptionalFeature -Online -FeatureName MicrosoftWindowsPowerShellV2Root` (or Turn Windows features on or off > Windows PowerShell 2.0).",
		Reads:       []probe.Query{powerShell2Features.Query},
		Evaluate:    evaluatePowerShell2,
	}
}

func evaluatePowerShell2(e *Env) Verdict {
	rows, obs := powerShell2Features.Rows(e)
	if obs.Error != nil {
		return cannotTell("whether PowerShell 2.0 is installed", obs)
	}
	var enabled, off []string
	sentinel := false
	for _, r := range rows {
		if r.Name == nil || r.InstallState == nil {
			continue
		}
		if *r.Name == "Printing-PrintToPDFServices-Features" {
			sentinel = true
			continue
		}
		desc := fmt.Sprintf("%s InstallState = %d", *r.Name, *r.InstallState)
		if *r.InstallState == featureEnabled {
			enabled = append(enabled, desc)
		} else {
			off = append(off, desc)
		}
	}
	switch {
	case len(enabled) > 0:
		return verdict(standards.Fail, "PowerShell 2.0 is installed: %s.", strings.Join(enabled, "; "))
	case len(off) > 0:
		return verdict(standards.Pass, "PowerShell 2.0 is not enabled: %s.", strings.Join(off, "; "))
	case sentinel:
		// Removed from Windows 11 24H2 (Aug 2025) and Server 2025 (Sept 2025): no instance (windows-facts 0.14).
		return verdict(standards.Pass, "PowerShell 2.0 is not a feature of this Windows at all (removed from Windows 11 24H2 and Server 2025 in 2025), while Win32_OptionalFeature does list other features.")
	}
	// A class that lists nothing cannot show absence (Wine, a broken repository).
	return verdict(standards.Unknown, "Win32_OptionalFeature listed neither PowerShell 2.0 nor the Print to PDF feature every Windows 10/11 lists, so its answer cannot show whether PowerShell 2.0 is installed.")
}

// RDPSecure fails a PC that accepts Remote Desktop without Network Level
// Authentication (pre-login attack surface; BlueKeep's route). It is
// written as data: builtin/hardening.yaml.
func RDPSecure() *Check { return builtinCheck("rdp-secure") }
