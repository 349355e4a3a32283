package checks

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/nhs-dspt/dspt-audit/checks/probe"
	"github.com/nhs-dspt/dspt-audit/standards"
)

// userAccount is a local account. Queries always filter LocalAccount=True:
// unfiltered, Win32_UserAccount walks the whole domain
// (shared/windows-facts.md section 0.8).
type userAccount struct {
	Name     *string
	SID      *string
	Disabled *bool
}

// administratorsSID is BUILTIN\Administrators, whatever its localised name.
const administratorsSID = "S-1-5-32-544"

var (
	guestAccount   = probe.NewWMI[userAccount](`root\cimv2`, "SELECT Name, SID, Disabled FROM Win32_UserAccount WHERE LocalAccount=True AND SID LIKE 'S-1-5-21-%-501'")
	adminGroup     = probe.WindowsAPI("NetLocalGroupGetMembers", administratorsSID)
	etcGroup       = probe.FileContents("/etc/group")
	etcPasswd      = probe.FileContents("/etc/passwd")
	accountMapping = standards.Mappings{
		NDG:             []int{4},
		DSPTItems:       []string{"4.2.4"},
		DSPT:            []string{"B2.c (CAF)"},
		CyberEssentials: []string{"User access control", "Secure configuration"},
		CAF:             []string{"B2.c"},
	}
	// adminMapping adds the items about who holds admin rights.
	adminMapping = standards.Mappings{
		NDG:             []int{4},
		DSPTItems:       []string{"4.3.1", "4.2.4"},
		DSPT:            []string{"B2.c (CAF)"},
		CyberEssentials: []string{"User access control", "Secure configuration"},
		CAF:             []string{"B2.c"},
	}
)

// GuestDisabled fails a PC whose built-in Guest account (RID 501, found by
// SID because it is often renamed and its name is localised) is enabled.
func GuestDisabled() *Check {
	return &Check{
		ID:          "guest-disabled",
		Title:       "The built-in Guest account is disabled",
		Severity:    standards.High,
		Platforms:   []string{Windows},
		Mappings:    withCIS(accountMapping, "2.3.1.2 (Win10/11 v3.0.0)"),
		Remediation: "Disable the Guest account: Group Policy 'Accounts: Guest account status' = Disabled, or `net user` on the account whose SID ends in -501.",
		Reads:       []probe.Query{guestAccount.Query},
		Evaluate:    evaluateGuest,
	}
}

func evaluateGuest(e *Env) Verdict {
	rows, obs := guestAccount.Rows(e)
	if obs.Error != nil {
		return cannotTell("the Guest account", obs)
	}
	if len(rows) != 1 || rows[0].Disabled == nil {
		// Every Windows SAM holds RID 501; no row means WMI did not answer.
		return verdict(standards.Unknown, "Win32_UserAccount returned %s for the local account with RID 501, which every Windows PC has, so WMI's answer cannot be trusted.", plural(len(rows), "row", "rows"))
	}
	g := rows[0]
	if *g.Disabled {
		return verdict(standards.Pass, "The Guest account (%s, %s) is disabled.", deref(g.Name), deref(g.SID))
	}
	return verdict(standards.Fail, "The Guest account (%s, %s) is ENABLED: anyone can log on without a password.", deref(g.Name), deref(g.SID))
}

// maxAdmins is how many members the Administrators group may have before
// the check warns: the built-in Administrator, a LAPS-managed account and
// the IT support group(s). More usually means everyday users are admins.
const maxAdmins = 3

// Well-known SIDs that make everyone an administrator.
var everyoneSIDs = map[string]string{"S-1-1-0": "Everyone", "S-1-5-11": "Authenticated Users", "S-1-5-4": "INTERACTIVE", "S-1-5-32-545": "Users"}

