//go:build !windows

package probe

import (
	"fmt"
	"os"
)

// runAs says with which rights this process reads the machine.
func runAs() string {
	if uid := os.Geteuid(); uid != 0 {
		return fmt.Sprintf("user (uid %d, not root)", uid)
	}
	return "root"
}
