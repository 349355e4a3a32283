package probe

import "golang.org/x/sys/windows"

// runAs says with which rights this process reads the machine: the report
// shows it, because a standard user cannot read everything SYSTEM can.
func runAs() string {
	token := windows.GetCurrentProcessToken()
	if u, err := token.GetTokenUser(); err == nil && u.User.Sid.IsWellKnown(windows.WinLocalSystemSid) {
		return "SYSTEM"
	}
	if token.IsElevated() {
		return "administrator (elevated)"
	}
	return "standard user (not elevated)"
}
