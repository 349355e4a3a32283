//go:build windows

package schedule

import (
	"syscall"
	"testing"
)

// TestEscapeWindowsArgIsWindows' own: the quoting written out for tests on
// Linux must agree with syscall.EscapeArg, which only builds here.
func TestEscapeWindowsArgIsWindows(t *testing.T) {
	for _, arg := range []string{"", "plain", `C:\Program Files\x`, `\\srv\share\`, `\\srv\my share\`, `say "hi"`, `a\"b`, `trailing\\`, "tab\there"} {
		if got, want := escapeWindowsArg(arg), syscall.EscapeArg(arg); got != want {
			t.Errorf("escapeWindowsArg(%q) = %s, syscall.EscapeArg = %s", arg, got, want)
		}
	}
}
