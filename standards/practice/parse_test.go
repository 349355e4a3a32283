package practice

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/nhs-dspt/dspt-audit/standards"
)

var knownChecks = []string{"os-supported", "disk-encrypted", "antimalware-active", "patches-current"}

func catalogue(t testing.TB) *standards.DSPTItemFile {
	t.Helper()
	d, err := standards.Load()
	if err != nil {
		t.Fatal(err)
	}
	return &d.DSPT
}

func opts(t testing.TB) Options {
	return Options{Items: catalogue(t), Checks: knownChecks, Now: time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)}
}

func TestParseGood(t *testing.T) {
	b, err := os.ReadFile("testdata/good.yaml")
	if err != nil {
		t.Fatal(err)
	}
	p, err := Parse(b, opts(t))
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "Riverside Surgery" || p.ODS != "A81001" {
		t.Errorf("name %q ods %q", p.Name, p.ODS)
	}
	if len(p.Attestations) != 3 {
		t.Fatalf("got %d attestations, want 3", len(p.Attestations))
	}
	a := p.Attestations[0]
	if a.Item != "4.3.1" || a.Standard != 4 || a.Answer != standards.AnswerMet || a.Reviewed != standards.MustDate("2026-05-02") || a.NextReview != standards.MustDate("2027-05-02") || a.Owner != "Practice Manager" {
		t.Errorf("first attestation %+v", a)
	}
	if p.Attestations[1].Answer != standards.AnswerPartly || !p.Attestations[1].Expired(opts(t).Now) {
		t.Errorf("second attestation %+v: want partly and expired on 2026-11-27", p.Attestations[1])
	}
	if blank := p.Attestations[2]; blank.Answered() || !blank.Reviewed.IsZero() || blank.Standard != 7 {
		t.Errorf("blank attestation %+v", blank)
	}
	if len(p.Risks) != 2 || !p.Risks[1].Covers("reception-3") || p.Risks[0].Covers("RECEPTION-3") {
		t.Errorf("risks %+v", p.Risks)
	}
	if !p.Risks[1].Expired(opts(t).Now) || p.Risks[0].Expired(opts(t).Now) {
		t.Errorf("risk expiry wrong: %+v", p.Risks)
	}
	if len(p.Hosts) != 1 || p.Hosts[0].Location != "Treatment room 2" || len(p.Assets) != 2 || p.Assets[0].Kind != "network" {
		t.Errorf("hosts %+v assets %+v", p.Hosts, p.Assets)
	}
}

// TestParseExpiredRisk: a scan loads an expired risk; a person writing
// the file is told.
func TestParseExpiredRisk(t *testing.T) {
	b, _ := os.ReadFile("testdata/good.yaml")
	o := opts(t)
	o.RefuseExpired = true
	_, err := Parse(b, o)
	if err == nil || err.Error() != "practice file line 37: accepted risk for disk-encrypted expired on 2026-10-31; renew it or remove it" {
		t.Errorf("got %v", err)
	}
}

const head = "name: Riverside\n"

// billionLaughs expands to 10^9 strings when aliases are followed.
var billionLaughs = func() string {
	s := "notes_0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
	for i := 1; i < 9; i++ {
		s += fmt.Sprintf("notes_%d: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d]\n", i, i, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1)
	}
	return s
}()

