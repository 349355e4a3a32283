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
	regNoDriveTypeAutoRun = probe.RegistryValue(`HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Policies\Explorer`, "NoDriveTypeAutoRun")
	regNoAutorun          = probe.RegistryValue(`HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Policies\Explorer`, "NoAutorun")
	regEnableMulticast    = probe.RegistryValue(`HKLM\SOFTWARE\Policies\Microsoft\Windows NT\DNSClient`, "EnableMulticast")
	rdpDeny               = policyOver{
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
func AutorunDisabled() *Check {
	return &Check{
		ID:          "autorun-disabled",
		Title:       "AutoRun is disabled for all drives",
		Severity:    standards.Medium,
		Platforms:   []string{Windows},
		Mappings:    withCIS(secureConfig, "18.10.7.1", "18.10.7.2", "18.10.7.3 (Win10/11 v3.0.0)"),
		Remediation: "Set Group Policy 'Turn off Autoplay' to Enabled for All drives (NoDriveTypeAutoRun = 255) and 'Set the default behavior for AutoRun' to 'Do not execute any autorun commands' (NoAutorun = 1).",
		Reads:       []probe.Query{regNoDriveTypeAutoRun, regNoAutorun},
		Evaluate:    evaluateAutorun,
	}
}

func evaluateAutorun(e *Env) Verdict {
	drives, noAutorun := readDWORD(e, regNoDriveTypeAutoRun), readDWORD(e, regNoAutorun)
	if drives.failed || noAutorun.failed {
		return cannotTell("the AutoRun policy", failures(drives.obs, noAutorun.obs)...)
	}
	switch {
	case noAutorun.set && noAutorun.n == 1:
		return verdict(standards.Pass, "AutoRun commands are never executed (NoAutorun = 1); %s.", drives.describe())
	case drives.set && drives.n&0xFF == 0xFF:
		return verdict(standards.Pass, "AutoRun is off for all drive types (NoDriveTypeAutoRun = 0x%X).", drives.n)
	case drives.set:
		return verdict(standards.Fail, "AutoRun is off only for some drive types (NoDriveTypeAutoRun = 0x%X, not 0xFF) and NoAutorun is not 1.", drives.n)
	}
	return verdict(standards.Fail, "Neither NoDriveTypeAutoRun nor NoAutorun is set, so Windows' default applies, under which CD/DVD AutoRun still runs.")
}

// LLMNRDisabled fails a PC that answers LLMNR, which lets anyone on the
// network capture password hashes by answering name lookups (Responder).
func LLMNRDisabled() *Check {
	return &Check{
		ID:          "llmnr-disabled",
		Title:       "LLMNR (multicast name resolution) is turned off",
		Severity:    standards.Medium,
		Platforms:   []string{Windows},
		Mappings:    withCIS(secureConfig, "18.6.4.2 (Win10 v3.0.0)", "18.6.4.3 (Win11 v3.0.0)"),
		Remediation: "Set Group Policy 'Turn off multicast name resolution' (Computer Configuration > Administrative Templates > Network > DNS Client) to Enabled.",
		Reads:       []probe.Query{regEnableMulticast},
		Evaluate: func(e *Env) Verdict {
			d := readDWORD(e, regEnableMulticast)
			switch {
			case d.failed:
				return cannotTell("the LLMNR policy", d.obs)
			case d.set && d.n == 0:
				return verdict(standards.Pass, "LLMNR is turned off by policy (EnableMulticast = 0).")
			case d.set:
				return verdict(standards.Fail, "LLMNR is on (policy EnableMulticast = %d).", d.n)
			}
			return verdict(standards.Fail, "LLMNR is on: the policy EnableMulticast is not set, and Windows answers LLMNR by default.")
		},
	}
}

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
// Authentication (pre-login attack surface; BlueKeep's route).
func RDPSecure() *Check {
	return &Check{
		ID:        "rdp-secure",
		Title:     "Remote Desktop is off, or on with Network Level Authentication",
		Severity:  standards.High,
		Platforms: []string{Windows},
		Mappings: standards.Mappings{
			NDG:             []int{9, 4},
			DSPTItems:       []string{"4.5.3", "8.4.3"},
			DSPT:            []string{"B2.a/B4.a (CAF)"},
			CyberEssentials: []string{"Firewalls", "User access control"},
			CAF:             []string{"B2.a", "B4.a"},
			CIS:             []string{"18.10.56.3.9.4 (require NLA)", "18.10.56.3.2.1 (disallow RDP)"},
		},
		Remediation: "Turn Remote Desktop off where it is not needed; where it is, set Group Policy 'Require user authentication for remote connections by using Network Level Authentication' to Enabled and reach it only through the VPN with MFA.",
		Reads:       append(rdpDeny.reads(), rdpNLA.reads()...),
		Evaluate:    evaluateRDP,
	}
}

func evaluateRDP(e *Env) Verdict {
	deny, denySrc := rdpDeny.read(e)
	if deny.failed {
		return cannotTell("whether Remote Desktop is on", deny.obs)
	}
	if !deny.set {
		return verdict(standards.Pass, "Remote Desktop is off: fDenyTSConnections is not set by policy or locally, and Windows refuses connections by default.")
	}
	if deny.n == 1 {
		return verdict(standards.Pass, "Remote Desktop is off (%s fDenyTSConnections = 1).", denySrc)
	}
	nla, nlaSrc := rdpNLA.read(e)
	switch {
	case nla.failed:
		return cannotTell("whether Remote Desktop requires Network Level Authentication", nla.obs)
	case nla.set && nla.n == 1:
		return verdict(standards.Pass, "Remote Desktop is ON (%s fDenyTSConnections = 0) with Network Level Authentication required (%s UserAuthentication = 1).", denySrc, nlaSrc)
	}
	return verdict(standards.Fail, "Remote Desktop is ON (%s fDenyTSConnections = 0) WITHOUT Network Level Authentication (%s).", denySrc, nla.describe())
}
