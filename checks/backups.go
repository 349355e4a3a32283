package checks

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/nhs-dspt/dspt-audit/checks/probe"
	"github.com/nhs-dspt/dspt-audit/standards"
)

// maxBackupAge is how old the newest successful backup may be: DSPT 7.3.4
// asks for backups that would restore essential data, and a week-old copy
// is the most a practice would accept losing.
const maxBackupAge = 7 * 24 * time.Hour

var (
	fileHistoryOff   = probe.RegistryValue(`HKLM\SOFTWARE\Policies\Microsoft\Windows\FileHistory`, "Disabled")
	fileHistoryUsers = probe.RegistryKeysMatching(`HKU\*\Software\Microsoft\Windows\CurrentVersion\FileHistory`, "ProtectedUpToTime")
	windowsBackupCfg = probe.RegistryKeysMatching(`HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\WindowsBackup\*`)
	kfmSilentOptIn   = probe.RegistryValue(`HKLM\SOFTWARE\Policies\Microsoft\OneDrive`, "KFMSilentOptIn")
	kfmBlockOptOut   = probe.RegistryValue(`HKLM\SOFTWARE\Policies\Microsoft\OneDrive`, "KFMBlockOptOut")
	shadowCopies     = probe.NewWMI[shadowCopy](`root\cimv2`, "SELECT InstallDate FROM Win32_ShadowCopy")

	backupCronFiles  = probe.FilesWithContents("/etc/cron.d/*")
	backupCrontab    = probe.FileContents("/etc/crontab")
	backupUserCrons  = probe.FilesWithContents("/var/spool/cron/crontabs/*")
	backupCronDaily  = probe.FilesMatching("/etc/cron.daily/*")
	backupTimersWant = probe.FilesMatching("/etc/systemd/system/timers.target.wants/*.timer")
)

// shadowCopy is a volume shadow copy; InstallDate is a CIM datetime
// (yyyymmddHHMMSS.ffffff+UUU), which is never translated.
type shadowCopy struct {
	InstallDate *string
}

// backupAgents are backup products by the service names their installers
// create (vendors' documentation and support scripts; display names are
// translated and not used). An agent that is installed shows backups are
// arranged, not that they succeed, so it can only ever warn.
var backupAgents = []product{
	{name: "Veeam Agent", services: []string{"VeeamEndpointBackupSvc", "VeeamBackupSvc"}},
	{name: "Acronis", services: []string{"AcrSch2Svc", "AcronisAgent", "AcronisCyberProtectionService", "MMS"}},
	{name: "Datto", services: []string{"DattoBackupAgentService", "DattoBackupAgent"}},
	{name: "Macrium Reflect", services: []string{"MacriumService"}},
	{name: "Veritas Backup Exec", services: []string{"BackupExecAgentAccelerator", "BackupExecRPCService", "BackupExecJobEngine"}},
	{name: "Carbonite", services: []string{"CarboniteService"}},
	{name: "CrashPlan (Code42)", services: []string{"CrashPlanService", "Code42Service"}},
	{name: "Backblaze", services: []string{"bzserv"}},
	{name: "Microsoft Azure Backup (MARS)", services: []string{"obengine"}},
	{name: "Commvault", services: []string{"GxCVD*"}},
}

// linuxBackupTools are the backup programs whose names, in a cron line or
// a timer's name, show a scheduled backup.
var (
	linuxBackupToolNames = []string{"restic", "borg", "borgmatic", "duplicity", "duplicati", "rsnapshot", "rdiff-backup", "bacula", "bareos", "timeshift", "urbackup", "kopia", "amdump", "burp"}
	linuxBackupTools     = regexp.MustCompile(`\b(` + strings.Join(linuxBackupToolNames, "|") + `)\b`)
)

// linuxBackupDaemons are backup clients that run as daemons.
var linuxBackupDaemons = map[string]string{
	"bacula-fd": "Bacula file daemon", "bareos-fd": "Bareos file daemon", "urbackupclientbackend": "UrBackup client",
	"veeamservice": "Veeam Agent for Linux", "dsmcad": "IBM Storage Protect client", "cvd": "Commvault",
}

