package fleet

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/nhs-dspt/dspt-audit/report/internal/browser"
)

// TestHTMLOnAPhone lays the roll-up out 390 pixels wide: the page does not
// scroll sideways (a wide table scrolls inside its own box), and the
// standards table keeps the fleet's key columns.
func TestHTMLOnAPhone(t *testing.T) {
	t.Parallel()
	_, roll := smallShare(t)
	const width = 390
	lines := strings.Split(browser.Layout(t, write(t, "html", roll), width), "\n")
	var viewport, document int
	if _, err := fmt.Sscanf(lines[0], "viewport %d document %d", &viewport, &document); err != nil || viewport != width {
		t.Fatalf("laid out %q, want a %d-pixel viewport", lines[0], width)
	}
	if document > width {
		t.Errorf("the page is %d pixels wide on a %d-pixel phone: %s", document, width, lines[0])
	}
	table := regexp.MustCompile(`^table (\d+) right (\d+) parent (\d+) (\S+) heads (.*)$`)
	for _, line := range lines[1:] {
		m := table.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("unexpected measure %q", line)
		}
		var right, parent int
		fmt.Sscan(m[2], &right)
		fmt.Sscan(m[3], &parent)
		scrolls := m[4] == "auto" || m[4] == "scroll"
		if right > width && !(scrolls && parent <= width) {
			t.Errorf("table %s (%s) is %d pixels wide and overflows the page (parent %d, overflow-x %s)", m[1], m[5], right, parent, m[4])
		}
		if strings.HasPrefix(m[5], "Standard|") && (!strings.Contains(m[5], "|Meeting|") || !strings.Contains(m[5], "|Practice_outcome")) {
			t.Errorf("the standards table hides the fleet's key columns on a phone: shows %s", m[5])
		}
		if strings.HasPrefix(m[5], "Check|") && !scrolls && right > width {
			t.Errorf("the checks table overflows: %s", line)
		}
	}
}
