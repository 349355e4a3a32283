package checks

import (
	"fmt"
	"strings"

	"github.com/nhs-dspt/dspt-audit/checks/probe"
	"github.com/nhs-dspt/dspt-audit/standards"
)

var (
	// rasphone.pbk holds the VPN connections Windows' own client offers to
	// every user; each [section] is one connection.
	machineVPNProfiles = probe.FilesWithContents(`C:\ProgramData\Microsoft\Network\Connections\Pbk\rasphone.pbk`)
	fortiClientTunnels = probe.RegistryKeysMatching(`HKLM\SOFTWARE\Fortinet\FortiClient\Sslvpn\Tunnels\*`)

	wireguardConfigs = probe.FilesMatching("/etc/wireguard/*.conf")
	openvpnConfigs   = probe.FilesMatching("/etc/openvpn/client/*.conf")
)

// remoteControlTools let someone outside control this PC. Each is named by
// its service names and the product names its installer registers.
var remoteControlTools = []product{
	{name: "TeamViewer", services: []string{"TeamViewer*"}, programs: []string{"TeamViewer"}},
	{name: "AnyDesk", services: []string{"AnyDesk*"}, programs: []string{"AnyDesk"}},
	{name: "ScreenConnect (ConnectWise Control)", services: []string{"ScreenConnect Client (*"}, programs: []string{"ScreenConnect Client", "ConnectWise Control"}},
	{name: "Splashtop", services: []string{"SplashtopRemoteService"}, programs: []string{"Splashtop Streamer"}},
	{name: "LogMeIn", services: []string{"LogMeIn"}, programs: []string{"LogMeIn"}},
	{name: "GoTo Resolve / GoToAssist", programs: []string{"GoTo Resolve", "GoToAssist"}},
	{name: "RustDesk", services: []string{"RustDesk"}, programs: []string{"RustDesk"}},
	{name: "VNC", services: []string{"vncserver", "tvnserver", "uvnc_service"}, programs: []string{"RealVNC", "VNC Server", "TightVNC", "UltraVNC", "TigerVNC"}},
	{name: "Chrome Remote Desktop", services: []string{"chromoting"}, programs: []string{"Chrome Remote Desktop Host"}},
	{name: "BeyondTrust Remote Support (Bomgar)", programs: []string{"BeyondTrust Remote Support", "Bomgar"}},
	{name: "DameWare", services: []string{"DWMRCS"}, programs: []string{"DameWare"}},
}

// vpnClients connect this PC into a network from outside.
var vpnClients = []product{
	{name: "FortiClient VPN", programs: []string{"FortiClient"}},
	{name: "Cisco AnyConnect / Secure Client", services: []string{"vpnagent", "csc_vpnagent"}, programs: []string{"Cisco AnyConnect", "Cisco Secure Client"}},
	{name: "Palo Alto GlobalProtect", services: []string{"PanGPS"}, programs: []string{"GlobalProtect"}},
	{name: "OpenVPN", services: []string{"OpenVPNService*"}, programs: []string{"OpenVPN"}},
	{name: "WireGuard", services: []string{"WireGuardTunnel$*"}, programs: []string{"WireGuard"}},
	{name: "Ivanti (Pulse) Secure", programs: []string{"Pulse Secure", "Ivanti Secure Access"}},
	{name: "SonicWall NetExtender", programs: []string{"NetExtender"}},
	{name: "WatchGuard Mobile VPN", programs: []string{"WatchGuard Mobile VPN"}},
	{name: "Check Point VPN", programs: []string{"Check Point Endpoint Security", "Check Point VPN"}},
}

// linuxRemoteDaemons are the daemons that let someone in from outside.
var linuxRemoteDaemons = map[string]string{
	"sshd": "OpenSSH server", "xrdp": "xrdp (Remote Desktop)", "x11vnc": "x11vnc", "Xvnc": "VNC server", "Xtigervnc": "TigerVNC server",
	"teamviewerd": "TeamViewer", "anydesk": "AnyDesk", "rustdesk": "RustDesk", "openvpn": "OpenVPN", "tailscaled": "Tailscale",
}

// maxListed caps how many names of one kind a summary lists.
const maxListed = 10

// RemoteAccessInventory lists every way into this machine from outside, so
// the practice can show each is protected by MFA or is an approved exception
// (DSPT 4.5.3). The tool cannot see MFA, so any way in warns.
func RemoteAccessInventory() *Check {
	return &Check{
		ID:        "remote-access-inventory",
		Title:     "Every way in from outside is known (remote desktop, remote-control tools, VPN)",
		Severity:  standards.Medium,
		Platforms: []string{Windows, Linux},
		Mappings: standards.Mappings{
			NDG:       []int{4},
			DSPTItems: []string{"4.5.3"},
			DSPT:      []string{"B2.a (CAF)"},
			CAF:       []string{"B2.a"},
		},
		Remediation: "For each way in listed, record how it is protected by multi-factor authentication (or the approved exception and its owner) in the DSPT evidence for 4.5.3; uninstall remote-control tools that nobody uses, and keep Remote Desktop off unless it is reached through a VPN with MFA.",
		Reads: append(append([]probe.Query{windowsServices, machineVPNProfiles, fortiClientTunnels, linuxProcesses, wireguardConfigs, openvpnConfigs},
			append(rdpDeny.reads(), rdpNLA.reads()...)...), installedPrograms...),
		Evaluate: evaluateRemoteAccess,
	}
}

