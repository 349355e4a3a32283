package schedule

import (
	"fmt"

	"github.com/nhs-dspt/dspt-audit/checks/probe"
)

// ExeProblem returns nil when only administrators (root; SYSTEM,
// Administrators or TrustedInstaller) can change exe and every folder above
// it. Otherwise anyone who can change one of them could replace the program
// the nightly task runs with full rights, and the error says what to do.
func ExeProblem(exe string) error {
	if err := probe.AdminOnly(exe); err != nil {
		return fmt.Errorf("the nightly task would run %s with full rights, but %v; %s (or pass --force to install anyway)", exe, err, safeExeAdvice)
	}
	return nil
}
