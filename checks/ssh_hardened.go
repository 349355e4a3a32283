package checks

import (
	"fmt"
	"strings"

	"github.com/nhs-dspt/dspt-audit/checks/probe"
	"github.com/nhs-dspt/dspt-audit/standards"
)

var (
	sshdConfig   = probe.FilesWithContents("/etc/ssh/sshd_config")
	sshdDropIns  = probe.FilesWithContents("/etc/ssh/sshd_config.d/*.conf")
	sshdDefaults = map[string]string{ // sshd_config(5), OpenSSH 7.0 and later
		"permitrootlogin":              "prohibit-password",
		"passwordauthentication":       "yes",
		"kbdinteractiveauthentication": "yes",
	}
)

// SSHHardened fails an SSH server that accepts root or password logins.
func SSHHardened() *Check {
	return &Check{
		ID:        "ssh-hardened",
		Title:     "The SSH server refuses root and password logins",
		Severity:  standards.High,
		Platforms: []string{Linux},
		Mappings: standards.Mappings{
			NDG:             []int{4, 9},
			DSPTItems:       []string{"4.5.3", "8.4.3"},
			DSPT:            []string{"B2.a (CAF)"},
			CyberEssentials: []string{"User access control", "Secure configuration"},
			CAF:             []string{"B2.a", "B4.b"},
		},
		Remediation: "In /etc/ssh/sshd_config (or a file in sshd_config.d): `PermitRootLogin no`, `PasswordAuthentication no`, `KbdInteractiveAuthentication no`; use keys (with MFA where remote), then `systemctl reload ssh`.",
		Reads:       []probe.Query{sshdConfig, sshdDropIns},
		Evaluate:    evaluateSSH,
	}
}

// evaluateSSH reads the configuration the way sshd does: the first value
// of a keyword wins, Include pulls the drop-ins in where it stands, and
// Match blocks (which apply to some connections only) are not judged.
func evaluateSSH(e *Env) Verdict {
	main := e.Observe(sshdConfig)
	if main.Is(probe.NotFound) {
		return verdict(standards.NotApplicable, "No OpenSSH server is installed (/etc/ssh/sshd_config does not exist).")
	}
	config, ok := fileText(main)
	if !ok {
		return cannotTell("the SSH server configuration", main)
	}
	dropObs := e.Observe(sshdDropIns)
	var dropIns []probe.FileEntry
	if err := dropObs.Decode(&dropIns); err != nil && !dropObs.Is(probe.NotFound) {
		return cannotTell("the SSH server's drop-in configuration", dropObs)
	}
	settings := map[string]setting{}
	applySSHConfig(config, sshdConfig.Path, dropIns, settings)
	var bad, good []string
	for _, key := range []string{"permitrootlogin", "passwordauthentication", "kbdinteractiveauthentication"} {
		s, ok := settings[key]
		if !ok {
			s = setting{sshdDefaults[key], "default"}
		}
		desc := fmt.Sprintf("%s %s (%s)", key, s.value, s.from)
		if sshSettingBad(s.value) {
			bad = append(bad, desc)
		} else {
			good = append(good, desc)
		}
	}
	if len(bad) > 0 {
		return verdict(standards.Fail, "The SSH server allows %s.%s", strings.Join(bad, "; "), listSuffix(" Fine: ", good))
	}
	return verdict(standards.Pass, "The SSH server refuses root and password logins: %s.", strings.Join(good, "; "))
}

type setting struct{ value, from string }

func applySSHConfig(text, path string, dropIns []probe.FileEntry, out map[string]setting) {
	for _, line := range strings.Split(text, "\n") {
		f := strings.Fields(line)
		if len(f) < 2 || strings.HasPrefix(f[0], "#") {
			continue
		}
		key := strings.ToLower(f[0])
		if key == "challengeresponseauthentication" {
			key = "kbdinteractiveauthentication" // the old name of the same option
		}
		switch key {
		case "match":
			return
		case "include":
			for _, d := range dropIns {
				if d.Contents != nil {
					applySSHConfig(*d.Contents, d.Path, nil, out)
				}
			}
			continue
		}
		if _, set := out[key]; !set {
			out[key] = setting{strings.ToLower(f[1]), path}
		}
	}
}

// sshSettingBad: "yes" is the only bad value of the three; PermitRootLogin's
// prohibit-password, without-password and forced-commands-only allow keys only.
func sshSettingBad(value string) bool { return value == "yes" }
