package checks

import (
	"fmt"
	"slices"
	"strings"

	"github.com/nhs-dspt/dspt-audit/checks/probe"
	"github.com/nhs-dspt/dspt-audit/standards"
)

var (
	regNoAutoUpdate  = probe.RegistryValue(`HKLM\SOFTWARE\Policies\Microsoft\Windows\WindowsUpdate\AU`, "NoAutoUpdate")
	regNoWUAccess    = probe.RegistryValue(`HKLM\SOFTWARE\Policies\Microsoft\Windows\WindowsUpdate`, "DisableWindowsUpdateAccess")
	regWSUSServer    = probe.RegistryValue(`HKLM\SOFTWARE\Policies\Microsoft\Windows\WindowsUpdate`, "WUServer")
	timeTypePolicy   = probe.RegistryValue(`HKLM\SOFTWARE\Policies\Microsoft\W32Time\Parameters`, "Type")
	timeTypeLocal    = probe.RegistryValue(`HKLM\SYSTEM\CurrentControlSet\Services\W32Time\Parameters`, "Type")
	timeServerLocal  = probe.RegistryValue(`HKLM\SYSTEM\CurrentControlSet\Services\W32Time\Parameters`, "NtpServer")
	ntpClientEnabled = policyOver{
		policy: probe.RegistryValue(`HKLM\SOFTWARE\Policies\Microsoft\W32Time\TimeProviders\NtpClient`, "Enabled"),
		local:  probe.RegistryValue(`HKLM\SYSTEM\CurrentControlSet\Services\W32Time\TimeProviders\NtpClient`, "Enabled"),
	}
)

// WindowsUpdateEnabled fails a PC where Windows Update is switched off.
// wuauserv is manual/trigger-start by default, so "stopped" is normal;
// only "disabled" is the finding (shared/windows-facts.md section 5).
func WindowsUpdateEnabled() *Check {
	return &Check{
		ID:        "windows-update-enabled",
		Title:     "Windows Update is not disabled (service and policy)",
		Severity:  standards.High,
		Platforms: []string{Windows},
		Mappings: standards.Mappings{
			NDG:             []int{8},
			DSPTItems:       []string{"8.3.1"},
			DSPT:            []string{"B4.d (CAF)"},
			CyberEssentials: []string{"Security update management"},
			CAF:             []string{"B4.d"},
			CIS:             []string{"18.10.92.2.1 (Win10/11 v3.0.0)"},
		},
		Remediation: "Set the Windows Update service (wuauserv) back to Manual, remove the 'Configure Automatic Updates: Disabled' policy (NoAutoUpdate) and 'Remove access to use all Windows Update features', or make sure WSUS/Intune delivers updates instead.",
		Reads:       []probe.Query{serviceStart("wuauserv"), regNoAutoUpdate, regNoWUAccess, regWSUSServer},
		Evaluate:    evaluateWindowsUpdate,
	}
}

func evaluateWindowsUpdate(e *Env) Verdict {
	svc, noAuto, noAccess := readDWORD(e, serviceStart("wuauserv")), readDWORD(e, regNoAutoUpdate), readDWORD(e, regNoWUAccess)
	// Any one setting that switches Windows Update off fails, whatever the
	// settings that could not be read say.
	var problems []string
	if svc.set && svc.n == serviceDisabled {
		problems = append(problems, "the Windows Update service (wuauserv) is disabled")
	}
	if noAuto.set && noAuto.n == 1 {
		problems = append(problems, "automatic updates are turned off by policy (NoAutoUpdate = 1)")
	}
	if noAccess.set && noAccess.n == 1 {
		problems = append(problems, "policy removes access to Windows Update (DisableWindowsUpdateAccess = 1)")
	}
	if len(problems) == 0 && (svc.failed || noAuto.failed || noAccess.failed || !svc.set) {
		return cannotTell("the Windows Update settings", failures(svc.obs, noAuto.obs, noAccess.obs)...)
	}
	source := "Microsoft Update"
	if s, err := e.Observe(regWSUSServer).RegString(); err == nil && s != "" {
		source = "WSUS server " + s
	}
	if len(problems) > 0 {
		return verdict(standards.Fail, "Windows Update is switched off: %s.", strings.Join(problems, "; "))
	}
	return verdict(standards.Pass, "Windows Update can run: wuauserv is %s (stopped between runs is normal), automatic updates are not turned off by policy; updates come from %s.", startMode(svc.n), source)
}