// BackupsEvident looks for evidence that this machine's data is backed up.
func BackupsEvident() *Check {
	return &Check{
		ID:        "backups-evident",
		Title:     "There is evidence that this machine's data is backed up",
		Severity:  standards.Medium,
		Platforms: []string{Windows, Linux},
		Mappings: standards.Mappings{
			NDG:       []int{7},
			DSPTItems: []string{"7.3.4"},
			DSPT:      []string{"B5.c (CAF)"},
			CAF:       []string{"B5.c"},
		},
		Remediation:  "Back up the data this PC holds: the practice's backup agent, OneDrive Known Folder Move enforced by policy (KFMSilentOptIn with KFMBlockOptOut = 1), or File History to a network share; check that backups succeed and test a restore. If the PC holds no data of its own (everything is in the clinical system or on servers), record that as the practice's answer to DSPT 7.3.4.",
		Remediations: map[string]string{Linux: "Schedule restic, borg or the practice's backup client (a systemd timer or cron job), keep its logs, check that backups succeed and test a restore. If the host holds no data of its own, record that as the practice's answer to DSPT 7.3.4."},
		Reads: []probe.Query{fileHistoryOff, fileHistoryUsers, serviceStart("fhsvc"), windowsBackupCfg, kfmSilentOptIn, kfmBlockOptOut,
			windowsServices, shadowCopies.Query, backupCronFiles, backupCrontab, backupUserCrons, backupCronDaily, backupTimersWant, linuxProcesses},
		Evaluate: evaluateBackups,
	}
}

// Evidence grades: how far a source can lift the verdict.
const (
	gradeNone = iota
	gradeConfigured
	gradeSucceeded
)

// evidence gathers what each source showed. A source that could not be read
// matters only if it could have lifted the verdict above what the others
// show; otherwise every value it could have had gives the same verdict.
type evidence struct {
	succeeded, configured []string
	unread                []probe.Observation
	unreadGrade           []int
}

func (ev *evidence) cannotRead(o probe.Observation, couldGive int) {
	ev.unread = append(ev.unread, unusable(o, "value of an unexpected type"))
	ev.unreadGrade = append(ev.unreadGrade, couldGive)
}

func (ev *evidence) grade() int {
	switch {
	case len(ev.succeeded) > 0:
		return gradeSucceeded
	case len(ev.configured) > 0:
		return gradeConfigured
	}
	return gradeNone
}

// verdict judges the evidence; none is the verdict when nothing was found.
func (ev *evidence) verdict(what string, none Verdict) Verdict {
	g := ev.grade()
	var blocking []probe.Observation
	for i, o := range ev.unread {
		if ev.unreadGrade[i] > g {
			blocking = append(blocking, o)
		}
	}
	if len(blocking) > 0 {
		v := cannotTell(what, blocking...)
		if g == gradeConfigured {
			v.Summary = fmt.Sprintf("Seen: %s. %s", strings.Join(ev.configured, "; "), v.Summary)
		}
		return v
	}
	switch g {
	case gradeSucceeded:
		return verdict(standards.Pass, "Backed up: %s.%s", strings.Join(ev.succeeded, "; "), listSuffix(" Also: ", ev.configured))
	case gradeConfigured:
		return verdict(standards.Warn, "Backups are arranged but no recent success is recorded where this tool can read it: %s. Check the backup product's own reports and test a restore.", strings.Join(ev.configured, "; "))
	}
	return none
}

func evaluateBackups(e *Env) Verdict {
	if e.Host.OS == Linux {
		return linuxBackups(e)
	}
	var ev evidence
	fileHistory(e, &ev)
	oneDriveKFM(e, &ev)
	if o := e.Observe(windowsBackupCfg); o.Error == nil {
		ev.configured = append(ev.configured, `Windows Backup (Backup and Restore) has a configuration under HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\WindowsBackup`)
	} else if !o.Is(probe.NotFound) {
		ev.cannotRead(o, gradeConfigured)
	}
	if services, o, ok := readServices(e); ok {
		for _, agent := range findProducts(backupAgents, services, nil) {
			ev.configured = append(ev.configured, agent+" installed")
		}
	} else {
		ev.cannotRead(o, gradeConfigured)
	}
	recentShadowCopies(e, &ev)
	return ev.verdict("whether this PC is backed up", verdict(standards.Fail,
		"No backup of this PC was found: File History has no recent backup, OneDrive Known Folder Move is not enforced, Windows Backup is not configured, no known backup agent's service is installed and there are no recent shadow copies."))
}

