package checks

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/nhs-dspt/dspt-audit/checks/probe"
	"github.com/nhs-dspt/dspt-audit/standards"
)

// maxLockSeconds is the longest idle time before the screen locks
// (CIS 2.3.7.4 and the NHS/CE device-locking expectation: 15 minutes).
const maxLockSeconds = 900

var screenSaverValues = []string{"ScreenSaveActive", "ScreenSaverIsSecure", "ScreenSaveTimeOut", "SCRNSAVE.EXE"}

var (
	regInactivityLimit = probe.RegistryValue(`HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Policies\System`, "InactivityTimeoutSecs")
	// Loaded user hives only: a user who is not logged on has no HKU key.
	userScreenSaverPolicy = probe.RegistryKeysMatching(`HKU\*\Software\Policies\Microsoft\Windows\Control Panel\Desktop`, screenSaverValues...)
	userScreenSaver       = probe.RegistryKeysMatching(`HKU\*\Control Panel\Desktop`, screenSaverValues...)
	desktopSessions       = probe.FilesMatching("/usr/share/xsessions/*.desktop")
	waylandSessions       = probe.FilesMatching("/usr/share/wayland-sessions/*.desktop")
	dconfLocal            = probe.FilesWithContents("/etc/dconf/db/local.d/*")
)

// ScreenLock fails a PC left unlocked when unattended, a standing risk on
// reception and consulting-room desks.
func ScreenLock() *Check {
	return &Check{
		ID:        "screen-lock",
		Title:     "The screen locks after at most 15 minutes idle",
		Severity:  standards.Medium,
		Platforms: []string{Windows, Linux},
		Mappings: standards.Mappings{
			NDG:             []int{4, 9},
			DSPTItems:       []string{"1.3.1", "1.3.13"},
			DSPT:            []string{"B2.b/B4.b (CAF)"},
			CyberEssentials: []string{"Secure configuration"},
			CAF:             []string{"B2.b", "B4.b"},
			CIS:             []string{"2.3.7.4 (Win10/11 v3.0.0)"},
		},
		Remediation:  "Set Group Policy 'Interactive logon: Machine inactivity limit' to 900 seconds or less (Computer Configuration > Windows Settings > Security Settings > Local Policies > Security Options).",
		Remediations: map[string]string{Linux: "Set a system-wide dconf default and lock (/etc/dconf/db/local.d and its locks folder): org/gnome/desktop/session idle-delay=uint32 900 and org/gnome/desktop/screensaver lock-enabled=true, then run `dconf update`."},
		Reads:        []probe.Query{regInactivityLimit, userScreenSaverPolicy, userScreenSaver, desktopSessions, waylandSessions, dconfLocal},
		Evaluate:     evaluateScreenLock,
	}
}

func evaluateScreenLock(e *Env) Verdict {
	if e.Host.OS == Linux {
		return linuxScreenLock(e)
	}
	limit := readDWORD(e, regInactivityLimit)
	switch {
	case limit.failed:
		return cannotTell("the machine inactivity limit", limit.obs)
	case limit.set && limit.n > 0 && limit.n <= maxLockSeconds:
		return verdict(standards.Pass, "Machine inactivity limit (policy InactivityTimeoutSecs) = %d s, at most %d s, for every user.", limit.n, maxLockSeconds)
	case limit.set && limit.n > maxLockSeconds:
		return verdict(standards.Fail, "Machine inactivity limit (policy InactivityTimeoutSecs) = %d s, longer than %d s.", limit.n, maxLockSeconds)
	}
	return userScreenLocks(e)
}

// userScreenLocks judges each logged-on user's screen saver, the policy
// value winning over the user's own.
func userScreenLocks(e *Env) Verdict {
	policyKeys, polObs := userKeys(e, userScreenSaverPolicy)
	ownKeys, ownObs := userKeys(e, userScreenSaver)
	if bad := failures(polObs, ownObs); len(bad) > 0 {
		return cannotTell("the users' screen saver settings", bad...)
	}
	var ok, bad []string
	for sid, own := range ownKeys {
		s := screenSaverOf(own, policyKeys[sid])
		if s.locks() {
			ok = append(ok, fmt.Sprintf("%s: %s", sid, s))
		} else {
			bad = append(bad, fmt.Sprintf("%s: %s", sid, s))
		}
	}
	switch {
	case len(bad) > 0:
		return verdict(standards.Fail, "No machine inactivity limit is set (InactivityTimeoutSecs not set or 0), and the screen saver does not lock within %d s for %s.", maxLockSeconds, strings.Join(bad, "; "))
	case len(ok) == 0:
		return verdict(standards.Unknown, "No machine inactivity limit is set (InactivityTimeoutSecs not set or 0), and no user is logged on, so no user's screen saver could be read. Set the machine inactivity limit so the answer does not depend on who is logged on.")
	}
	return verdict(standards.Pass, "No machine inactivity limit is set, but every logged-on user's screen saver locks within %d s: %s.", maxLockSeconds, strings.Join(ok, "; "))
}

