package checks

import (
	"fmt"
	"strings"

	"github.com/nhs-dspt/dspt-audit/checks/probe"
)

// dword is a numeric registry setting as a check reads it: set to a
// number, not set (the value or its key does not exist, so the Windows
// default applies), or unreadable. An unreadable setting is never treated
// as "not set".
type dword struct {
	obs    probe.Observation
	n      uint64
	set    bool
	failed bool
}

func readDWORD(e *Env, q probe.Query) dword {
	o := e.Observe(q)
	if o.Is(probe.NotFound) {
		return dword{obs: o}
	}
	n, err := o.RegInt()
	if err != nil {
		return dword{obs: o, failed: true}
	}
	return dword{obs: o, n: n, set: true}
}

// describe names the setting and its value for a summary: `fDenyTSConnections = 1`.
func (d dword) describe() string {
	if !d.set {
		return d.obs.Query + " not set"
	}
	return fmt.Sprintf("%s = %d", d.name(), d.n)
}

func (d dword) name() string {
	i := strings.LastIndex(d.obs.Query, `\`)
	return d.obs.Query[i+1:]
}

// policyOver reads a Group Policy value and the local value it overrides:
// the policy wins when set (shared/windows-facts.md section 5).
type policyOver struct{ policy, local probe.Query }

func (p policyOver) read(e *Env) (d dword, source string) {
	pol := readDWORD(e, p.policy)
	if pol.set || pol.failed {
		return pol, "Group Policy"
	}
	return readDWORD(e, p.local), "local setting"
}

func (p policyOver) reads() []probe.Query { return []probe.Query{p.policy, p.local} }

// service names a Windows service and its Start value in the registry
// (2 automatic, 3 manual or trigger-start, 4 disabled). The registry is
// read rather than Win32_Service because it needs no rights and is the
// value the service manager itself starts from.
func serviceStart(name string) probe.Query {
	return probe.RegistryValue(`HKLM\SYSTEM\CurrentControlSet\Services\`+name, "Start")
}

var startModes = map[uint64]string{0: "boot", 1: "system", 2: "automatic", 3: "manual", 4: "disabled"}

func startMode(n uint64) string {
	if m, ok := startModes[n]; ok {
		return m
	}
	return fmt.Sprintf("start type %d", n)
}

// failures returns the observations among obs that failed, for cannotTell.
func failures(obs ...probe.Observation) []probe.Observation {
	var out []probe.Observation
	for _, o := range obs {
		if o.Error != nil && !o.Is(probe.NotFound) {
			out = append(out, o)
		}
	}
	return out
}

func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

// fileText is the contents of the single file a FilesWithContents probe
// of one path read.
func fileText(o probe.Observation) (string, bool) {
	var files []probe.FileEntry
	if o.Decode(&files) != nil || len(files) != 1 || files[0].Contents == nil {
		return "", false
	}
	return *files[0].Contents, true
}
