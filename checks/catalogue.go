package checks

// All returns the check catalogue, in the order reports list it: support
// and patching (standard 8) first, then protection, configuration,
// hardware, accounts and logging.
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
		LLMNRDisabled(),
		AutorunDisabled(),
		PowerShell2Removed(),
		DiskEncrypted(),
		SecureBoot(),
		TPMPresent(),
		ScreenLock(),
		GuestDisabled(),
		LocalAdmins(),
		PasswordPolicy(),
		SSHHardened(),
		TimeSync(),
		AuditLogging(),
	}
}
