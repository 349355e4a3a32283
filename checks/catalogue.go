package checks

// All returns the check catalogue, in the order reports list it.
func All() []*Check {
	return []*Check{
		OSSupported(),
		PatchesCurrent(),
		SMB1Disabled(),
		FirewallOn(),
	}
}
