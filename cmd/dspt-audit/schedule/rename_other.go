//go:build !windows

package schedule

// A rename replaces its target atomically here, whoever has it open.
func renameContended(error) bool { return false }

func removeUnsupported(error) bool { return false }
