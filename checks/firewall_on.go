package checks

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/nhs-dspt/dspt-audit/checks/probe"
	"github.com/nhs-dspt/dspt-audit/standards"
)

// Group Policy values win over local ones; MSFT_NetFirewallProfile would miss
// them (shared/windows-facts.md section 0.5), so both stores are read from
// the registry and merged. The local store calls the Private profile
// "StandardProfile".
const (
	firewallPolicyKey = `HKLM\SOFTWARE\Policies\Microsoft\WindowsFirewall`
	firewallLocalKey  = `HKLM\SYSTEM\CurrentControlSet\Services\SharedAccess\Parameters\FirewallPolicy`
)

type firewallProfile struct {
	name, policyKey, localKey string
}

var firewallProfiles = []firewallProfile{
	{"Domain", firewallPolicyKey + `\DomainProfile`, firewallLocalKey + `\DomainProfile`},
	{"Private", firewallPolicyKey + `\PrivateProfile`, firewallLocalKey + `\StandardProfile`},
	{"Public", firewallPolicyKey + `\PublicProfile`, firewallLocalKey + `\PublicProfile`},
}

var (
	regFirewallService = probe.RegistryValue(`HKLM\SYSTEM\CurrentControlSet\Services\mpssvc`, "Start")
	nftRuleset         = probe.CommandOutput("nft", "-j", "list", "ruleset")
	iptablesInput      = probe.CommandOutput("iptables", "-S", "INPUT")
)

func firewallReads() []probe.Query {
	reads := []probe.Query{regFirewallService, nftRuleset, iptablesInput}
	for _, p := range firewallProfiles {
		for _, key := range []string{p.policyKey, p.localKey} {
			reads = append(reads, probe.RegistryValue(key, "EnableFirewall"), probe.RegistryValue(key, "DefaultInboundAction"))
		}
	}
	return reads
}

// FirewallOn fails a machine whose host firewall is off, or lets inbound
// traffic in by default, on any network profile.
func FirewallOn() *Check {
	return &Check{
		ID:        "firewall-on",
		Title:     "Host firewall on and blocking inbound on every profile",
		Severity:  standards.High,
		Platforms: []string{Windows, Linux},
		Mappings: standards.Mappings{
			NDG:             []int{9, 6},
			DSPTItems:       []string{"8.4.3"},
			DSPT:            []string{"B4.a/B4.b (CAF)"},
			CyberEssentials: []string{"Firewalls"},
			CAF:             []string{"B4.a", "B4.b"},
			CIS:             []string{"9.1.1", "9.1.2", "9.2.1", "9.2.2", "9.3.1", "9.3.2 (Win10/11 v3.0.0)"},
		},
		Remediation:  "Turn Windows Defender Firewall on for the Domain, Private and Public profiles with inbound connections blocked by default (Group Policy: Computer Configuration > Windows Settings > Security Settings > Windows Defender Firewall).",
		Remediations: map[string]string{Linux: "Enable a host firewall that drops unsolicited inbound traffic: `ufw default deny incoming && ufw enable`, firewalld, or an nftables input chain with policy drop; allow only the services this host must offer."},
		Reads:        firewallReads(),
		Evaluate:     evaluateFirewall,
	}
}

// Registry values of the firewall: EnableFirewall 1 on; DefaultInboundAction
// 1 block, 0 allow (shared/windows-facts.md section 5).
const inboundBlock = 1

type profileState struct {
	name      string
	on, block bool
	// onFrom and blockFrom name the deciding values; empty when unread.
	onFrom, blockFrom string
	failed            []probe.Observation
}

// fails reports whether what was read already fails the profile: off, or
// letting inbound in, fails whatever the other value is.
func (st profileState) fails() bool {
	return st.onFrom != "" && !st.on || st.blockFrom != "" && !st.block
}

func (st profileState) describe() string {
	on, block := "on/off unreadable", "unreadable"
	if st.onFrom != "" {
		on = fmt.Sprintf("%s (%s)", onOff(st.on), st.onFrom)
	}
	if st.blockFrom != "" {
		block = fmt.Sprintf("%s (%s)", blockAllow(st.block), st.blockFrom)
	}
	return fmt.Sprintf("%s: %s, inbound %s", st.name, on, block)
}

func evaluateFirewall(e *Env) Verdict {
	if e.Host.OS == Linux {
		return linuxFirewall(e)
	}
	svc := e.Observe(regFirewallService)
	if n, err := svc.RegInt(); err == nil && n == serviceDisabled {
		return verdict(standards.Fail, "The Windows Defender Firewall service (mpssvc) is disabled (Start = 4), so no profile is enforced.")
	}
	var bad, good []string
	var failed []probe.Observation
	for _, p := range firewallProfiles {
		st := readProfile(e, p)
		switch {
		case st.fails():
			bad = append(bad, st.describe())
		case len(st.failed) > 0:
			failed = append(failed, st.failed...)
		default:
			good = append(good, st.describe())
		}
	}
	switch {
	case len(bad) > 0:
		return verdict(standards.Fail, "%s.", strings.Join(append(bad, good...), "; "))
	case len(failed) > 0:
		return cannotTell("the state of every firewall profile", failed...)
	}
	return verdict(standards.Pass, "%s.", strings.Join(good, "; "))
}