// fileHistory reads when each loaded user profile's File History last
// finished (ProtectedUpToTime, a FILETIME its service writes after each
// successful run). Profiles of users not logged on are not loaded under
// HKU and are not seen.
func fileHistory(e *Env, ev *evidence) {
	off := readDWORD(e, fileHistoryOff)
	svc := readDWORD(e, serviceStart("fhsvc"))
	switch {
	case off.failed:
		ev.cannotRead(off.obs, gradeSucceeded)
		return
	case svc.failed:
		ev.cannotRead(svc.obs, gradeSucceeded)
		return
	case off.set && off.n == 1:
		return // turned off by policy: nothing it recorded counts
	case svc.set && svc.n == serviceDisabled:
		return
	}
	o := e.Observe(fileHistoryUsers)
	var keys []probe.RegKey
	if err := o.Decode(&keys); err != nil {
		if !o.Is(probe.NotFound) {
			ev.cannotRead(o, gradeSucceeded)
		}
		return
	}
	for _, k := range keys {
		user := strings.SplitN(strings.TrimPrefix(k.Path, `HKU\`), `\`, 2)[0]
		ft, ok := k.Int("ProtectedUpToTime")
		if !ok || ft == 0 {
			ev.configured = append(ev.configured, fmt.Sprintf("File History is set up for %s but records no completed backup", user))
			continue
		}
		when := fileTime(ft)
		age := e.Now.Sub(when)
		switch {
		case age < -24*time.Hour:
			ev.configured = append(ev.configured, fmt.Sprintf("File History for %s records a backup in the future (%s), which is not believed", user, when.Format(time.DateOnly)))
		case age <= maxBackupAge:
			ev.succeeded = append(ev.succeeded, fmt.Sprintf("File History for %s completed a backup on %s", user, when.Format(time.DateOnly)))
		default:
			ev.configured = append(ev.configured, fmt.Sprintf("File History for %s last completed a backup on %s, %d days ago", user, when.Format(time.DateOnly), int(age.Hours()/24)))
		}
	}
}

// fileTime converts a Windows FILETIME (100 ns since 1601) to a time.
func fileTime(ft uint64) time.Time {
	const unixEpoch = 116444736000000000
	if ft < unixEpoch {
		return time.Unix(0, 0).UTC()
	}
	d := ft - unixEpoch
	return time.Unix(int64(d/1e7), int64(d%1e7)*100).UTC()
}

// oneDriveKFM passes when policy moves Desktop, Documents and Pictures into
// OneDrive and stops users moving them back.
func oneDriveKFM(e *Env, ev *evidence) {
	optIn := e.Observe(kfmSilentOptIn)
	block := readDWORD(e, kfmBlockOptOut)
	tenant, err := optIn.RegString()
	switch {
	case optIn.Is(probe.NotFound) || err == nil && strings.TrimSpace(tenant) == "":
		return
	case err != nil:
		ev.cannotRead(optIn, gradeSucceeded)
	case block.failed:
		ev.configured = append(ev.configured, "OneDrive Known Folder Move is turned on by policy (KFMSilentOptIn)")
		ev.cannotRead(block.obs, gradeSucceeded)
	case block.set && block.n == 1:
		ev.succeeded = append(ev.succeeded, fmt.Sprintf("OneDrive Known Folder Move is enforced by policy for tenant %s (KFMSilentOptIn, KFMBlockOptOut = 1)", tenant))
	default:
		ev.configured = append(ev.configured, fmt.Sprintf("OneDrive Known Folder Move is turned on by policy for tenant %s, but users may move their folders back (KFMBlockOptOut is %s)", tenant, valueOrNotSet(block)))
	}
}

// recentShadowCopies counts volume shadow copies: restore points on the
// same disk, which do not survive its failure or ransomware, so they are
// never more than a warning's worth of evidence.
func recentShadowCopies(e *Env, ev *evidence) {
	rows, o := shadowCopies.Rows(e)
	if o.Error != nil {
		if !o.Is(probe.NotFound) {
			ev.cannotRead(o, gradeConfigured)
		}
		return
	}
	var newest time.Time
	for _, r := range rows {
		if r.InstallDate == nil {
			continue
		}
		if t, ok := cimTime(*r.InstallDate); ok && t.After(newest) {
			newest = t
		}
	}
	if !newest.IsZero() && e.Now.Sub(newest) <= maxBackupAge {
		ev.configured = append(ev.configured, fmt.Sprintf("%s, the newest from %s (copies on the same disk, not a backup)", plural(len(rows), "volume shadow copy", "volume shadow copies"), newest.Format(time.DateOnly)))
	}
}

// cimTime parses a CIM datetime such as 20260919221503.123456+060, whose
// offset is in minutes.
func cimTime(s string) (time.Time, bool) {
	if len(s) != 25 || (s[21] != '+' && s[21] != '-') {
		return time.Time{}, false
	}
	t, err := time.Parse("20060102150405", s[:14])
	if err != nil {
		return time.Time{}, false
	}
	minutes, err := strconv.Atoi(s[22:])
	if err != nil || strings.ContainsAny(s[22:], "+-") {
		return time.Time{}, false
	}
	if s[21] == '-' {
		minutes = -minutes
	}
	return t.Add(-time.Duration(minutes) * time.Minute).UTC(), true
}

// scheduleFiles reads a list of schedule files; a list that could not be
// read is noted as such, one whose folder does not exist is simply empty.
func scheduleFiles(e *Env, q probe.Query, ev *evidence) (probe.Observation, []probe.FileEntry) {
	o := e.Observe(q)
	var files []probe.FileEntry
	if err := o.Decode(&files); err != nil {
		if !o.Is(probe.NotFound) {
			ev.cannotRead(o, gradeConfigured)
		}
		return o, nil
	}
	return o, files
}

// linuxBackups looks for a scheduled backup in cron and systemd timers and
// for backup daemons. A schedule is not a success, so Linux never passes:
// the tool cannot read the backup tool's results.
func linuxBackups(e *Env) Verdict {
	var ev evidence
	for _, q := range []probe.Query{backupCronFiles, backupUserCrons} {
		o, files := scheduleFiles(e, q, &ev)
		for _, f := range files {
			switch {
			case f.Contents != nil:
				ev.configured = append(ev.configured, cronBackups(f.Path, *f.Contents)...)
			case f.Unreadable != "":
				ev.cannotRead(unreadableFile(o, f), gradeConfigured)
			}
		}
	}
	if o := e.Observe(backupCrontab); o.Error == nil {
		text, _ := o.Text()
		ev.configured = append(ev.configured, cronBackups("/etc/crontab", text)...)
	} else if !o.Is(probe.NotFound) {
		ev.cannotRead(o, gradeConfigured)
	}
	for _, q := range []probe.Query{backupCronDaily, backupTimersWant} {
		_, files := scheduleFiles(e, q, &ev)
		for _, f := range files {
			if tool := linuxBackupTools.FindString(strings.ToLower(f.Path[strings.LastIndex(f.Path, "/")+1:])); tool != "" {
				ev.configured = append(ev.configured, fmt.Sprintf("%s is scheduled (%s)", tool, f.Path))
			}
		}
	}
	if _, found, bad := running(e, linuxBackupDaemons); bad != nil {
		ev.cannotRead(e.Observe(linuxProcesses), gradeConfigured)
	} else {
		for _, d := range found {
			ev.configured = append(ev.configured, d+" is running")
		}
	}
	return ev.verdict("whether this machine is backed up", verdict(standards.Fail,
		"No scheduled backup was found: no cron entry or systemd timer runs a known backup tool (%s) and no backup client daemon runs.", strings.Join(linuxBackupToolNames, ", ")))
}

// cronBackups names the backup tools a crontab's active lines run.
func cronBackups(path, text string) []string {
	var out []string
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if tool := linuxBackupTools.FindString(line); tool != "" {
			out = append(out, fmt.Sprintf("%s is scheduled in %s", tool, path))
		}
	}
	return out
}
