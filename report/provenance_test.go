package report

import (
	stdhtml "html"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// Page 1 of every single-host view carries the provenance block, and a
// replayed result says so in capitals, naming its collector.
func TestProvenanceOnPageOne(t *testing.T) {
	rep := buildProfile(t, "win10-1607-wannacry-era")
	rep.Tool = Tool{Name: "dspt-audit", Version: "1.2.3", Commit: "0123456789abcdef0123", BuildDate: "2026-11-20T10:00:00Z", SHA256: strings.Repeat("ab", 32)}
	rep.Host.RunAs = "SYSTEM"
	rep.GeneratedAt = time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	rep.ResultSHA256 = strings.Repeat("cd", 32)
	want := []string{
		"dspt-audit 1.2.3 (commit 0123456789ab, built 2026-11-20)",
		"SHA-256 " + rep.Tool.SHA256,
		rep.Host.ID,
		"SYSTEM",
		"REPLAYED, not a live scan: snapshot win10-1607-wannacry-era.json, recorded by " + rep.Collector,
		"generated 2026-11-27 09:00 UTC",
		"SHA-256 " + rep.ResultSHA256,
	}
	if rep.Collector == "" || rep.Host.ID == "" {
		t.Fatalf("the profile names no collector (%q) or host ID (%q)", rep.Collector, rep.Host.ID)
	}
	var term strings.Builder
	if err := Terminal(&term, rep, TerminalOptions{Width: 100}); err != nil {
		t.Fatal(err)
	}
	terminal := term.String()
	page1 := terminal[:strings.Index(terminal, "NDG data security standards")]
	html := string(render(t, "html", rep))
	htmlPage1 := stdhtml.UnescapeString(html[:strings.Index(html, `<h3>NDG data security standards</h3>`)])
	f, err := excelize.OpenReader(strings.NewReader(string(render(t, "xlsx", rep))))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows(sheetSummary)
	if err != nil {
		t.Fatal(err)
	}
	var summary strings.Builder
	for _, r := range rows {
		summary.WriteString(strings.Join(r, " ") + "\n")
	}
	for _, w := range want {
		if !strings.Contains(strings.Join(strings.Fields(page1), " "), w) {
			t.Errorf("terminal page 1 lacks %q:\n%s", w, page1)
		}
		if !strings.Contains(htmlPage1, w) {
			t.Errorf("HTML page 1 lacks %q", w)
		}
		if !strings.Contains(summary.String(), w) {
			t.Errorf("workbook Summary lacks %q", w)
		}
	}
}

func TestToolDescribe(t *testing.T) {
	for _, tt := range []struct {
		tool Tool
		want string
	}{
		{Tool{Name: "dspt-audit", Version: "dev-0123456789ab", Development: true}, "dspt-audit dev-0123456789ab: development build (not for evidence)"},
		{Tool{Name: "dspt-audit", Version: "dev"}, "dspt-audit dev: development build (not for evidence)"},
		{Tool{Name: "dspt-audit", Version: "1.0.0"}, "dspt-audit 1.0.0"},
		{Tool{Name: "dspt-audit", Version: "1.0.0", Commit: "abc"}, "dspt-audit 1.0.0 (commit abc)"},
	} {
		if got := tt.tool.Describe(); got != tt.want {
			t.Errorf("%+v: %q, want %q", tt.tool, got, tt.want)
		}
	}
	live := &Report{Source: "live"}
	if got := live.SourceText(); got != "live scan of the machine" || (&Report{Source: "scheduled"}).SourceText() != "scheduled scan of the machine" {
		t.Errorf("live: %q", got)
	}
}
