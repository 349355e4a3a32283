package report

import (
	"fmt"
	"unicode/utf8"
)

// ShownLimit is how many characters of one value (a summary, an evidence
// value, a host name) the terminal, workbook, HTML and CSV views show. The
// JSON report always keeps the whole value.
const ShownLimit = 2000

// Shown is s cut to ShownLimit characters, saying how many more there are.
func Shown(s string) string { return Clip(s, ShownLimit) }

// Clip cuts s to n characters, then says how many more the JSON report
// holds. Text of n characters or fewer is returned as it is.
func Clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	total := utf8.RuneCountInString(s)
	if total <= n {
		return s
	}
	cut, count := 0, 0
	for i := range s {
		if count == n {
			cut = i
			break
		}
		count++
	}
	return fmt.Sprintf("%s… (%d more characters in the JSON report)", s[:cut], total-n)
}