// TimeSync fails a machine that does not keep its clock synchronised: log
// timestamps, Kerberos and certificate checks all depend on it.
func TimeSync() *Check {
	return &Check{
		ID:        "time-sync",
		Title:     "The clock is synchronised from a time source",
		Severity:  standards.Low,
		Platforms: []string{Windows, Linux},
		Mappings: standards.Mappings{
			NDG:       []int{6},
			DSPTItems: []string{"4.4.1"},
			DSPT:      []string{"C1.a/C1.b (CAF)"},
			CAF:       []string{"C1.a", "C1.b"},
			CIS:       []string{"18.9.51.1.1 (Windows NTP client enabled)"},
		},
		Remediation:  "Set the Windows Time service (W32Time) to Manual or Automatic and its type to NT5DS (domain) or NTP with a server (`w32tm /config /syncfromflags:manual /manualpeerlist:time.windows.com /update`).",
		Remediations: map[string]string{Linux: "Install and enable chrony or systemd-timesyncd (`timedatectl set-ntp true`) with the organisation's time servers."},
		Reads:        append([]probe.Query{serviceStart("W32Time"), timeTypePolicy, timeTypeLocal, timeServerLocal, linuxProcesses}, ntpClientEnabled.reads()...),
		Evaluate:     evaluateTimeSync,
	}
}

func evaluateTimeSync(e *Env) Verdict {
	if e.Host.OS == Linux {
		return linuxDaemons(e, "time synchronisation", map[string]string{"chronyd": "chrony", "ntpd": "ntpd", "systemd-timesyncd": "systemd-timesyncd", "ntpsec": "NTPsec", "openntpd": "OpenNTPD"})
	}
	svc := readDWORD(e, serviceStart("W32Time"))
	typ, typSrc := e.Observe(timeTypePolicy), "Group Policy"
	if typ.Is(probe.NotFound) {
		typ, typSrc = e.Observe(timeTypeLocal), "local setting"
	}
	mode, err := typ.RegString()
	client, clientSrc := ntpClientEnabled.read(e)
	if svc.failed || !svc.set || err != nil || client.failed {
		return cannotTell("the Windows Time settings", failures(svc.obs, typ, client.obs)...)
	}
	switch {
	case svc.n == serviceDisabled:
		return verdict(standards.Fail, "The Windows Time service (W32Time) is disabled.")
	case strings.EqualFold(mode, "NoSync"):
		return verdict(standards.Fail, "Windows Time is set not to synchronise (%s Type = NoSync).", typSrc)
	case client.set && client.n == 0:
		return verdict(standards.Fail, "The NTP client is disabled (%s NtpClient Enabled = 0).", clientSrc)
	}
	server := ""
	if s, err := e.Observe(timeServerLocal).RegString(); err == nil && !strings.EqualFold(mode, "NT5DS") {
		server = fmt.Sprintf(" from %s", s)
	}
	return verdict(standards.Pass, "Windows Time is %s and synchronises (%s Type = %s%s).", startMode(svc.n), typSrc, mode, server)
}

// linuxDaemons passes when any of the named daemons runs.
func linuxDaemons(e *Env, what string, daemons map[string]string) Verdict {
	_, found, bad := running(e, daemons)
	if bad != nil {
		return *bad
	}
	if len(found) > 0 {
		return verdict(standards.Pass, "Running for %s: %s.", what, strings.Join(found, ", "))
	}
	return verdict(standards.Fail, "Nothing provides %s: none of %s is running.", what, strings.Join(sortedKeys(daemons), ", "))
}

