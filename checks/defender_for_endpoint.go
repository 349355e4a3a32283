package checks

import (
	"fmt"

	"github.com/nhs-dspt/dspt-audit/checks/probe"
	"github.com/nhs-dspt/dspt-audit/standards"
)

type serviceState struct {
	Name  *string
	State *string
}

var (
	regMDEOnboarding = probe.RegistryValue(`HKLM\SOFTWARE\Microsoft\Windows Advanced Threat Protection\Status`, "OnboardingState")
	senseService     = probe.NewWMI[serviceState](`root\cimv2`, "SELECT Name, State FROM Win32_Service WHERE Name='Sense'")
)

// DefenderForEndpoint checks onboarding to Microsoft Defender for
// Endpoint, the NHS-wide threat detection service (shared/standards-reference.md
// section 7: the 2018 NHS Microsoft agreement).
func DefenderForEndpoint() *Check {
	return &Check{
		ID:        "defender-for-endpoint",
		Title:     "Onboarded to Microsoft Defender for Endpoint (NHS threat detection)",
		Severity:  standards.Medium,
		Platforms: []string{Windows},
		Mappings: standards.Mappings{
			NDG:             []int{6},
			DSPTItems:       []string{"6.2.1"},
			DSPT:            []string{"6.2 (2024-25)", "C1.a (CAF)"},
			CyberEssentials: []string{"Malware protection"},
			CAF:             []string{"C1.a", "B4.c"},
		},
		Remediation: "Onboard the device to Microsoft Defender for Endpoint with the organisation's onboarding package (from the NHS CSOC / Microsoft Defender portal, or Intune), then check the Sense service is running.",
		Reads:       []probe.Query{regMDEOnboarding, serviceStart("Sense"), senseService.Query},
		Evaluate:    evaluateMDE,
	}
}

func evaluateMDE(e *Env) Verdict {
	onboarded := readDWORD(e, regMDEOnboarding)
	start := readDWORD(e, serviceStart("Sense"))
	rows, svcObs := senseService.Rows(e)
	if onboarded.failed || start.failed {
		return cannotTell("the Defender for Endpoint onboarding state", failures(onboarded.obs, start.obs)...)
	}
	service := "the Sense service is not installed"
	if start.set {
		service = "the Sense service is " + startMode(start.n)
		if len(rows) == 1 && rows[0].State != nil {
			service += fmt.Sprintf(" and %s", *rows[0].State)
		}
	}
	if !onboarded.set || onboarded.n != 1 {
		return verdict(standards.Fail, "Not onboarded: OnboardingState is %s and %s.", valueOrNotSet(onboarded), service)
	}
	switch {
	case start.set && start.n == serviceDisabled:
		return verdict(standards.Fail, "OnboardingState = 1 but %s, so nothing reaches Defender for Endpoint.", service)
	case svcObs.Error != nil || len(rows) != 1 || rows[0].State == nil:
		v := cannotTell("whether the Sense service is running", svcObs)
		v.Summary = fmt.Sprintf("OnboardingState = 1 and %s. %s", service, v.Summary)
		return v
	case *rows[0].State != "Running":
		return verdict(standards.Fail, "OnboardingState = 1 but %s.", service)
	}
	return verdict(standards.Pass, "Onboarded (OnboardingState = 1) and %s.", service)
}

func valueOrNotSet(d dword) string {
	if !d.set {
		return "not set"
	}
	return fmt.Sprint(d.n)
}