// LocalAdmins lists the local Administrators group by SID.
func LocalAdmins() *Check {
	return &Check{
		ID:           "local-admins",
		Title:        fmt.Sprintf("Few local administrators (at most %d members; nobody is admin by default)", maxAdmins),
		Severity:     standards.Medium,
		Platforms:    []string{Windows, Linux},
		Mappings:     withCIS(adminMapping, "18.9.25.x (Windows LAPS)"),
		Remediation:  "Remove everyday user accounts from the local Administrators group; give IT staff separate admin accounts used only for admin tasks, and manage the local Administrator password with Windows LAPS.",
		Remediations: map[string]string{Linux: "Remove everyday user accounts from the sudo (or wheel) group (`gpasswd -d USER sudo`); give IT staff separate admin accounts used only for admin tasks, and lock the root password (`passwd -l root`)."},
		Reads:        []probe.Query{adminGroup, etcGroup, etcPasswd},
		Evaluate:     evaluateLocalAdmins,
	}
}

func evaluateLocalAdmins(e *Env) Verdict {
	if e.Host.OS == Linux {
		return linuxAdmins(e)
	}
	o := e.Observe(adminGroup)
	var g probe.LocalGroup
	if err := o.Decode(&g); err != nil {
		return cannotTell("the members of the Administrators group ("+administratorsSID+")", o)
	}
	var names []string
	for _, m := range g.Members {
		if who, ok := everyoneSIDs[m.SID]; ok {
			return verdict(standards.Fail, "%s (%s) is a member of %s (%s): every user is an administrator.", who, m.SID, g.Name, g.SID)
		}
		names = append(names, memberName(m))
	}
	return judgeAdminCount(fmt.Sprintf("%s (%s)", g.Name, g.SID), names)
}

func memberName(m probe.GroupMember) string {
	switch {
	case m.Name == "" && strings.HasPrefix(m.SID, "S-1-12-1-"):
		return m.SID + " (Entra ID, unresolved)"
	case m.Name == "":
		return m.SID + " (unresolved)"
	case m.Domain != "":
		return fmt.Sprintf(`%s\%s`, m.Domain, m.Name)
	}
	return m.Name
}

func judgeAdminCount(group string, members []string) Verdict {
	list := strings.Join(members, ", ")
	if len(members) > maxAdmins {
		return verdict(standards.Warn, "%s has %d members, more than %d: %s. Check each is an admin-only account.", group, len(members), maxAdmins, list)
	}
	return verdict(standards.Pass, "%s has %s: %s.", group, plural(len(members), "member", "members"), list)
}

// linuxAdmins counts the members of the groups sudo grants root to by
// default (Debian sudo, RHEL wheel, old Ubuntu admin) and any extra UID 0
// account. /etc/sudoers itself is root-only and not read.
func linuxAdmins(e *Env) Verdict {
	groupObs, passwdObs := e.Observe(etcGroup), e.Observe(etcPasswd)
	groups, err1 := groupObs.Text()
	passwd, err2 := passwdObs.Text()
	if err1 != nil || err2 != nil {
		return cannotTell("the admin groups", groupObs, passwdObs)
	}
	var extraRoot []string
	for _, line := range strings.Split(passwd, "\n") {
		f := strings.Split(line, ":")
		if len(f) > 3 && f[2] == "0" && f[0] != "root" {
			extraRoot = append(extraRoot, f[0])
		}
	}
	if len(extraRoot) > 0 {
		return verdict(standards.Fail, "Accounts other than root have UID 0 in /etc/passwd: %s.", strings.Join(extraRoot, ", "))
	}
	var members, seen []string
	for _, line := range strings.Split(groups, "\n") {
		f := strings.Split(line, ":")
		if len(f) < 4 || !slices.Contains([]string{"sudo", "wheel", "admin"}, f[0]) {
			continue
		}
		seen = append(seen, f[0])
		for _, m := range strings.Split(f[3], ",") {
			if m = strings.TrimSpace(m); m != "" && !slices.Contains(members, m) {
				members = append(members, m)
			}
		}
	}
	if len(seen) == 0 {
		return verdict(standards.Pass, "No sudo, wheel or admin group exists and root is the only UID 0 account.")
	}
	if len(members) == 0 {
		return verdict(standards.Pass, "The %s group has no members and root is the only UID 0 account.", strings.Join(seen, "/"))
	}
	return judgeAdminCount("The "+strings.Join(seen, "/")+" group", members)
}