// Advanced audit policy subcategories (ntsecapi.h / auditpol GUIDs; CIS
// 17.1.1 Credential Validation and 17.5.4 Logon, success and failure).
var auditSubcategories = []struct{ guid, name string }{
	{"{0CCE923F-69AE-11D9-BED3-505054503030}", "Credential Validation"},
	{"{0CCE9215-69AE-11D9-BED3-505054503030}", "Logon"},
}

// minSecurityLogKB is CIS 18.10.25.2.2's minimum Security log size.
const minSecurityLogKB = 196608

var (
	auditPolicyAPI = probe.WindowsAPI("AuditQuerySystemPolicy", auditSubcategories[0].guid, auditSubcategories[1].guid)
	securityLogMax = policyOver{
		policy: probe.RegistryValue(`HKLM\SOFTWARE\Policies\Microsoft\Windows\EventLog\Security`, "MaxSize"), // KB
		local:  probe.RegistryValue(`HKLM\SYSTEM\CurrentControlSet\Services\EventLog\Security`, "MaxSize"),   // bytes
	}
	journalDir = probe.FilesMatching("/var/log/journal")
)

// AuditLogging fails a machine that does not record who logged on.
func AuditLogging() *Check {
	return &Check{
		ID:        "audit-logging",
		Title:     "Logons and credential checks are audited, and the log is kept",
		Severity:  standards.Medium,
		Platforms: []string{Windows, Linux},
		Mappings: standards.Mappings{
			NDG:       []int{2, 4},
			DSPTItems: []string{"4.4.1"},
			DSPT:      []string{"C1.a/C1.b (CAF)"},
			CAF:       []string{"C1.a", "C1.b"},
			CIS:       []string{"17.1.1", "17.5.4", "18.10.25.2.2 (Win10/11 v3.0.0)"},
		},
		Remediation:  fmt.Sprintf("Set Advanced Audit Policy 'Audit Credential Validation' and 'Audit Logon' to Success and Failure, and the Security log maximum size to at least %d KB.", minSecurityLogKB),
		Remediations: map[string]string{Linux: "Run auditd (`systemctl enable --now auditd`), or make the journal persistent (Storage=persistent in /etc/systemd/journald.conf, and /var/log/journal), so that logons and admin actions are kept."},
		Reads:        append([]probe.Query{auditPolicyAPI, linuxProcesses, journalDir}, securityLogMax.reads()...),
		Evaluate:     evaluateAuditLogging,
	}
}

func evaluateAuditLogging(e *Env) Verdict {
	if e.Host.OS == Linux {
		return linuxAuditLogging(e)
	}
	o := e.Observe(auditPolicyAPI)
	var settings []probe.AuditSetting
	if err := o.Decode(&settings); err != nil {
		return cannotTell("the audit policy", o)
	}
	var missing, ok []string
	for i, s := range settings {
		if i >= len(auditSubcategories) {
			break
		}
		desc := fmt.Sprintf("%s: success %t, failure %t", auditSubcategories[i].name, s.Success, s.Failure)
		if s.Success && s.Failure {
			ok = append(ok, desc)
		} else {
			missing = append(missing, desc)
		}
	}
	if len(missing) > 0 {
		return verdict(standards.Fail, "Not audited in full: %s.%s", strings.Join(missing, "; "), listSuffix(" Audited: ", ok))
	}
	size, src := securityLogMax.read(e)
	kb := size.n
	if size.obs.Key == securityLogMax.local.Key() {
		kb = size.n / 1024 // the service's own MaxSize is in bytes, the policy's in KB
	}
	switch {
	case size.failed:
		return cannotTell("the Security log size", size.obs)
	case !size.set:
		return verdict(standards.Warn, "%s; but the Security log size is not set, so Windows' default (20 MB) applies, which overwrites events within days.", strings.Join(ok, "; "))
	case kb < minSecurityLogKB:
		return verdict(standards.Warn, "%s; but the Security log holds only %d KB (%s MaxSize), less than %d KB.", strings.Join(ok, "; "), kb, src, minSecurityLogKB)
	}
	return verdict(standards.Pass, "%s; Security log %d KB (%s).", strings.Join(ok, "; "), kb, src)
}

