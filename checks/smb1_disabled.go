package checks

import (
	"fmt"
	"strings"

	"github.com/nhs-dspt/dspt-audit/checks/probe"
	"github.com/nhs-dspt/dspt-audit/standards"
)

// Sources for SMBv1, in the order they decide (shared/windows-facts.md
// section 5).
type smbServerConfig struct{ EnableSMB1Protocol *bool }

type optionalFeature struct {
	Name         *string
	InstallState *uint32
}

var (
	smbServerConfigs = probe.NewWMI[smbServerConfig](`root\Microsoft\Windows\SMB`, "SELECT EnableSMB1Protocol FROM MSFT_SmbServerConfiguration")
	regSMB1Server    = probe.RegistryValue(`HKLM\SYSTEM\CurrentControlSet\Services\LanmanServer\Parameters`, "SMB1")
	smb1Features     = probe.NewWMI[optionalFeature](`root\cimv2`, "SELECT Name, InstallState FROM Win32_OptionalFeature WHERE Name='SMB1Protocol' OR Name='SMB1Protocol-Server'")
	regSMB1Client    = probe.RegistryValue(`HKLM\SYSTEM\CurrentControlSet\Services\mrxsmb10`, "Start")
	sambaMinProtocol = probe.CommandOutput("testparm", "-s", "--parameter-name=server min protocol")
)

// Win32_OptionalFeature.InstallState values.
const (
	featureEnabled  = 1
	featureDisabled = 2
	featureAbsent   = 3
)

// serviceDisabled is a service's Start value when it is disabled.
const serviceDisabled = 4

// SMB1Disabled fails a machine that still speaks SMBv1, WannaCry's way in.
func SMB1Disabled() *Check {
	return &Check{
		ID:        "smb1-disabled",
		Title:     "SMBv1 is disabled (server and client)",
		Severity:  standards.High,
		Platforms: []string{Windows, Linux},
		Mappings: standards.Mappings{
			NDG:             []int{9},
			DSPTItems:       []string{"8.4.3"},
			DSPT:            []string{"B4.b (CAF)"},
			CyberEssentials: []string{"Secure configuration"},
			CAF:             []string{"B4.b"},
			CIS:             []string{"18.4.4 server (Win10/11 v3.0.0)", "18.4.3 client (Win10/11 v3.0.0)"},
		},
		Remediation:  "Remove SMBv1: Settings > Optional features (or `Disable-WindowsOptionalFeature -Online -FeatureName SMB1Protocol`), or set Group Policy 'Configure SMB v1 server' and 'Configure SMB v1 client driver' to Disabled; restart.",
		Remediations: map[string]string{Linux: "Set `server min protocol = SMB2_10` (or higher) in the [global] section of /etc/samba/smb.conf, check it with `testparm -s`, then `systemctl restart smbd`."},
		Reads:        []probe.Query{smbServerConfigs.Query, regSMB1Server, smb1Features.Query, regSMB1Client, sambaMinProtocol},
		Evaluate:     evaluateSMB1,
	}
}

// smbSide is what one side (server or client) was found to be.
type smbSide struct {
	known, enabled bool
	source         string
	failed         []probe.Observation
}

func (s smbSide) describe(side string) string {
	state := "disabled"
	if s.enabled {
		state = "ENABLED"
	}
	return fmt.Sprintf("SMBv1 %s %s (%s)", side, state, s.source)
}

func evaluateSMB1(e *Env) Verdict {
	if e.Host.OS == Linux {
		return sambaSMB1(e)
	}
	server, client := smb1Server(e), smb1Client(e)
	switch {
	case server.known && server.enabled || client.known && client.enabled:
		var on []string
		for _, s := range []struct {
			side smbSide
			name string
		}{{server, "server"}, {client, "client"}} {
			if s.side.known {
				on = append(on, s.side.describe(s.name))
			}
		}
		return verdict(standards.Fail, "%s. SMBv1 is the protocol WannaCry spread through (MS17-010).", strings.Join(on, "; "))
	case server.known && client.known:
		return verdict(standards.Pass, "%s; %s.", server.describe("server"), client.describe("client"))
	}
	var failed []probe.Observation
	for _, s := range []smbSide{server, client} {
		if !s.known {
			failed = append(failed, s.failed...)
		}
	}
	return cannotTell("whether SMBv1 is enabled", failed...)
}

func smb1Server(e *Env) smbSide {
	var side smbSide
	rows, cfg := smbServerConfigs.Rows(e)
	if len(rows) == 1 && rows[0].EnableSMB1Protocol != nil {
		on := *rows[0].EnableSMB1Protocol
		return smbSide{known: true, enabled: on, source: fmt.Sprintf("MSFT_SmbServerConfiguration.EnableSMB1Protocol = %t", on)}
	}
	side.failed = append(side.failed, cfg)
	reg := e.Observe(regSMB1Server)
	if n, err := reg.RegInt(); err == nil {
		return smbSide{known: true, enabled: n != 0, source: fmt.Sprintf(`LanmanServer\Parameters SMB1 = %d`, n)}
	}
	if !reg.Is(probe.NotFound) {
		side.failed = append(side.failed, reg)
	}
	features, fobs := smb1Features.Rows(e)
	if state, name, ok := featureState(features, "SMB1Protocol-Server", "SMB1Protocol"); ok {
		switch state {
		case featureEnabled:
			return smbSide{known: true, enabled: true, source: fmt.Sprintf("optional feature %s is enabled and the SMB1 registry value is not set", name)}
		case featureDisabled, featureAbsent:
			return smbSide{known: true, source: fmt.Sprintf("optional feature %s InstallState = %d", name, state)}
		}
	}
	side.failed = append(side.failed, fobs)
	return side
}

func featureState(rows []optionalFeature, names ...string) (uint32, string, bool) {
	for _, n := range names {
		for _, r := range rows {
			if r.Name != nil && strings.EqualFold(*r.Name, n) && r.InstallState != nil {
				return *r.InstallState, n, true
			}
		}
	}
	return 0, "", false
}

func smb1Client(e *Env) smbSide {
	o := e.Observe(regSMB1Client)
	if o.Is(probe.NotFound) {
		return smbSide{known: true, source: "mrxsmb10 driver not installed"}
	}
	n, err := o.RegInt()
	if err != nil {
		return smbSide{failed: []probe.Observation{o}}
	}
	return smbSide{known: true, enabled: n != serviceDisabled, source: fmt.Sprintf("mrxsmb10 Start = %d", n)}
}

// sambaSMB1 judges Samba's effective minimum server protocol, defaults
// included, as testparm reports it.
func sambaSMB1(e *Env) Verdict {
	o := e.Observe(sambaMinProtocol)
	if o.Is(probe.NotFound) {
		return verdict(standards.NotApplicable, "Samba is not installed (no testparm), so this host serves no SMB.")
	}
	out, err := o.Output()
	if err != nil {
		return cannotTell("Samba's minimum protocol", o)
	}
	proto := strings.ToUpper(strings.TrimSpace(out))
	if strings.HasPrefix(proto, "SMB2") || strings.HasPrefix(proto, "SMB3") {
		return verdict(standards.Pass, "Samba's server min protocol is %s, so SMBv1 is refused.", proto)
	}
	v := verdict(standards.Fail, "Samba's server min protocol is %q, which allows SMBv1.", proto)
	v.Remediation = "Set `server min protocol = SMB2_10` (or higher) in the [global] section of smb.conf and restart smbd."
	return v
}
