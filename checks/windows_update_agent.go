package checks

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/nhs-dspt/dspt-audit/checks/probe"
	"github.com/nhs-dspt/dspt-audit/standards"
)

// The Windows Update Agent knows what this machine is missing when the
// update data does not. Its answer is used under these rules (README,
// patches-current):
//   - a security update it lists as missing more than 14 days after release
//     fails, whatever the data says; within 14 days it warns, unless the
//     data fails;
//   - a data fail stays a fail: the UBR is what runs, and an update the
//     agent installed but the machine has not restarted into is in the
//     agent's history, not in the UBR, so the agent's silence is never
//     stronger evidence than the build;
//   - only where the data cannot judge this build (newer than the data, or
//     a series it does not know) does the agent pass a machine, and only when
//     it searched successfully within 3 days, lists no missing security,
//     critical or rollup update, and nothing stops it seeing what Microsoft
//     released (a WSUS server approves what it offers; a quality-update
//     deferral hides new updates);
//   - otherwise, or when the agent could not be asked, the data decides.
var (
	wuaAgent       = probe.WindowsUpdateAgentQuery()
	regUseWUServer = probe.RegistryValue(`HKLM\SOFTWARE\Policies\Microsoft\Windows\WindowsUpdate\AU`, "UseWUServer")
	regDeferDays   = probe.RegistryValue(`HKLM\SOFTWARE\Policies\Microsoft\Windows\WindowsUpdate`, "DeferQualityUpdatesPeriodInDays")
	// Intune (MDM) sets the same deferral through the Policy CSP, here.
	regMDMDeferDays = probe.RegistryValue(`HKLM\SOFTWARE\Microsoft\PolicyManager\current\device\Update`, "DeferQualityUpdatesPeriodInDays")

	agentReads = []probe.Query{wuaAgent, regUseWUServer, regDeferDays, regMDMDeferDays}
)

// agentFreshFor is how recent the agent's last successful search must be
// for its "nothing missing" to stand in for the update data.
const agentFreshFor = 3 * 24 * time.Hour

// Bounds on a recorded answer; a snapshot is another machine's bytes.
const (
	maxAgentUpdates = 500
	maxAgentText    = 512
)

// agentAnswer is the agent's answer as a check judges it.
type agentAnswer struct {
	obs probe.Observation
	// unavailable says why the agent could not be asked; empty when it was.
	unavailable string
	probe.WindowsUpdateAgent
}

func askAgent(e *Env) agentAnswer {
	a := agentAnswer{obs: e.Observe(wuaAgent)}
	if a.obs.Error != nil {
		a.unavailable = fmt.Sprintf("%s (%s)", a.obs.Error.Detail, a.obs.Error.Class)
		return a
	}
	if err := a.obs.Decode(&a.WindowsUpdateAgent); err != nil {
		a.unavailable = "its recorded answer does not decode: " + err.Error()
		return a
	}
	if err := a.validate(); err != nil {
		a.unavailable = "its recorded answer is not credible: " + err.Error()
	}
	return a
}

func (a agentAnswer) validate() error {
	if len(a.Missing) > maxAgentUpdates {
		return fmt.Errorf("%d missing updates, more than %d", len(a.Missing), maxAgentUpdates)
	}
	for _, u := range a.Missing {
		if len(u.Title) > maxAgentText || len(u.KBs) > 16 || len(u.Categories) > 32 {
			return fmt.Errorf("an update entry is larger than the agent ever returns")
		}
	}
	return nil
}

// missingUpdate is a security update the agent lists as missing.
type missingUpdate struct {
	probe.WUAUpdate
	days int // since release; -1 when the agent gave no date
}

func (m missingUpdate) label() string {
	name := strings.Join(prefixed("KB", m.KBs), "/")
	if name == "" {
		name = fmt.Sprintf("%q", m.Title)
	}
	if m.days < 0 {
		return name + " (release date not given)"
	}
	return fmt.Sprintf("%s (released %s, missing for %d days)", name, standards.DayOf(*m.Released), m.days)
}

func prefixed(p string, ss []string) []string {
	out := make([]string, 0, len(ss))
	for _, s := range ss {
		out = append(out, p+strings.TrimPrefix(strings.ToUpper(s), p))
	}
	return out
}

// missingSecurity lists the agent's missing Security Updates, oldest
// release first.
func (a agentAnswer) missingSecurity(today standards.Date) []missingUpdate {
	var out []missingUpdate
	for _, u := range a.Missing {
		if !u.In(probe.WUASecurityUpdates) {
			continue
		}
		m := missingUpdate{WUAUpdate: u, days: -1}
		if u.Released != nil {
			m.days = max(standards.DayOf(*u.Released).DaysUntil(today), 0)
		}
		out = append(out, m)
	}
	slices.SortStableFunc(out, func(x, y missingUpdate) int { return y.days - x.days })
	return out
}

