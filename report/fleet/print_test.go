package fleet

import (
	"fmt"
	"strings"
	"testing"

	"github.com/nhs-dspt/dspt-audit/report/internal/browser"
)

// TestPrintedHTML prints the roll-up: host names and dates are never
// broken at a hyphen, and every page says what it is, when it was made,
// and which page of how many.
func TestPrintedHTML(t *testing.T) {
	t.Parallel()
	_, roll := smallShare(t)
	pages := browser.PrintedPages(t, write(t, "html", roll))
	var whole []string
	for _, h := range roll.Hosts {
		whole = append(whole, h.Name, h.ScannedAt.UTC().Format("2006-01-02 15:04"))
	}
	head := "Practice roll-up · generated " + roll.GeneratedAt.UTC().Format("2006-01-02 15:04 UTC")
	for i, page := range pages {
		if !strings.Contains(page, head) {
			t.Errorf("page %d does not say %q", i+1, head)
		}
		if want := fmt.Sprintf("Page %d of %d", i+1, len(pages)); !strings.Contains(page, want) {
			t.Errorf("page %d does not say %q", i+1, want)
		}
		for _, line := range strings.Split(page, "\n") {
			line = strings.TrimSpace(line)
			for _, w := range whole {
				for j := range len(w) - 1 {
					if w[j] == '-' && strings.HasSuffix(line, w[:j+1]) {
						t.Errorf("page %d breaks %q at a hyphen: a line ends %q", i+1, w, line)
					}
				}
			}
		}
	}
}
