package checks

import (
	"fmt"
	"slices"
	"strings"

	"github.com/nhs-dspt/dspt-audit/checks/probe"
	"github.com/nhs-dspt/dspt-audit/standards"
)

// portRisk says how bad a service listening on every interface is.
type portRisk struct {
	service string
	// insecure services send passwords in clear text or have no real
	// authentication: listening beyond loopback fails the check.
	insecure bool
}

// riskyPorts are the TCP ports whose listeners are judged. 135, 139 and 445
// are not here on Windows: every Windows PC listens on them, and
// firewall-on and smb1-disabled judge that exposure.
var riskyPorts = map[uint32]portRisk{
	21: {"FTP", true}, 23: {"Telnet", true}, 512: {"rexec", true}, 513: {"rlogin", true}, 514: {"rsh", true},
	2323: {"Telnet (alt)", true}, 5900: {"VNC", true}, 5901: {"VNC", true}, 5902: {"VNC", true}, 5903: {"VNC", true},
	3389: {"Remote Desktop", false}, 5985: {"WinRM (HTTP)", false}, 5986: {"WinRM (HTTPS)", false},
	1433: {"SQL Server", false}, 3306: {"MySQL", false}, 5432: {"PostgreSQL", false}, 6379: {"Redis", false},
	11211: {"memcached", false}, 27017: {"MongoDB", false}, 9200: {"Elasticsearch", false},
}

// linuxOnlyPorts are judged on Linux only (Samba).
var linuxOnlyPorts = map[uint32]portRisk{139: {"SMB (NetBIOS)", false}, 445: {"SMB", false}}

var listening = probe.ListeningSockets()

// RiskyPorts lists services listening beyond loopback that should not be.
func RiskyPorts() *Check {
	return &Check{
		ID:        "risky-ports",
		Title:     "No risky services listen on the network (Telnet, FTP, VNC, exposed RDP or databases)",
		Severity:  standards.High,
		Platforms: []string{Windows, Linux},
		Mappings: standards.Mappings{
			NDG:             []int{9},
			DSPTItems:       []string{"8.4.3"},
			DSPT:            []string{"9.2 (earlier toolkits: vulnerability scan, penetration test)", "B4.a/B4.d (CAF)"},
			CyberEssentials: []string{"Firewalls", "Secure configuration"},
			CAF:             []string{"B4.a", "B4.b"},
			CIS:             []string{"9.x firewall, 5.x services (e.g. FTPSVC)"},
		},
		Remediation:  "Uninstall or stop the services listed (Telnet, FTP, VNC have secure replacements: SSH, SFTP, RDP with NLA via VPN); bind databases to 127.0.0.1; allow remote admin ports only from the management network in the firewall.",
		Remediations: map[string]string{Linux: "Remove or stop the services listed (`systemctl disable --now` the unit; Telnet, FTP and VNC have secure replacements: SSH and SFTP); bind databases to 127.0.0.1; allow remote admin ports only from the management network in the host firewall."},
		Reads:        []probe.Query{listening},
		Evaluate:     evaluateRiskyPorts,
	}
}

func evaluateRiskyPorts(e *Env) Verdict {
	o := e.Observe(listening)
	var sockets []probe.Socket
	if err := o.Decode(&sockets); err != nil {
		return cannotTell("the listening sockets", o)
	}
	var insecure, exposed, local []string
	for _, s := range sockets {
		risk, ok := riskyPorts[s.Port]
		if !ok && e.Host.OS == Linux {
			risk, ok = linuxOnlyPorts[s.Port]
		}
		if !ok {
			continue
		}
		desc := fmt.Sprintf("%s on %s:%d (%s)", risk.service, s.Address, s.Port, processLabel(s))
		switch {
		case isLoopback(s.Address):
			local = append(local, desc)
		case risk.insecure:
			insecure = append(insecure, desc)
		default:
			exposed = append(exposed, desc)
		}
	}
	tail := fmt.Sprintf(" (%s listening in all.)", plural(len(sockets), "TCP socket", "TCP sockets"))
	if len(local) > 0 {
		tail = fmt.Sprintf(" Loopback only, so not reachable: %s.%s", strings.Join(local, "; "), tail)
	}
	switch {
	case len(insecure) > 0:
		return verdict(standards.Fail, "Insecure services listen on the network: %s.%s%s", strings.Join(insecure, "; "), listSuffix(" Also exposed: ", exposed), tail)
	case len(exposed) > 0:
		return verdict(standards.Warn, "Listening on all or external interfaces: %s. Make sure the firewall admits only the networks that need them.%s", strings.Join(exposed, "; "), tail)
	}
	return verdict(standards.Pass, "No judged port (%s) listens beyond loopback.%s", judgedPortList(e), tail)
}

func processLabel(s probe.Socket) string {
	switch {
	case s.Process != "":
		return fmt.Sprintf("%s, PID %d", s.Process, s.PID)
	case s.PID != 0:
		return fmt.Sprintf("PID %d, name unreadable without admin", s.PID)
	}
	return "owner unreadable without admin"
}