// Cyber Essentials' password rules (shared/standards-reference.md section 4):
// at least 12 characters, or at least 8 with MFA or a deny-list; lock out
// after at most 10 wrong guesses.
const (
	ceMinLength       = 12
	ceMinLengthWithMF = 8
	ceMaxGuesses      = 10
)

var (
	passwordPolicyAPI = probe.WindowsAPI("NetUserModalsGet")
	pamFiles          = probe.FilesWithContents("/etc/pam.d/*")
	securityConfs     = probe.FilesWithContents("/etc/security/*.conf")
)

// PasswordPolicy judges the local password length and lockout rules.
func PasswordPolicy() *Check {
	return &Check{
		ID:        "password-policy",
		Title:     "Password length and lockout meet Cyber Essentials",
		Severity:  standards.Medium,
		Platforms: []string{Windows, Linux},
		Mappings: standards.Mappings{
			NDG:             []int{4},
			DSPTItems:       []string{"1.3.1"},
			DSPT:            []string{"4.5 (earlier toolkits: passwords suitable for the information protected)", "B2.a (CAF)"},
			CyberEssentials: []string{"User access control", "Secure configuration"},
			CAF:             []string{"B2.a"},
			CIS:             []string{"1.1.4 (min length >= 14)", "1.2.2 (lockout threshold <= 5)"},
		},
		Remediation:  fmt.Sprintf("Set 'Minimum password length' to %d or more and 'Account lockout threshold' to between 1 and %d (Group Policy: Account Policies). Domain accounts follow the domain's policy, which is set on the domain controller.", ceMinLength, ceMaxGuesses),
		Remediations: map[string]string{Linux: fmt.Sprintf("Set minlen = %d or more in /etc/security/pwquality.conf (with pam_pwquality in the PAM password stack) and deny = between 1 and %d in /etc/security/faillock.conf (with pam_faillock in the auth stack). Directory accounts (SSSD, LDAP) follow the directory's policy.", ceMinLength, ceMaxGuesses)},
		Reads:        []probe.Query{passwordPolicyAPI, pamFiles, securityConfs},
		Evaluate:     evaluatePasswordPolicy,
	}
}

func evaluatePasswordPolicy(e *Env) Verdict {
	if e.Host.OS == Linux {
		return linuxPasswordPolicy(e)
	}
	o := e.Observe(passwordPolicyAPI)
	var p probe.PasswordPolicy
	if err := o.Decode(&p); err != nil {
		return cannotTell("the local password policy", o)
	}
	return judgePasswords(int(p.MinLength), int(p.LockoutThreshold), "local policy (NetUserModalsGet)")
}

func judgePasswords(minLen, lockout int, source string) Verdict {
	lockText := fmt.Sprintf("lockout after %d failed attempts", lockout)
	if lockout == 0 {
		lockText = "no account lockout"
	}
	facts := fmt.Sprintf("%s: minimum length %d, %s", source, minLen, lockText)
	var problems []string
	status := standards.Pass
	if minLen < ceMinLengthWithMF {
		problems = append(problems, fmt.Sprintf("minimum length below %d", ceMinLengthWithMF))
		status = standards.Fail
	}
	if lockout == 0 || lockout > ceMaxGuesses {
		problems = append(problems, fmt.Sprintf("more than %d guesses allowed", ceMaxGuesses))
		status = standards.Fail
	}
	if status == standards.Fail {
		return verdict(status, "%s. Fails Cyber Essentials: %s.", facts, strings.Join(problems, "; "))
	}
	if minLen < ceMinLength {
		return verdict(standards.Warn, "%s. Meets Cyber Essentials only if MFA or a deny-list of common passwords is also in place (the scan cannot see either); %d characters meets it alone.", facts, ceMinLength)
	}
	return verdict(standards.Pass, "%s.", facts)
}

