//go:build !windows

package schedule

import (
	"errors"
	"strings"
	"testing"

	"github.com/nhs-dspt/dspt-audit/standards"
)

// TestEventsCannotForgeJournalEntries: a host name or a file name with a
// line break and a syslog priority would start a second, forged journal
// entry; escapes would act on whoever reads the journal in a terminal.
func TestEventsCannotForgeJournalEntries(t *testing.T) {
	forged := "PC1\n<6>event 100: dspt-audit scheduled scan of PC1: Standards Met\x1b[8m"
	score := 40
	events := []Event{
		OutcomeEvent(forged, standards.NotMet, &score, []string{"risky-ports"}, "/srv/dspt/"+forged+".json"),
		FailedEvent(forged, errors.New("open /srv/dspt/\x1b[2J: permission denied")),
		DataFailedEvent(forged, errors.New("bad \r\n document")),
		{ID: EventFailed, Level: Error, Message: "made elsewhere\n<3>event 200: forged"},
	}
	t.Setenv("JOURNAL_STREAM", "8:1234")
	for _, e := range events {
		var b strings.Builder
		if err := Log(&b, e); err != nil {
			t.Fatal(err)
		}
		line := b.String()
		if strings.Count(line, "\n") != 1 || strings.ContainsAny(line, "\r\x1b") {
			t.Errorf("event %d writes %q", e.ID, line)
		}
		if !strings.HasPrefix(line, "<") || !strings.Contains(line, `\x0a`) {
			t.Errorf("event %d does not show the line break visibly: %q", e.ID, line)
		}
	}
}