// waysIn gathers what was found and what could not be read. Anything found
// warns whatever the unread sources hold, so they only matter when nothing
// was found.
type waysIn struct {
	found  []string
	unread []probe.Observation
}

func (w *waysIn) verdict(note string) Verdict {
	switch {
	case len(w.found) > 0:
		v := verdict(standards.Warn, "Ways in from outside, each needing MFA or an approved exception: %s.%s", strings.Join(w.found, "; "), note)
		if len(w.unread) > 0 {
			v.Summary += " " + cannotTell("the rest", w.unread...).Summary
		}
		return v
	case len(w.unread) > 0:
		return cannotTell("every way in from outside", w.unread...)
	}
	return verdict(standards.Pass, "No way in from outside was found.%s", note)
}

func evaluateRemoteAccess(e *Env) Verdict {
	if e.Host.OS == Linux {
		return linuxRemoteAccess(e)
	}
	var w waysIn
	remoteDesktop(e, &w)
	programs, bad := readPrograms(e)
	w.unread = append(w.unread, bad...)
	services, o, ok := readServices(e)
	if !ok {
		w.unread = append(w.unread, o)
	}
	w.found = append(w.found, findProducts(remoteControlTools, services, programs)...)
	w.found = append(w.found, findProducts(vpnClients, services, programs)...)
	w.found = append(w.found, windowsVPNProfiles(e, &w)...)
	w.found = append(w.found, fortiTunnels(e, &w)...)
	return w.verdict(" Quick Assist is built into Windows; it needs someone at this PC to accept each session.")
}

func remoteDesktop(e *Env, w *waysIn) {
	deny, src := rdpDeny.read(e)
	switch {
	case deny.failed:
		w.unread = append(w.unread, deny.obs)
		return
	case !deny.set || deny.n != 0:
		return
	}
	nla, _ := rdpNLA.read(e)
	auth := "without Network Level Authentication"
	if !nla.set || nla.n == 1 {
		auth = "with Network Level Authentication"
	}
	if nla.failed {
		auth = "Network Level Authentication unreadable"
	}
	w.found = append(w.found, fmt.Sprintf("Remote Desktop is on (%s fDenyTSConnections = 0, %s)", src, auth))
}

// windowsVPNProfiles lists the connections in the machine-wide phone book.
// Users' own phone books under their profiles are not read.
func windowsVPNProfiles(e *Env, w *waysIn) []string {
	o := e.Observe(machineVPNProfiles)
	text, ok := fileText(o)
	if !ok {
		if !o.Is(probe.NotFound) {
			w.unread = append(w.unread, unusable(o, "unreadable"))
		}
		return nil
	}
	var names []string
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if len(line) > 2 && line[0] == '[' && line[len(line)-1] == ']' {
			names = append(names, fmt.Sprintf("%q", line[1:len(line)-1]))
		}
	}
	if len(names) == 0 {
		return nil
	}
	return []string{fmt.Sprintf("Windows VPN connections for all users (rasphone.pbk): %s", capList(names))}
}

func fortiTunnels(e *Env, w *waysIn) []string {
	o := e.Observe(fortiClientTunnels)
	var keys []probe.RegKey
	if err := o.Decode(&keys); err != nil {
		if !o.Is(probe.NotFound) {
			w.unread = append(w.unread, o)
		}
		return nil
	}
	var names []string
	for _, k := range keys {
		names = append(names, fmt.Sprintf("%q", k.Path[strings.LastIndex(k.Path, `\`)+1:]))
	}
	if len(names) == 0 {
		return nil
	}
	return []string{"FortiClient VPN tunnels: " + capList(names)}
}

func capList(names []string) string {
	if len(names) <= maxListed {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(names[:maxListed], ", "), len(names)-maxListed)
}

func linuxRemoteAccess(e *Env) Verdict {
	var w waysIn
	if _, found, bad := running(e, linuxRemoteDaemons); bad != nil {
		w.unread = append(w.unread, e.Observe(linuxProcesses))
	} else {
		w.found = append(w.found, found...)
	}
	for _, q := range []probe.Query{wireguardConfigs, openvpnConfigs} {
		o := e.Observe(q)
		var files []probe.FileEntry
		if err := o.Decode(&files); err != nil {
			if !o.Is(probe.NotFound) {
				w.unread = append(w.unread, o)
			}
			continue
		}
		var names []string
		for _, f := range files {
			names = append(names, f.Path)
		}
		if len(names) > 0 {
			w.found = append(w.found, "VPN configurations: "+capList(names))
		}
	}
	return w.verdict("")
}