func TestParseMalformed(t *testing.T) {
	risk := "accepted_risks:\n  - check: os-supported\n    hosts: [SPIRO-01]\n    reason: r\n    owner: o\n    approved_by: a\n    expires: 2027-01-01\n"
	for _, tc := range []struct {
		name, file, want string
	}{
		{"unknown key", head + "practise_name: x\n", "line 2: unknown field \"practise_name\""},
		{"unknown key in item", head + "items:\n  - item: 4.3.1\n    answr: met\n", "line 4: unknown field \"answr\""},
		{"bad date", head + "items:\n  - item: 4.3.1\n    reviewed: 2026-13-01\n", "line 4: reviewed \"2026-13-01\" is not a date of the form YYYY-MM-DD"},
		{"date in another form", head + "items:\n  - item: 4.3.1\n    next_review: 02/05/2027\n", "line 4: next_review \"02/05/2027\" is not a date"},
		{"bad answer", head + "items:\n  - item: 4.3.1\n    answer: yes\n", "line 4: answer \"yes\" is not met, not met or partly"},
		{"unknown item", head + "items:\n  - item: 4.9.9\n", "line 3: item \"4.9.9\" is not an item of the"},
		{"NDG standard that has items", head + "items:\n  - item: NDG 3\n", "line 3: item \"NDG 3\": standard 3 has toolkit items"},
		{"item without id", head + "items:\n  - answer: met\n", "line 3: an entry without item:"},
		{"duplicate item", head + "items:\n  - item: 4.3.1\n  - item: 7.1.1\n  - item: 4.3.1\n", "line 5: item 4.3.1 is listed twice"},
		{"wrong standard", head + "items:\n  - item: 4.3.1\n    standard: 5\n", "line 4: item 4.3.1 is under standard 4, not 5"},
		{"review before reviewed", head + "items:\n  - item: 4.3.1\n    reviewed: 2026-05-02\n    next_review: 2025-05-02\n", "line 5: item 4.3.1: next_review 2025-05-02 is before reviewed 2026-05-02"},
		{"unknown check", head + strings.Replace(risk, "os-supported", "os-suported", 1), "line 3: accepted risk names check \"os-suported\", which does not exist"},
		{"empty hosts", head + strings.Replace(risk, "[SPIRO-01]", "[]", 1), "line 4: accepted risk for os-supported names no hosts"},
		{"blank host", head + strings.Replace(risk, "[SPIRO-01]", "[\"  \"]", 1), "line 4: accepted risk for os-supported: an empty host name"},
		{"bad host pattern", head + strings.Replace(risk, "[SPIRO-01]", "[\"SPIRO-[\"]", 1), "line 4: accepted risk for os-supported: host pattern \"SPIRO-[\" is not a valid pattern"},
		{"risk without approver", head + strings.Replace(risk, "    approved_by: a\n", "", 1), "line 3: accepted risk for os-supported names no approved_by"},
		{"risk without expiry", head + strings.Replace(risk, "    expires: 2027-01-01\n", "", 1), "line 3: accepted risk for os-supported has no expires date"},
		{"expiry in the past when written", head + strings.Replace(risk, "2027-01-01", "2026-11-26", 1), "line 8: accepted risk for os-supported expired on 2026-11-26"},
		{"tab", head + "items:\n\t- item: 4.3.1\n", "line 3: a tab character at column 1 (indent with spaces)"},
		{"control character", head + "ods_code: A8\x1b[2J1001\n", "line 2: a control or invisible character U+001B at column 13"},
		{"escaped control character", head + "items:\n  - item: 4.3.1\n    owner: \"PM\\e[31m\"\n", "line 4: a control or invisible character in \"PM?[31m\""},
		{"bidi override", head + "hosts:\n  - host: \u202eSPIRO\n", "line 3: a control or invisible character U+202E at column 11"},
		{"not UTF-8", head + "hosts:\n  - host: R\xe9CEPTION\n", "line 3: not UTF-8 text"},
		{"alias", head + "assets:\n  - &a {name: x, kind: data}\n  - *a\n", "line 3: anchors, aliases and merge keys"},
		{"alias bomb", head + billionLaughs, "line 2: anchors, aliases and merge keys"},
		{"merge key", head + "hosts:\n  - host: A\n    <<: {notes: x}\n", "line 4: anchors, aliases and merge keys"},
		{"tag", head + "record_last_user: !!bool true\n", "line 2: YAML tags"},
		{"two documents", head + "---\nname: other\n", "line 3: a second YAML document"},
		{"duplicate key", head + "name: again\n", "line 2: mapping key \"name\" already defined"},
		{"wrong type", head + "record_last_user: maybe\n", "line 2: cannot unmarshal string into Go struct field"},
		{"list for a map", head + "items: 4.3.1\n", "line 2: string was used where sequence is expected"},
		{"syntax", head + "items: [4.3.1\n", "line 2: sequence end token ']' not found"},
		{"not a mapping", "- name: x\n", "line 1: the file must be a list of settings"},
		{"empty", "\n\n", "line 1: the file is empty"},
		{"only comments", "# nothing yet\n", "line 1: the file holds no settings"},
		{"bad ODS code", head + "ods_code: a81001\n", "line 2: ods_code \"a81001\" is not an ODS code"},
		{"asset kind", head + "assets:\n  - name: Router\n    kind: router\n", "line 4: asset Router: kind \"router\" is not one of"},
		{"host note twice", head + "hosts:\n  - host: PC1\n  - host: pc1\n", "line 4: host pc1 has two notes"},
		{"brackets nested deep", head + "hosts: " + strings.Repeat("[", 100000) + "\n", "line 2: brackets nested more than 32 deep"},
		{"too large", head + "# " + strings.Repeat("x", MaxSize) + "\n", "line 2: the file is larger than 1 MiB"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := opts(t)
			o.RefuseExpired = true
			p, err := Parse([]byte(tc.file), o)
			if err == nil {
				t.Fatalf("parsed %+v, want an error", p)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "practice file "+tc.want) {
				t.Errorf("got  %q\nwant practice file %s…", msg, tc.want)
			}
			if strings.ContainsAny(msg, "\n\r") {
				t.Errorf("error is not one line: %q", msg)
			}
			if p != nil {
				t.Errorf("got a practice with the error")
			}
		})
	}
}

