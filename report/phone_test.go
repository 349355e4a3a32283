package report

import (
	"fmt"
	"strings"
	"testing"

	"github.com/nhs-dspt/dspt-audit/report/internal/browser"
)

// TestHTMLOnAPhone lays the 1607 report out 390 pixels wide: the page does
// not scroll sideways, and the standards table drops coverage and the
// check list to keep the outcome in view.
func TestHTMLOnAPhone(t *testing.T) {
	t.Parallel()
	const width = 390
	lines := strings.Split(browser.Layout(t, render(t, "html", buildProfile(t, "win10-1607-wannacry-era")), width), "\n")
	var viewport, document int
	if _, err := fmt.Sscanf(lines[0], "viewport %d document %d", &viewport, &document); err != nil || viewport != width {
		t.Fatalf("laid out %q, want a %d-pixel viewport", lines[0], width)
	}
	if document > width {
		t.Errorf("the page is %d pixels wide on a %d-pixel phone: %s", document, width, lines[0])
	}
	if !strings.HasSuffix(lines[1], " heads Standard|Score|Outcome") {
		t.Errorf("standards table on a phone: %s", lines[1])
	}
}