var (
	pamMinLen    = regexp.MustCompile(`\bminlen=(\d+)`)
	pamDeny      = regexp.MustCompile(`\bdeny=(\d+)`)
	confMinLen   = regexp.MustCompile(`(?m)^\s*minlen\s*=\s*(\d+)`)
	confDeny     = regexp.MustCompile(`(?m)^\s*deny\s*=\s*(\d+)`)
	pamPWQuality = regexp.MustCompile(`(?m)^\s*password\s+\S+\s+pam_(pwquality|cracklib)\.so(.*)$`)
	pamUnixPW    = regexp.MustCompile(`(?m)^\s*password\s+\S+.*pam_unix\.so(.*)$`)
	pamFaillock  = regexp.MustCompile(`(?m)^\s*auth\s+\S+.*pam_(faillock|tally2)\.so(.*)$`)
)

// Defaults when PAM modules are present without options: pam_unix 6
// (pam_unix(8)), pwquality 8 (pwquality.conf(5)), faillock deny 3
// (faillock.conf(5)).
const (
	pamUnixDefaultMin   = 6
	pwqualityDefaultMin = 8
	faillockDefaultDeny = 3
)

// linuxPasswordPolicy reads the PAM stacks for passwords and logins
// (Debian common-*, RHEL system-auth/password-auth).
func linuxPasswordPolicy(e *Env) Verdict {
	pamObs, confObs := e.Observe(pamFiles), e.Observe(securityConfs)
	var pam, confs []probe.FileEntry
	if err := pamObs.Decode(&pam); err != nil {
		return cannotTell("the PAM configuration", pamObs)
	}
	_ = confObs.Decode(&confs)
	conf := func(name string) string {
		for _, f := range confs {
			if strings.HasSuffix(f.Path, "/"+name) && f.Contents != nil {
				return *f.Contents
			}
		}
		return ""
	}
	var stack strings.Builder
	var read []string
	for _, f := range pam {
		base := f.Path[strings.LastIndex(f.Path, "/")+1:]
		if f.Contents != nil && slices.Contains([]string{"common-password", "common-auth", "system-auth", "password-auth"}, base) {
			stack.WriteString(*f.Contents + "\n")
			read = append(read, base)
		}
	}
	if len(read) == 0 {
		return verdict(standards.Unknown, "None of common-password, common-auth, system-auth or password-auth is in /etc/pam.d, so the password rules cannot be read.")
	}
	text := stack.String()
	minLen := -1
	if m := pamPWQuality.FindStringSubmatch(text); m != nil {
		minLen = firstInt(pamMinLen, m[2], firstInt(confMinLen, conf("pwquality.conf"), pwqualityDefaultMin))
	} else if m := pamUnixPW.FindStringSubmatch(text); m != nil {
		minLen = firstInt(pamMinLen, m[1], pamUnixDefaultMin)
	}
	lockout := 0
	if m := pamFaillock.FindStringSubmatch(text); m != nil {
		def := faillockDefaultDeny
		if m[1] == "faillock" {
			def = firstInt(confDeny, conf("faillock.conf"), faillockDefaultDeny)
		}
		lockout = firstInt(pamDeny, m[2], def)
	}
	if minLen < 0 {
		return verdict(standards.Unknown, "No pam_unix, pam_pwquality or pam_cracklib password line in %s.", strings.Join(read, ", "))
	}
	return judgePasswords(minLen, lockout, "PAM ("+strings.Join(read, ", ")+")")
}

func firstInt(re *regexp.Regexp, text string, def int) int {
	if m := re.FindStringSubmatch(text); m != nil {
		if n, err := strconv.Atoi(m[1]); err == nil {
			return n
		}
	}
	return def
}