func linuxAuditLogging(e *Env) Verdict {
	names, _, bad := running(e, nil)
	if bad != nil {
		return *bad
	}
	switch {
	case slices.Contains(names, "auditd"):
		return verdict(standards.Pass, "auditd is running.")
	case slices.Contains(names, "rsyslogd") || slices.Contains(names, "syslog-ng"):
		return verdict(standards.Warn, "No auditd, but a syslog daemon keeps authentication logs on disk; auditd would also record privileged commands.")
	case slices.Contains(names, "systemd-journald"):
		j := e.Observe(journalDir)
		if j.Error == nil {
			return verdict(standards.Warn, "No auditd, but systemd-journald keeps a persistent journal in /var/log/journal.")
		}
		if j.Is(probe.NotFound) {
			return verdict(standards.Fail, "No auditd or syslog daemon, and systemd-journald keeps logs only in memory (/var/log/journal does not exist), so they are lost at reboot.")
		}
		return cannotTell("whether the journal is persistent", j)
	}
	return verdict(standards.Fail, "Nothing keeps logs: none of auditd, rsyslogd, syslog-ng or systemd-journald is running.")
}

var (
	cbsRebootPending   = probe.RegistryKeysMatching(`HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Component Based Servicing\RebootPending`)
	wuRebootRequired   = probe.RegistryKeysMatching(`HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\WindowsUpdate\Auto Update\RebootRequired`)
	pendingFileRenames = probe.RegistryValue(`HKLM\SYSTEM\CurrentControlSet\Control\Session Manager`, "PendingFileRenameOperations")
)

// PendingReboot warns when installed updates wait for a restart to take
// effect. Uptime is not used: Fast Startup shutdowns do not reset it
// (shared/windows-facts.md sections 0.12 and 3e).
func PendingReboot() *Check {
	return &Check{
		ID:        "pending-reboot",
		Title:     "No installed update is waiting for a restart",
		Severity:  standards.Medium,
		Platforms: []string{Windows},
		Mappings: standards.Mappings{
			NDG:             []int{8},
			DSPTItems:       []string{"8.3.1"},
			DSPT:            []string{"B4.d (CAF)"},
			CyberEssentials: []string{"Security update management"},
			CAF:             []string{"B4.d"},
		},
		Remediation: "Restart the PC (Start > Power > Update and restart; a shutdown with Fast Startup does not finish updates).",
		Reads:       []probe.Query{cbsRebootPending, wuRebootRequired, pendingFileRenames},
		Evaluate:    evaluatePendingReboot,
	}
}

func evaluatePendingReboot(e *Env) Verdict {
	var pending []string
	var bad []probe.Observation
	for _, q := range []probe.Query{cbsRebootPending, wuRebootRequired} {
		o := e.Observe(q)
		switch {
		case o.Error == nil:
			pending = append(pending, q.Path)
		case !o.Is(probe.NotFound):
			bad = append(bad, o)
		}
	}
	e.Observe(pendingFileRenames) // shown as evidence only: installers use it too, so it proves nothing about updates
	switch {
	case len(pending) > 0:
		return verdict(standards.Warn, "Updates are installed but not active until a restart: %s exists.", strings.Join(pending, " and "))
	case len(bad) > 0:
		return cannotTell("whether a restart is pending", bad...)
	}
	return verdict(standards.Pass, "No update is waiting for a restart (neither the servicing RebootPending nor the Windows Update RebootRequired key exists).")
}