// userKeys maps each real user's SID (local S-1-5-21 or Entra S-1-12-1)
// to the key found under HKU for them.
func userKeys(e *Env, q probe.Query) (map[string]probe.RegKey, probe.Observation) {
	o := e.Observe(q)
	var keys []probe.RegKey
	if o.Decode(&keys) != nil {
		return nil, o
	}
	out := map[string]probe.RegKey{}
	for _, k := range keys {
		parts := strings.Split(k.Path, `\`)
		if len(parts) > 1 && (strings.HasPrefix(parts[1], "S-1-5-21-") || strings.HasPrefix(parts[1], "S-1-12-1-")) && !strings.HasSuffix(parts[1], "_Classes") {
			out[parts[1]] = k
		}
	}
	return out, o
}

type screenSaver struct {
	active, secure, program bool
	timeout                 int
	fromPolicy              bool
}

func screenSaverOf(own, policy probe.RegKey) screenSaver {
	get := func(name string) (string, bool) {
		if s, ok := policy.String(name); ok {
			return s, true
		}
		if n, ok := policy.Int(name); ok {
			return fmt.Sprint(n), true
		}
		if s, ok := own.String(name); ok {
			return s, false
		}
		n, ok := own.Int(name)
		if ok {
			return fmt.Sprint(n), false
		}
		return "", false
	}
	var s screenSaver
	active, p1 := get("ScreenSaveActive")
	secure, p2 := get("ScreenSaverIsSecure")
	timeout, p3 := get("ScreenSaveTimeOut")
	program, _ := get("SCRNSAVE.EXE")
	s.active, s.secure, s.program = active == "1", secure == "1", strings.TrimSpace(program) != ""
	s.timeout, _ = strconv.Atoi(strings.TrimSpace(timeout))
	s.fromPolicy = p1 || p2 || p3
	return s
}

func (s screenSaver) locks() bool {
	return s.active && s.secure && s.program && s.timeout > 0 && s.timeout <= maxLockSeconds
}

func (s screenSaver) String() string {
	var parts []string
	if !s.program {
		parts = append(parts, "no screen saver chosen (SCRNSAVE.EXE)")
	}
	parts = append(parts, fmt.Sprintf("active %t, password on resume %t, timeout %d s", s.active, s.secure, s.timeout))
	if s.fromPolicy {
		parts = append(parts, "from policy")
	}
	return strings.Join(parts, ", ")
}

var (
	dconfIdleDelay = regexp.MustCompile(`(?m)^\s*idle-delay\s*=\s*(?:uint32\s+)?(\d+)`)
	dconfLock      = regexp.MustCompile(`(?m)^\s*lock-enabled\s*=\s*true`)
)

func linuxScreenLock(e *Env) Verdict {
	var sessions []string
	for _, q := range []probe.Query{desktopSessions, waylandSessions} {
		o := e.Observe(q)
		var files []probe.FileEntry
		if o.Is(probe.NotFound) {
			continue
		}
		if err := o.Decode(&files); err != nil {
			return cannotTell("which desktop sessions are installed", o)
		}
		for _, f := range files {
			sessions = append(sessions, f.Path)
		}
	}
	if len(sessions) == 0 {
		return verdict(standards.NotApplicable, "No graphical desktop is installed (no sessions in /usr/share/xsessions or /usr/share/wayland-sessions), so there is no screen to lock; console and SSH sessions are not judged here.")
	}
	o := e.Observe(dconfLocal)
	var files []probe.FileEntry
	if err := o.Decode(&files); err != nil && !o.Is(probe.NotFound) {
		return cannotTell("the system-wide desktop settings", o)
	}
	delay, locked := -1, false
	for _, f := range files {
		if f.Contents == nil {
			continue
		}
		if m := dconfIdleDelay.FindStringSubmatch(*f.Contents); m != nil {
			delay, _ = strconv.Atoi(m[1])
		}
		locked = locked || dconfLock.MatchString(*f.Contents)
	}
	switch {
	case locked && delay > 0 && delay <= maxLockSeconds:
		return verdict(standards.Pass, "A system-wide dconf setting locks the screen (lock-enabled=true) after %d s idle.", delay)
	case delay > maxLockSeconds || delay == 0:
		return verdict(standards.Fail, "The system-wide dconf idle-delay is %d s (0 = never), over %d s.", delay, maxLockSeconds)
	}
	return verdict(standards.Warn, "A desktop is installed (%s) but no system-wide screen-lock setting is in /etc/dconf/db/local.d; each user's own setting decides (GNOME's default locks after 300 s) and is not read here.", strings.Join(sessions, ", "))
}