// readProfile merges policy over local settings for one profile. A value
// that cannot be read is left unknown and its observation kept in failed.
func readProfile(e *Env, p firewallProfile) profileState {
	st := profileState{name: p.name}
	enabled := firewallValue(e, p, "EnableFirewall")
	switch {
	case enabled.unread != nil:
		st.failed = append(st.failed, enabled.unread...)
	case enabled.from == "":
		st.failed = append(st.failed, enabled.absent...)
	default:
		st.on, st.onFrom = enabled.n == 1, enabled.from
	}
	action := firewallValue(e, p, "DefaultInboundAction")
	switch {
	case action.unread != nil:
		st.failed = append(st.failed, action.unread...)
	case action.from == "":
		// Not set anywhere: Windows blocks unsolicited inbound by default.
		st.block, st.blockFrom = true, "not set; Windows default"
	default:
		st.block, st.blockFrom = action.n == inboundBlock, action.from
	}
	return st
}

// firewallSetting is one value as policy-over-local resolves it.
type firewallSetting struct {
	n    uint64
	from string // empty when neither store sets it
	// unread holds a store that could not be read; absent, the stores
	// that do not set the value.
	unread, absent []probe.Observation
}

func firewallValue(e *Env, p firewallProfile, name string) firewallSetting {
	var s firewallSetting
	for _, store := range []struct{ key, label string }{{p.policyKey, "Group Policy"}, {p.localKey, "local setting"}} {
		o := e.Observe(probe.RegistryValue(store.key, name))
		if o.Is(probe.NotFound) {
			s.absent = append(s.absent, o)
			continue
		}
		n, err := o.RegInt()
		if err != nil {
			s.unread = []probe.Observation{o}
			return s
		}
		s.n, s.from = n, fmt.Sprintf("%s %s = %d", store.label, name, n)
		return s
	}
	return s
}

func onOff(on bool) string {
	if on {
		return "on"
	}
	return "OFF"
}

func blockAllow(block bool) string {
	if block {
		return "blocked"
	}
	return "ALLOWED"
}

// linuxFirewall reads the kernel's packet filter: nftables first (it also
// shows iptables-nft, ufw and firewalld rules), legacy iptables otherwise.
func linuxFirewall(e *Env) Verdict {
	v := judgeLinuxFirewall(e)
	v.Remediation = "Enable a host firewall that drops unsolicited inbound traffic: `ufw default deny incoming && ufw enable`, firewalld, or an nftables input chain with policy drop; allow only the services this host must offer."
	return v
}

func judgeLinuxFirewall(e *Env) Verdict {
	nft := e.Observe(nftRuleset)
	if out, err := nft.Output(); err == nil {
		return judgeNftables(out)
	}
	ipt := e.Observe(iptablesInput)
	if out, err := ipt.Output(); err == nil {
		return judgeIptables(out)
	}
	if nft.Is(probe.NotFound) && ipt.Is(probe.NotFound) {
		return verdict(standards.Unknown, "Neither nft nor iptables is installed, so the kernel's packet filter cannot be read.")
	}
	return cannotTell("the packet filter's inbound policy", nft, ipt)
}

type nftObject struct {
	Chain *struct {
		Family string `json:"family"`
		Table  string `json:"table"`
		Name   string `json:"name"`
		Hook   string `json:"hook"`
		Policy string `json:"policy"`
	} `json:"chain"`
	Rule *struct {
		Family string            `json:"family"`
		Table  string            `json:"table"`
		Chain  string            `json:"chain"`
		Expr   []json.RawMessage `json:"expr"`
	} `json:"rule"`
}

// judgeNftables passes when an input-hook chain drops by default, by policy
// or by a final unconditional drop or reject rule.
func judgeNftables(out string) Verdict {
	var doc struct {
		Nftables []nftObject `json:"nftables"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		return verdict(standards.Unknown, "nft's JSON output could not be read: %v.", err)
	}
	lastRule := map[string][]json.RawMessage{}
	for _, o := range doc.Nftables {
		if r := o.Rule; r != nil {
			lastRule[r.Family+" "+r.Table+" "+r.Chain] = r.Expr
		}
	}
	var inputs []string
	for _, o := range doc.Nftables {
		c := o.Chain
		if c == nil || c.Hook != "input" {
			continue
		}
		id := fmt.Sprintf("%s %s %s", c.Family, c.Table, c.Name)
		if c.Policy == "drop" {
			return verdict(standards.Pass, "nftables chain %q hooks input with policy drop.", id)
		}
		if isCatchAllDrop(lastRule[c.Family+" "+c.Table+" "+c.Name]) {
			return verdict(standards.Pass, "nftables chain %q hooks input and ends with an unconditional drop/reject rule.", id)
		}
		inputs = append(inputs, fmt.Sprintf("%q policy %s", id, c.Policy))
	}
	if len(inputs) == 0 {
		return verdict(standards.Fail, "No nftables chain filters inbound traffic (no chain hooks input): the host accepts every connection.")
	}
	return verdict(standards.Fail, "Inbound traffic is accepted by default: %s, with no final drop rule.", strings.Join(inputs, ", "))
}

func isCatchAllDrop(expr []json.RawMessage) bool {
	verdicts := 0
	for _, x := range expr {
		var m map[string]json.RawMessage
		if json.Unmarshal(x, &m) != nil {
			return false
		}
		for k := range m {
			switch k {
			case "drop", "reject":
				verdicts++
			case "counter", "log":
			default:
				return false
			}
		}
	}
	return verdicts == 1
}

func judgeIptables(out string) Verdict {
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) == 3 && f[0] == "-P" && f[1] == "INPUT" {
			if f[2] == "DROP" {
				return verdict(standards.Pass, "iptables INPUT policy is DROP (IPv4; legacy iptables).")
			}
			return verdict(standards.Fail, "iptables INPUT policy is %s: inbound traffic is accepted by default (IPv4; legacy iptables).", f[2])
		}
	}
	return verdict(standards.Unknown, "iptables -S INPUT printed no INPUT policy.")
}
