package diff

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/xuri/excelize/v2"

	"github.com/nhs-dspt/dspt-audit/checks/probe"
	"github.com/nhs-dspt/dspt-audit/standards"
)

// regressingDiff is a PC patched (UBR raised), whose private firewall was
// turned off and which got a new local administrator whose name holds an
// escape sequence.
func regressingDiff(t *testing.T) *Diff {
	t.Helper()
	before := snapshot(t, patchedProfile)
	setValue(t, before, ubrKey, map[string]any{"type": "REG_DWORD", "data": 9168})
	after := snapshot(t, patchedProfile)
	after.CollectedAt = after.CollectedAt.Add(24 * time.Hour)
	setValue(t, after, firewallKey, map[string]any{"type": "REG_DWORD", "data": 0})
	var admins map[string]any
	value(t, after, adminsKey, &admins)
	admins["members"] = append(admins["members"].([]any), map[string]any{"sid": "S-1-5-21-1-2-3-1013", "name": "=locum\x1b]0;pwned\x07", "domain": "GP-RECEPTION-01"})
	setValue(t, after, adminsKey, admins)
	setHost(t, after, func(h *probe.HostInfo) { h.Hostname = "GP-RECEPTION-01\x1b[2J" })
	return Compare(result(t, before), result(t, after))
}