func TestParseByteOrderMarkAndCRLF(t *testing.T) {
	b, _ := os.ReadFile("testdata/good.yaml")
	crlf := append([]byte("\ufeff"), strings.ReplaceAll(string(b), "\n", "\r\n")...)
	p, err := Parse(crlf, opts(t))
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "Riverside Surgery" || len(p.Risks) != 2 || p.Risks[0].Reason != "The spirometer software runs only on Windows 10." {
		t.Errorf("got %+v", p)
	}
}

// TestParseNDGStandard: a standard no toolkit item covers is answered as
// "NDG n"; a standard that has items is not.
func TestParseNDGStandard(t *testing.T) {
	items := &standards.DSPTItemFile{Toolkit: "test", Category: 4, Items: []standards.DSPTItem{{ID: "1.1.1", Standard: 1, Machine: "procedural"}}}
	o := Options{Items: items}
	p, err := Parse([]byte("name: x\nitems:\n  - item: NDG 3\n    answer: met\n"), o)
	if err != nil || p.Attestations[0].Standard != 3 {
		t.Fatalf("NDG 3: %+v, %v", p, err)
	}
	for file, want := range map[string]string{
		"name: x\nitems:\n  - item: NDG 1\n":  "practice file line 3: item \"NDG 1\": standard 1 has toolkit items; answer those instead",
		"name: x\nitems:\n  - item: NDG 11\n": "practice file line 3: item \"NDG 11\" is not an item of the test toolkit (Category 4)",
	} {
		if _, err := Parse([]byte(file), o); err == nil || err.Error() != want {
			t.Errorf("got %v, want %s", err, want)
		}
	}
}

func FuzzParse(f *testing.F) {
	good, _ := os.ReadFile("testdata/good.yaml")
	f.Add(good)
	f.Add([]byte("name: x\nitems: [{item: 4.3.1, answer: met}]\n"))
	f.Add([]byte("a: &a [*a]\n"))
	o := opts(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := Parse(b, o)
		if (p == nil) == (err == nil) {
			t.Fatalf("Parse gave %v and %v", p, err)
		}
		if err != nil && strings.ContainsAny(err.Error(), "\n\r") {
			t.Fatalf("error is not one line: %q", err)
		}
	})
}

func BenchmarkParse(b *testing.B) {
	good, _ := os.ReadFile("testdata/good.yaml")
	o := opts(b)
	for b.Loop() {
		if _, err := Parse(good, o); err != nil {
			b.Fatal(err)
		}
	}
}
