package report

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// TestPreviousLine: a result that records the one before it says so in one
// line of the terminal and HTML headers; one that does not, nothing.
func TestPreviousLine(t *testing.T) {
	rep := buildProfile(t, "win10-1607-wannacry-era")
	var plain bytes.Buffer
	if err := Terminal(&plain, rep, TerminalOptions{}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(plain.String(), "Previous:") {
		t.Error("a result without previous shows a Previous line")
	}
	score := 61
	rep.Previous = &Previous{ScannedAt: time.Date(2026, 11, 26, 2, 0, 0, 0, time.UTC), Outcome: "Approaching Standards", Score: &score,
		Regressed: []string{"firewall-on", "risky-ports"}, Fixed: []string{"patches-current"}}
	want := "Since the previous scan on 2026-11-26 02:00 UTC (Approaching Standards, score 61/100): 2 regressed (firewall-on, risky-ports), 1 fixed or improved (patches-current)."
	if got := rep.PreviousText(); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	var text, page bytes.Buffer
	if err := Terminal(&text, rep, TerminalOptions{Width: 400}); err != nil {
		t.Fatal(err)
	}
	if err := HTML(&page, rep); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text.String(), "Previous: "+want) {
		t.Errorf("the line is missing from the terminal view:\n%s", text.String()[:600])
	}
	if !strings.Contains(page.String(), want) {
		t.Errorf("the line is missing from the HTML view")
	}

	rep.Previous = &Previous{Note: "The previous result x.json is of another machine\x1b[2J; not compared."}
	if got := rep.PreviousText(); got != `The previous result x.json is of another machine\x1b[2J; not compared.` {
		t.Errorf("not compared: %q", got)
	}
}
