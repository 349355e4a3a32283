package probe

import (
	"fmt"
	"unicode/utf8"
)

// The bounds of one live registry read. Any user can write a value of
// megabytes under HKCU (a program's DisplayName in its Uninstall key), and
// every view of the report would carry it.
const (
	// MaxRegistryString is how many characters of a string value are kept;
	// the rest is replaced by a marker that says how long the value was.
	MaxRegistryString = 16384
	// MaxRegistryStrings is how many strings of a REG_MULTI_SZ are kept.
	MaxRegistryStrings = 1024
	// MaxRegistryBytes is the largest value read at all; a larger one is
	// recorded as a marker, unread.
	MaxRegistryBytes = 4 << 20
)

// oversizedRegistryValue is what a value larger than MaxRegistryBytes is
// recorded as.
func oversizedRegistryValue(size uint32) string {
	return fmt.Sprintf("(registry value of %d bytes not read: more than the %d MiB this tool reads)", size, MaxRegistryBytes>>20)
}

// capRegistryString keeps the first MaxRegistryString characters of s and
// marks the cut.
func capRegistryString(s string) string {
	if len(s) <= MaxRegistryString || utf8.RuneCountInString(s) <= MaxRegistryString {
		return s
	}
	total, count := utf8.RuneCountInString(s), 0
	for i := range s {
		if count == MaxRegistryString {
			return fmt.Sprintf("%s… (registry value cut: %d characters, the first %d kept)", s[:i], total, MaxRegistryString)
		}
		count++
	}
	return s
}

// capRegistryStrings caps each string of a REG_MULTI_SZ, and their number.
func capRegistryStrings(ss []string) []string {
	out := make([]string, 0, min(len(ss), MaxRegistryStrings+1))
	for _, s := range ss[:min(len(ss), MaxRegistryStrings)] {
		out = append(out, capRegistryString(s))
	}
	if len(ss) > MaxRegistryStrings {
		out = append(out, fmt.Sprintf("(%d more strings not kept)", len(ss)-MaxRegistryStrings))
	}
	return out
}
