package fleet

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nhs-dspt/dspt-audit/report"
	"github.com/nhs-dspt/dspt-audit/standards"
)

func TestHostsShowWhatGotWorseSinceThePreviousScan(t *testing.T) {
	dir := tempDir(t)
	base := profileReports(t)[0]
	worse := cloneReport(t, base)
	worse.Host.Name = "PC-WORSE"
	worse.Previous = &report.Previous{ScannedAt: worse.ScannedAt.Add(-24 * time.Hour), Outcome: standards.Met,
		Regressed: []string{base.Results[0].ID}, NewFailures: []string{"no-such-check\x1b[2J", base.Results[1].ID}}
	same := cloneReport(t, base)
	same.Host.Name = "PC-SAME"
	same.Previous = &report.Previous{ScannedAt: same.ScannedAt.Add(-24 * time.Hour), Outcome: base.Outcome}
	writeFile(t, filepath.Join(dir, "PC-WORSE.json"), mustJSON(t, worse))
	writeFile(t, filepath.Join(dir, "PC-SAME.json"), mustJSON(t, same))
	roll, err := Read(context.Background(), []string{dir}, Options{Now: base.ScannedAt, Standards: ndgStandards(t)})
	if err != nil {
		t.Fatal(err)
	}
	want := "regressed " + base.Results[0].ID + "; newly failing " + base.Results[1].ID
	for _, h := range roll.Hosts {
		switch h.Name {
		case "PC-WORSE":
			if h.SincePrevious != want || !strings.Contains(h.Note(), "Since the previous scan: "+want+".") {
				t.Errorf("PC-WORSE: %q, note %q; want %q", h.SincePrevious, h.Note(), want)
			}
		case "PC-SAME":
			if h.SincePrevious != "" {
				t.Errorf("PC-SAME: %q, want nothing", h.SincePrevious)
			}
		}
	}
	var text bytes.Buffer
	if err := Terminal(&text, roll, TerminalOptions{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text.String(), "worse since the previous scan: "+want) || strings.Contains(text.String(), "no-such-check") {
		t.Errorf("terminal:\n%s", text.String())
	}
	var page bytes.Buffer
	if err := HTML(&page, roll); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(page.String(), "Since the previous scan: "+want) {
		t.Error("the page does not say what got worse")
	}
}
