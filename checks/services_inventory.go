package checks

import (
	"fmt"
	"slices"
	"strings"

	"github.com/nhs-dspt/dspt-audit/checks/probe"
)

// windowsServices lists every service and driver key with its Start value:
// one read that answers "is product X's service installed" for any number
// of products, and finds services whose names carry an instance suffix
// (ScreenConnect Client (…), WireGuardTunnel$…). Service names are fixed by
// the installer and never translated, unlike display names.
var windowsServices = probe.RegistryKeysMatching(`HKLM\SYSTEM\CurrentControlSet\Services\*`, "Start")

// installedService is a service found under the Services key.
type installedService struct {
	name  string
	start uint64
}

func (s installedService) describe() string {
	return fmt.Sprintf("service %s, %s", s.name, startMode(s.start))
}

// readServices returns the installed services by lower-cased name.
func readServices(e *Env) (map[string]installedService, probe.Observation, bool) {
	o := e.Observe(windowsServices)
	var keys []probe.RegKey
	if o.Decode(&keys) != nil {
		return nil, o, false
	}
	out := map[string]installedService{}
	for _, k := range keys {
		name := k.Path[strings.LastIndex(k.Path, `\`)+1:]
		start, ok := k.Int("Start")
		if !ok {
			continue
		}
		out[strings.ToLower(name)] = installedService{name: name, start: start}
	}
	return out, o, true
}

// product is a program identified by its service names (exact, or a prefix
// ending in * for services with an instance suffix) and by fragments of its
// Programs and Features name (product names, which are not translated).
type product struct {
	name     string
	services []string
	programs []string
}

// findProducts names the products whose service or program is present, each
// with what identified it.
func findProducts(products []product, services map[string]installedService, programs []program) []string {
	var found []string
	for _, p := range products {
		var seen []string
		for _, s := range matchServices(p.services, services) {
			seen = append(seen, s.describe())
		}
		for _, prog := range programs {
			if slices.ContainsFunc(p.programs, func(frag string) bool { return containsFold(prog.name, frag) }) {
				seen = append(seen, fmt.Sprintf("installed as %q %s", prog.name, prog.version))
				break
			}
		}
		if len(seen) > 0 {
			found = append(found, fmt.Sprintf("%s (%s)", p.name, strings.Join(seen, "; ")))
		}
	}
	return found
}

// matchServices returns the installed services a product's names match,
// in name order: a name ending in * matches as a prefix. Disabled services
// do not count: they cannot run.
func matchServices(names []string, services map[string]installedService) []installedService {
	var out []installedService
	for key, s := range services {
		if s.start != serviceDisabled && slices.ContainsFunc(names, func(n string) bool { return serviceNameMatches(key, n) }) {
			out = append(out, s)
		}
	}
	slices.SortFunc(out, func(a, b installedService) int { return strings.Compare(a.name, b.name) })
	return out
}

func serviceNameMatches(key, name string) bool {
	name = strings.ToLower(name)
	if prefix, ok := strings.CutSuffix(name, "*"); ok {
		return strings.HasPrefix(key, prefix)
	}
	return key == name
}

func containsFold(s, frag string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(frag))
}

// unreadableFile is a Files observation re-cast as the failure to read one
// of its files, whose contents could have changed the verdict. The reason
// is Go's text for a Unix error, which is never translated.
func unreadableFile(o probe.Observation, f probe.FileEntry) probe.Observation {
	class := probe.Other
	if strings.Contains(f.Unreadable, "permission denied") {
		class = probe.AccessDenied
	}
	o.Query = f.Path
	o.Error = probe.Errorf(class, "%s", f.Unreadable)
	return o
}