func TestTerminalOrderAndSafety(t *testing.T) {
	d := regressingDiff(t)
	var b bytes.Buffer
	if err := Terminal(&b, d, TerminalOptions{Width: 200}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if strings.ContainsAny(out, "\x1b\x07") {
		t.Errorf("a control character reached the terminal:\n%s", out)
	}
	if strings.Contains(out, `\u00`) {
		t.Errorf("a control character shown in JSON's style, not as report.Sanitize shows one:\n%s", out)
	}
	order := []string{"Note: Renamed: ", "Regressed and newly failing (", "REGRESSED    firewall-on", "Fixed and improved (", "Evidence that changed (", "9168 (REG_DWORD) → 9445 (REG_DWORD)",
		`+ members: GP-RECEPTION-01\=locum\x1b]0;pwned\x07 (S-1-5-21-1-2-3-1013)`, "NDG data security standards", "checks unchanged."}
	at := 0
	for _, want := range order {
		i := strings.Index(out[at:], want)
		if i < 0 {
			t.Fatalf("%q missing, or out of order, in:\n%s", want, out)
		}
		at += i
	}

	var coloured bytes.Buffer
	if err := Terminal(&coloured, d, TerminalOptions{Color: true}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(coloured.String(), "\x1b[") {
		t.Error("no colour on a terminal")
	}
}

// TestTerminalAt80Columns: on an 80-column terminal every line fits, and
// an escape made visible is never split across lines.
func TestTerminalAt80Columns(t *testing.T) {
	d := regressingDiff(t)
	for i, e := range d.Evidence {
		if e.Source == probe.API && len(e.Added) == 1 {
			d.Evidence[i].Added = append(d.Evidence[i].Added, Item{Field: "members", Text: "GP-RECEPTION-01\\backdoor\u202eexe.txt (S-1-5-21-1004336348-1177238915-682003330-1013)"})
		}
	}
	for _, colour := range []bool{false, true} {
		var b bytes.Buffer
		if err := Terminal(&b, d, TerminalOptions{Width: 80, Color: colour}); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		for _, line := range strings.Split(out, "\n") {
			if w := lipgloss.Width(line); w > 80 {
				t.Errorf("a line of %d cells at 80 columns: %q", w, line)
			}
		}
		if !strings.Contains(out, `GP-RECEPTION-01\backdoor\u202eexe.txt`) || !strings.Contains(out, `\x1b]0;pwned\x07`) {
			t.Errorf("an escape split across lines, or a name lost:\n%s", out)
		}
	}
}

func TestJSONDiff(t *testing.T) {
	d := regressingDiff(t)
	var b bytes.Buffer
	if err := Formats()[0].Write(&b, d); err != nil {
		t.Fatal(err)
	}
	var back struct {
		Version int `json:"diff_schema_version"`
		Old     struct {
			ScannedAt time.Time `json:"scanned_at"`
			Outcome   string
		}
		Checks []struct {
			ID, Change string
			Before     *struct{ Status string }
			After      *struct{ Status string }
		}
		Evidence []struct {
			Query         string
			Before, After string
			Added         []struct {
				Field string
				Value map[string]any
				Text  string
			}
		}
		Standards []struct {
			Number        int
			OutcomeBefore string `json:"outcome_before"`
			OutcomeAfter  string `json:"outcome_after"`
		}
		Counts map[string]int
	}
	if err := json.Unmarshal(b.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if back.Version != 1 || back.Old.Outcome != string(d.Old.Outcome) || len(back.Checks) != len(d.Checks) || len(back.Standards) != 10 ||
		back.Standards[8].OutcomeBefore != string(d.Standards[8].OutcomeBefore) || back.Standards[8].OutcomeAfter != string(d.Standards[8].OutcomeAfter) {
		t.Errorf("JSON diff: version %d, old outcome %q, %d checks, %d standards", back.Version, back.Old.Outcome, len(back.Checks), len(back.Standards))
	}
	fw := back.Checks[0]
	if fw.Change != "regressed" || fw.Before == nil || fw.After == nil || fw.Before.Status != "pass" || fw.After.Status == "pass" {
		t.Errorf("first check %+v, want a regression with both statuses by name", fw)
	}
	if back.Counts["regressed"] == 0 || back.Counts["unchanged"] == 0 {
		t.Errorf("counts %v", back.Counts)
	}
	var admins []struct {
		Field string
		Value map[string]any
		Text  string
	}
	for _, e := range back.Evidence {
		if e.Query == "NetLocalGroupGetMembers(S-1-5-32-544)" {
			admins = e.Added
		}
	}
	if len(admins) != 1 || admins[0].Field != "members" || admins[0].Value["name"] != "=locum\x1b]0;pwned\x07" || admins[0].Value["sid"] != "S-1-5-21-1-2-3-1013" ||
		admins[0].Text != "GP-RECEPTION-01\\=locum\x1b]0;pwned\x07 (S-1-5-21-1-2-3-1013)" {
		t.Errorf("added administrators %+v, want the member as a JSON object, its list named apart", admins)
	}
}

// TestJSONDiffListsEveryCountAndNote: a reader of the JSON finds notes as
// a list and a count for every kind of change, even with nothing to say.
func TestJSONDiffListsEveryCountAndNote(t *testing.T) {
	before := snapshot(t, patchedProfile)
	before.CollectedAt = before.CollectedAt.AddDate(0, 0, -1)
	d := Compare(result(t, before), result(t, snapshot(t, patchedProfile)))
	var b bytes.Buffer
	if err := Formats()[0].Write(&b, d); err != nil {
		t.Fatal(err)
	}
	var back struct {
		Notes  *[]string
		Counts map[string]*int
	}
	if err := json.Unmarshal(b.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if back.Notes == nil || len(*back.Notes) != 0 {
		t.Errorf("notes %v, want an empty list", back.Notes)
	}
	for c := standards.StatusChange(0); c.String() != "change(?)"; c++ {
		if n := back.Counts[c.String()]; n == nil {
			t.Errorf("no count of %s in %s", c, b.String()[:min(b.Len(), 2000)])
		}
	}
	if n := back.Counts["unchanged"]; n == nil || *n != len(d.Checks) {
		t.Errorf("unchanged %v, want all %d", n, len(d.Checks))
	}
}

func TestHTMLDiff(t *testing.T) {
	d := regressingDiff(t)
	var b bytes.Buffer
	if err := HTML(&b, d); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, want := range []string{`GP-RECEPTION-01\x1b[2J`, `members: GP-RECEPTION-01\=locum\x1b]0;pwned\x07 (S-1-5-21-1-2-3-1013)`, "Regressed and newly failing", "firewall-on", "9168 (REG_DWORD) → 9445 (REG_DWORD)", `Page &#34; counter(page)`, "@top-left { content: \"GP\\2d RECEPTION"} {
		if !strings.Contains(page, want) && !strings.Contains(page, strings.ReplaceAll(want, "&#34;", `"`)) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if strings.ContainsAny(page, "\x1b\x07") || strings.Contains(page, "ZgotmplZ") {
		t.Error("a control character, or a value html/template refused, is in the page")
	}
	for _, tag := range []string{"<script", "<link", "src=", "@import", "url("} {
		if strings.Contains(page, tag) {
			t.Errorf("the page is not self-contained: %s", tag)
		}
	}
}

func TestXLSXDiff(t *testing.T) {
	d := regressingDiff(t)
	var b bytes.Buffer
	if err := XLSX(&b, d); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&b)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := strings.Join(f.GetSheetList(), ","); got != "Summary,Changes,Evidence,Standards" {
		t.Errorf("sheets %s", got)
	}
	changes, _ := f.GetRows(sheetChanges)
	if len(changes) != len(d.Checks)+1 || changes[0][0] != "Change" || changes[1][0] != "REGRESSED" || changes[1][3] != "pass" {
		t.Errorf("Changes sheet: %d rows, first %q", len(changes), changes[:2])
	}
	evidence, _ := f.GetRows(sheetEvidence)
	joined := ""
	for _, row := range evidence {
		joined += strings.Join(row, "|") + "\n"
	}
	if !strings.Contains(joined, "9168 (REG_DWORD) → 9445 (REG_DWORD)") || !strings.Contains(joined, `|added: members: GP-RECEPTION-01\=locum\x1b]0;pwned\x07 (S-1-5-21-1-2-3-1013)`) || strings.ContainsAny(joined, "\x1b\x07") {
		t.Errorf("Evidence sheet:\n%s", joined)
	}
	standardsRows, _ := f.GetRows(sheetStandards)
	if len(standardsRows) != 11 {
		t.Errorf("Standards sheet has %d rows, want a header and 10", len(standardsRows))
	}
	for _, sheet := range []string{sheetChanges, sheetEvidence, sheetStandards} {
		panes, err := f.GetPanes(sheet)
		if err != nil || !panes.Freeze || panes.YSplit != 1 {
			t.Errorf("%s: header row not frozen (%+v, %v)", sheet, panes, err)
		}
		layout, _ := f.GetPageLayout(sheet)
		if layout.Size == nil || *layout.Size != 9 {
			t.Errorf("%s: not set to print on A4", sheet)
		}
	}
	if d.Counts[standards.Regressed.String()] == 0 {
		t.Error("nothing regressed in the history")
	}
}
