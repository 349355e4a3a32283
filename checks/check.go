// Package checks holds the check catalogue and the engine that runs it.
//
// A check is a value: metadata (ID, title, severity, platforms, framework
// mappings, remediation), the probes it declares it reads, and an Evaluate
// function from observations to a Verdict. Checks never print and never read
// the machine except through the Observer they are given.
package checks

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/nhs-dspt/dspt-audit/checks/probe"
	"github.com/nhs-dspt/dspt-audit/standards"
)

// Platforms a check can run on, as the host probe names them.
const (
	Windows = "windows"
	Linux   = "linux"
)

// Check is one audit check.
type Check struct {
	// ID is stable and part of the interface: reports, --fail-on users and
	// fleet roll-ups key on it.
	ID          string
	Title       string
	Severity    standards.Severity
	Platforms   []string
	Mappings    standards.Mappings
	Remediation string
	// Remediations replace Remediation on a platform whose fix differs:
	// a Linux finding never carries a Windows fix, nor the reverse.
	Remediations map[string]string
	// Reads declares every probe the check may make. A probe outside it
	// fails, so the catalogue always says what a check reads.
	Reads    []probe.Query
	Evaluate func(*Env) Verdict
	// Origin is the checks file a custom check was loaded from; empty for
	// the built-in catalogue (Go code or embedded data alike).
	Origin string
}

// CustomPrefix starts the ID of every check loaded from a checks file
// outside the binary, so that a custom check never takes a built-in's ID.
const CustomPrefix = "custom-"

// Custom reports whether the check was loaded from a checks file.
func (c *Check) Custom() bool { return c.Origin != "" }

// Env is what a check judges from.
type Env struct {
	probe.Observer
	// Now is the moment the verdict is for: collection time, or --now.
	Now  time.Time
	Data *standards.Data
	Host probe.HostInfo
}

// Today is the calendar day of Now.
func (e *Env) Today() standards.Date { return standards.DayOf(e.Now) }

// Verdict is a check's judgement of one machine.
type Verdict struct {
	Status standards.Status
	// Summary says in one or two sentences what was seen and what it means,
	// quoting the value that decided it.
	Summary string
	// Remediation replaces the check's remediation when the fix depends on
	// what was found.
	Remediation string
	// Details list the items behind the summary, one a line, when there
	// can be many (the open KEV-listed flaws): reports show them as a list.
	Details []string
}

// Result is a check's verdict with the observations it rests on.
type Result struct {
	Check    *Check
	Verdict  Verdict
	Evidence []probe.Observation
	// Platform is the platform judged (Windows, Linux).
	Platform string
}

// Remediation is the verdict's remediation, or else the check's for the
// platform judged.
func (r Result) Remediation() string {
	if r.Verdict.Remediation != "" {
		return r.Verdict.Remediation
	}
	return r.Check.RemediationOn(r.Platform)
}

// RemediationOn is the check's remediation on a platform.
func (c *Check) RemediationOn(platform string) string {
	if r, ok := c.Remediations[platform]; ok {
		return r
	}
	return c.Remediation
}

// runElevated is the fix for a needs_admin verdict on each platform.
var runElevated = map[string]string{
	Windows: "Run dspt-audit elevated (as Administrator, or as SYSTEM from the scheduled task) so that this can be read.",
	Linux:   "Run dspt-audit as root (with sudo, or from the systemd timer 'schedule install' sets up) so that this can be read.",
}

// AppliesTo reports whether the check runs on a platform.
func (c *Check) AppliesTo(platform string) bool { return slices.Contains(c.Platforms, platform) }

func verdict(s standards.Status, format string, args ...any) Verdict {
	return Verdict{Status: s, Summary: fmt.Sprintf(format, args...)}
}

// cannotTell turns probe failures into a verdict: needs_admin when any
// failure was a lack of rights, else unknown. It never passes.
func cannotTell(what string, failed ...probe.Observation) Verdict {
	status := standards.Unknown
	var reasons []string
	for _, o := range failed {
		if o.Error == nil {
			continue
		}
		if o.Error.Class == probe.AccessDenied {
			status = standards.NeedsAdmin
		}
		reasons = append(reasons, fmt.Sprintf("%s (%s)", o.Query, o.Error.Class))
	}
	// The engine gives a needs_admin verdict its platform's way to elevate.
	return verdict(status, "Could not tell %s: %s.", what, strings.Join(reasons, "; "))
}