func isLoopback(addr string) bool {
	return strings.HasPrefix(addr, "127.") || addr == "::1" || addr == "localhost"
}

func judgedPortList(e *Env) string {
	var ports []int
	for p := range riskyPorts {
		ports = append(ports, int(p))
	}
	if e.Host.OS == Linux {
		for p := range linuxOnlyPorts {
			ports = append(ports, int(p))
		}
	}
	slices.Sort(ports)
	var s []string
	for _, p := range ports {
		s = append(s, fmt.Sprint(p))
	}
	return strings.Join(s, ", ")
}

// Installed programs, from both registry views and each logged-on user's
// hive; never Win32_Product, whose query repairs MSI installs
// (shared/windows-facts.md sections 0.8 and 5).
var uninstallValues = []string{"DisplayName", "DisplayVersion", "Publisher", "SystemComponent"}

var installedPrograms = []probe.Query{
	probe.RegistryKeysMatching(`HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall\*`, uninstallValues...),
	probe.RegistryKeysMatching(`HKLM\SOFTWARE\WOW6432Node\Microsoft\Windows\CurrentVersion\Uninstall\*`, uninstallValues...),
	probe.RegistryKeysMatching(`HKU\*\Software\Microsoft\Windows\CurrentVersion\Uninstall\*`, uninstallValues...),
}

// UnsupportedSoftware fails a PC with programs whose vendor no longer
// ships security updates.
func UnsupportedSoftware() *Check {
	return &Check{
		ID:        "unsupported-software",
		Title:     "No end-of-life software is installed",
		Severity:  standards.High,
		Platforms: []string{Windows},
		Mappings: standards.Mappings{
			NDG:             []int{8},
			DSPTItems:       []string{"8.1.4", "8.2.1", "7.1.1"},
			DSPT:            []string{"B4.d/A3.a (CAF)"},
			CyberEssentials: []string{"Security update management"},
			CAF:             []string{"B4.d", "A3.a"},
		},
		Remediation: "Uninstall each listed program or upgrade it to a supported version; where a clinical system needs it, record the risk, its owner and the isolation in place (DSPT 8.2.1).",
		Reads:       installedPrograms,
		Evaluate:    evaluateUnsupportedSoftware,
	}
}

type program struct{ name, version string }

func evaluateUnsupportedSoftware(e *Env) Verdict {
	programs, bad := readPrograms(e)
	if len(bad) > 0 {
		return cannotTell("the installed programs", bad...)
	}
	today := e.Today()
	var ended, runtimes []string
	for _, p := range programs {
		for i := range e.Data.Software.Products {
			eol := &e.Data.Software.Products[i]
			if !eol.Matches(p.name, p.version) || !today.After(eol.Ended.Time) {
				continue
			}
			desc := fmt.Sprintf("%s %s (%s, support ended %s)", p.name, p.version, eol.Product, eol.Ended)
			if eol.Warn {
				runtimes = append(runtimes, desc)
			} else {
				ended = append(ended, desc)
			}
			break
		}
	}
	checked := fmt.Sprintf(" (%d programs checked against %d end-of-life products, data as of %s.)", len(programs), len(e.Data.Software.Products), e.Data.Software.AsOf) +
		changedFacts(e, "eol-software", changedKeys(e, "eol-software")...)
	switch {
	case len(ended) > 0:
		return verdict(standards.Fail, "End-of-life software installed: %s.%s%s", strings.Join(ended, "; "), listSuffix(" Old runtimes: ", runtimes), checked)
	case len(runtimes) > 0:
		return verdict(standards.Warn, "Only old runtime libraries are end-of-life: %s. Remove them unless a program still needs them.%s", strings.Join(runtimes, "; "), checked)
	}
	return verdict(standards.Pass, "No installed program matches the end-of-life list.%s", checked)
}

// changedKeys lists the keys of a kind whose facts a data file changed.
func changedKeys(e *Env, kind string) []string {
	var keys []string
	for _, c := range e.Data.Changes {
		if c.Kind == kind && !slices.Contains(keys, c.Key) {
			keys = append(keys, c.Key)
		}
	}
	return keys
}

// readPrograms merges the three uninstall listings, skipping system
// components and keys without a display name, as Programs and Features does.
func readPrograms(e *Env) ([]program, []probe.Observation) {
	var out []program
	var bad []probe.Observation
	seen := map[string]bool{}
	for _, q := range installedPrograms {
		o := e.Observe(q)
		var keys []probe.RegKey
		if err := o.Decode(&keys); err != nil {
			if !o.Is(probe.NotFound) || !strings.Contains(q.Path, "WOW6432Node") {
				bad = append(bad, o) // a 64-bit-only PC has no WOW6432Node; the 64-bit list always exists
			}
			continue
		}
		for _, k := range keys {
			name, _ := k.String("DisplayName")
			if sys, _ := k.Int("SystemComponent"); name == "" || sys == 1 {
				continue
			}
			version, _ := k.String("DisplayVersion")
			if id := name + "\x00" + version; !seen[id] {
				seen[id] = true
				out = append(out, program{name, version})
			}
		}
	}
	return out, bad
}
