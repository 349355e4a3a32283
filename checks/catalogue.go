package checks

import (
	"fmt"
	"slices"
	"strings"
)

// All returns the check catalogue, in the order reports list it: support
// and patching (standard 8) first, then protection, configuration,
// hardware, accounts, logging and backups.
func All() []*Check {
	return []*Check{
		OSSupported(),
		PatchesCurrent(),
		KnownExploits(),
		UnsupportedSoftware(),
		PendingReboot(),
		WindowsUpdateEnabled(),
		AntimalwareActive(),
		DefenderForEndpoint(),
		FirewallOn(),
		RiskyPorts(),
		SMB1Disabled(),
		RDPSecure(),
		RemoteAccessInventory(),
		LLMNRDisabled(),
		AutorunDisabled(),
		PowerShell2Removed(),
		DiskEncrypted(),
		RemovableMediaControlled(),
		SecureBoot(),
		TPMPresent(),
		ScreenLock(),
		GuestDisabled(),
		LocalAdmins(),
		PasswordPolicy(),
		SSHHardened(),
		TimeSync(),
		AuditLogging(),
		BackupsEvident(),
	}
}

// Select narrows the catalogue to the checks named in only (all when
// empty), minus those in skip. An ID that is not in the catalogue is an
// error naming the valid ones, so a typo never silently scans less.
func Select(all []*Check, only, skip []string) ([]*Check, error) {
	known := map[string]bool{}
	var ids []string
	for _, c := range all {
		known[c.ID] = true
		ids = append(ids, c.ID)
	}
	for _, id := range append(slices.Clone(only), skip...) {
		if !known[id] {
			return nil, fmt.Errorf("no check %q; the checks are: %s", id, strings.Join(ids, ", "))
		}
	}
	var out []*Check
	for _, c := range all {
		if (len(only) == 0 || slices.Contains(only, c.ID)) && !slices.Contains(skip, c.ID) {
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("--only and --skip leave no check to run")
	}
	return out, nil
}