// blocksPass names missing updates that may carry security fixes: any of
// these keeps the agent from vouching for the machine.
func (a agentAnswer) blocksPass() []string {
	var out []string
	for _, u := range a.Missing {
		if u.In(probe.WUASecurityUpdates) || u.In(probe.WUACriticalUpdates) || u.In(probe.WUAUpdateRollups) {
			out = append(out, missingUpdate{WUAUpdate: u, days: -1}.labelShort())
		}
	}
	return out
}

func (m missingUpdate) labelShort() string {
	if kbs := strings.Join(prefixed("KB", m.KBs), "/"); kbs != "" {
		return kbs
	}
	return fmt.Sprintf("%q", m.Title)
}

// withAgent combines the data's verdict with the agent's answer under the
// rules at the top of this file. dataSilent says why the data could not
// judge this build at all (newer than the data, or an unknown series); it
// is empty when the data could.
func withAgent(e *Env, data Verdict, dataSilent string, a agentAnswer) Verdict {
	if a.unavailable != "" {
		if data.Status == standards.Unknown && dataSilent != "" {
			data.Summary += " The Windows Update Agent could not be asked: " + a.unavailable + "."
		}
		return data
	}
	today := e.Today()
	missing := a.missingSecurity(today)
	var overdue, recent []string
	for _, m := range missing {
		if m.days > patchGraceDays {
			overdue = append(overdue, m.label())
		} else {
			recent = append(recent, m.label())
		}
	}
	switch {
	case data.Status == standards.Fail:
		if len(overdue) > 0 {
			data.Summary += " The Windows Update Agent also lists as missing: " + strings.Join(overdue, "; ") + "."
		}
		return data
	case len(overdue) > 0:
		v := verdict(standards.Fail, "The Windows Update Agent lists security updates missing for more than %d days after release: %s.%s",
			patchGraceDays, strings.Join(overdue, "; "), withinNote(recent))
		v.Remediation = "Install the updates named (Settings > Windows Update, or approve them in WSUS/Intune) and restart."
		return v
	case len(recent) > 0:
		return verdict(standards.Warn, "The Windows Update Agent lists security updates not yet installed, within the %d-day window: %s.", patchGraceDays, strings.Join(recent, "; "))
	case data.Status != standards.Unknown || dataSilent == "":
		return data
	}
	if why := a.cannotVouch(e); why != "" {
		data.Summary += " The Windows Update Agent cannot vouch for it: " + why + "."
		return data
	}
	return verdict(standards.Pass, "The Windows Update Agent, the source of this verdict, searched successfully on %s (%s ago) and lists no missing security update; %s.",
		a.LastSearchSuccess.UTC().Format("2006-01-02 15:04 MST"), ago(e.Now.Sub(*a.LastSearchSuccess)), dataSilent)
}

// cannotVouch says why the agent's empty list does not show the machine is
// current, or "" when it does.
func (a agentAnswer) cannotVouch(e *Env) string {
	if a.LastSearchSuccess == nil {
		if a.ResultsError != "" {
			return "when it last searched could not be read (" + a.ResultsError + ")"
		}
		return "it has no record of a successful search"
	}
	age := e.Now.Sub(*a.LastSearchSuccess)
	switch {
	case age < -time.Hour:
		return fmt.Sprintf("its last successful search (%s) is later than the time judged", a.LastSearchSuccess.UTC().Format(time.RFC3339))
	case age > agentFreshFor:
		return fmt.Sprintf("its last successful search was %s ago (%s), so its cached catalogue lacks anything released since", ago(age), standards.DayOf(*a.LastSearchSuccess))
	}
	if blockers := a.blocksPass(); len(blockers) > 0 {
		return "it lists critical or rollup updates as missing: " + strings.Join(blockers, ", ")
	}
	wsus := readDWORD(e, regUseWUServer)
	switch {
	case wsus.failed:
		return "whether a WSUS server filters what it offers could not be read"
	case wsus.set && wsus.n == 1:
		return "it is pointed at a WSUS server (UseWUServer = 1), which offers only the updates approved there"
	}
	for _, q := range []probe.Query{regDeferDays, regMDMDeferDays} {
		deferral := readDWORD(e, q)
		switch {
		case deferral.failed:
			return "whether quality updates are deferred could not be read (" + q.String() + ")"
		case deferral.set && deferral.n > 0:
			return fmt.Sprintf("quality updates are deferred by %d days (%s), so it does not yet see new ones", deferral.n, q)
		}
	}
	return ""
}

func withinNote(recent []string) string {
	if len(recent) == 0 {
		return ""
	}
	return " Also missing, within the window: " + strings.Join(recent, "; ") + "."
}

func ago(d time.Duration) string {
	if d < 48*time.Hour {
		return fmt.Sprintf("%d hours", max(int(d.Hours()), 0))
	}
	return fmt.Sprintf("%d days", int(d.Hours()/24))
}
