package report

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/nhs-dspt/dspt-audit/standards"
)

// Sanitize shows text that came from outside the binary (a data file, a
// downloaded document, a value read from a machine) harmlessly on a terminal
// or in a log: control characters and the bidirectional overrides that can
// reorder what a reader sees become visible escapes such as \x1b.
func Sanitize(s string) string {
	if !strings.ContainsFunc(s, unsafeRune) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case !unsafeRune(r):
			b.WriteRune(r)
		case r < 0x100:
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			fmt.Fprintf(&b, `\u%04x`, r)
		}
	}
	return b.String()
}

// unsafeRune is standards.UnsafeRune, and an invalid byte too, so that no
// stray byte reaches a terminal.
func unsafeRune(r rune) bool { return standards.UnsafeRune(r) || r == unicode.ReplacementChar }
