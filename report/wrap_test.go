package report

import (
	"regexp"
	"strings"
	"testing"
)

// TestWordWrapKeepsEscapesWhole: a control character made visible (\x1b,
// \u202e) is never split across lines, at any width, whether the word is
// broken after a path's backslash or cut plainly.
func TestWordWrapKeepsEscapesWhole(t *testing.T) {
	texts := []string{
		`+ members: {"domain":"GP-RECEPTION-01","name":"backdoor` + "\u202e" + `exe.txt","sid":"S-1-5-21-1-2-3-1013"}`,
		`HKLM\SOFTWARE\Vendor` + "\x1b[31m" + `\Key\Sub` + "\u202e\u202e\x07" + `key\Value`,
		strings.Repeat("a\x1b", 40),
	}
	escape := regexp.MustCompile(`\\x[0-9a-f]{2}|\\u[0-9a-f]{4}`)
	for _, text := range texts {
		want := escape.FindAllString(Sanitize(text), -1)
		for width := 6; width <= 90; width++ {
			lines := WordWrap(text, width)
			var got []string
			for _, line := range lines {
				got = append(got, escape.FindAllString(line, -1)...)
			}
			if strings.Join(got, "") != strings.Join(want, "") {
				t.Fatalf("width %d split an escape: %q", width, lines)
			}
		}
	}
	lines := WordWrap(`+ members: GP-RECEPTION-01\backdoor`+"\u202e"+`exe.txt (S-1-5-21-1004336348-1177238915-682003330-1013)`, 74)
	if len(lines) != 2 || lines[0] != `+ members: GP-RECEPTION-01\backdoor\u202eexe.txt` {
		t.Errorf("wrapped at 74 %q, want the member name whole on the first line", lines)
	}
}
