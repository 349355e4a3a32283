package checks

import (
	"fmt"
	"strings"

	"github.com/nhs-dspt/dspt-audit/checks/probe"
	"github.com/nhs-dspt/dspt-audit/standards"
)

var (
	regSecureBoot   = probe.RegistryValue(`HKLM\SYSTEM\CurrentControlSet\Control\SecureBoot\State`, "UEFISecureBootEnabled")
	efiDir          = probe.FilesMatching("/sys/firmware/efi")
	efiSecureBoot   = probe.FilesWithContents("/sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c")
	linuxTPMVersion = probe.FilesWithContents("/sys/class/tpm/tpm0/tpm_version_major")
)

// tpm is Win32_Tpm; only an elevated process sees it (shared/windows-facts.md section 5).
type tpm struct {
	IsEnabled_InitialValue   *bool
	IsActivated_InitialValue *bool
	SpecVersion              *string
}

var windowsTPM = probe.NewWMI[tpm](`root\CIMV2\Security\MicrosoftTpm`, "SELECT IsEnabled_InitialValue, IsActivated_InitialValue, SpecVersion FROM Win32_Tpm")

var firmwareMappings = standards.Mappings{
	NDG:       []int{9},
	DSPTItems: []string{"7.1.6"},
	DSPT:      []string{"B4.b (CAF)"},
	CAF:       []string{"B4.b"},
}

// SecureBoot fails a machine that boots without UEFI Secure Boot, which
// lets boot-level malware load before Windows or Linux can see it.
func SecureBoot() *Check {
	return &Check{
		ID:           "secure-boot",
		Title:        "UEFI Secure Boot is on",
		Severity:     standards.Medium,
		Platforms:    []string{Windows, Linux},
		Mappings:     withCIS(firmwareMappings, "18.9.5.2 (VBS platform security level)", "18.10.9.2.2 (BitLocker Secure Boot integrity)"),
		Remediation:  "Turn on Secure Boot in the UEFI firmware settings (a PC booting in legacy BIOS/CSM mode must first be converted to UEFI, e.g. with mbr2gpt).",
		Remediations: map[string]string{Linux: "Turn on Secure Boot in the UEFI firmware settings; the distribution's signed shim and kernel boot with it. A machine booting in legacy BIOS/CSM mode must first be reinstalled in UEFI mode."},
		Reads:        []probe.Query{regSecureBoot, efiDir, efiSecureBoot},
		Evaluate:     evaluateSecureBoot,
	}
}

func evaluateSecureBoot(e *Env) Verdict {
	if e.Host.OS == Linux {
		return linuxSecureBoot(e)
	}
	d := readDWORD(e, regSecureBoot)
	switch {
	case d.failed:
		return cannotTell("the Secure Boot state", d.obs)
	case !d.set:
		return verdict(standards.Fail, "The SecureBoot\\State key has no UEFISecureBootEnabled value: the PC boots in legacy BIOS mode, where Secure Boot is not available.")
	case d.n == 1:
		return verdict(standards.Pass, "Secure Boot is on (UEFISecureBootEnabled = 1).")
	}
	return verdict(standards.Fail, "Secure Boot is OFF (UEFISecureBootEnabled = %d).", d.n)
}

func linuxSecureBoot(e *Env) Verdict {
	dir := e.Observe(efiDir)
	if dir.Is(probe.NotFound) {
		return verdict(standards.Fail, "/sys/firmware/efi does not exist: the machine booted in legacy BIOS mode, where Secure Boot is not available.")
	}
	if dir.Error != nil {
		return cannotTell("how the machine booted", dir)
	}
	o := e.Observe(efiSecureBoot)
	if o.Is(probe.NotFound) {
		return verdict(standards.Fail, "UEFI boot, but the firmware has no SecureBoot variable: Secure Boot is not supported or not set up.")
	}
	variable, ok := fileText(o)
	if !ok || len(variable) < 5 {
		return cannotTell("the SecureBoot EFI variable", o)
	}
	// efivarfs prefixes the 1-byte value with 4 bytes of attributes.
	if variable[4] == 1 {
		return verdict(standards.Pass, "Secure Boot is on (EFI variable SecureBoot = 1).")
	}
	return verdict(standards.Fail, "Secure Boot is OFF (EFI variable SecureBoot = 0).")
}

// TPMPresent fails a machine without an enabled TPM 2.0, which BitLocker,
// Windows Hello and Windows 11 rely on.
func TPMPresent() *Check {
	return &Check{
		ID:           "tpm-present",
		Title:        "A TPM 2.0 is present and enabled",
		Severity:     standards.Low,
		Platforms:    []string{Windows, Linux},
		Mappings:     firmwareMappings,
		Remediation:  "Enable the TPM (Intel PTT / AMD fTPM) in the UEFI firmware settings; a PC without TPM 2.0 cannot run Windows 11 and should be planned for replacement.",
		Remediations: map[string]string{Linux: "Enable the TPM (Intel PTT / AMD fTPM) in the UEFI firmware settings; a machine without TPM 2.0 cannot seal disk keys or attest its boot, and should be planned for replacement."},
		Reads:        []probe.Query{windowsTPM.Query, linuxTPMVersion},
		Evaluate:     evaluateTPM,
	}
}

func evaluateTPM(e *Env) Verdict {
	if e.Host.OS == Linux {
		o := e.Observe(linuxTPMVersion)
		if o.Is(probe.NotFound) {
			return verdict(standards.Fail, "No TPM: /sys/class/tpm/tpm0 does not exist.")
		}
		major, ok := fileText(o)
		if !ok {
			return cannotTell("the TPM version", o)
		}
		return judgeTPMVersion(strings.TrimSpace(major), "tpm_version_major")
	}
	rows, obs := windowsTPM.Rows(e)
	if obs.Error != nil {
		return cannotTell("the TPM", obs)
	}
	if len(rows) == 0 {
		return verdict(standards.Fail, "Win32_Tpm lists no TPM: the PC has none, or it is switched off in the firmware.")
	}
	t := rows[0]
	if t.IsEnabled_InitialValue == nil || !*t.IsEnabled_InitialValue || t.IsActivated_InitialValue == nil || !*t.IsActivated_InitialValue {
		return verdict(standards.Fail, "A TPM is present but not enabled and activated (IsEnabled_InitialValue %s, IsActivated_InitialValue %s).", boolText(t.IsEnabled_InitialValue), boolText(t.IsActivated_InitialValue))
	}
	spec := deref(t.SpecVersion)
	major, _, _ := strings.Cut(spec, ".")
	return judgeTPMVersion(strings.TrimSpace(major), fmt.Sprintf("SpecVersion %q", spec))
}

func judgeTPMVersion(major, source string) Verdict {
	switch major {
	case "2":
		return verdict(standards.Pass, "TPM 2.0 present and enabled (%s).", source)
	case "1":
		return verdict(standards.Warn, "Only a TPM 1.2 (%s): Windows 11 and modern BitLocker protectors need TPM 2.0.", source)
	}
	return verdict(standards.Unknown, "The TPM version could not be read (%s).", source)
}

func boolText(b *bool) string {
	if b == nil {
		return "not reported"
	}
	return fmt.Sprint(*b)
}
