package practice

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/nhs-dspt/dspt-audit/standards"
)

// Blank is a practice with an unanswered entry for every toolkit item a
// person must answer: each item a scan cannot evidence strongly.
func Blank(items *standards.DSPTItemFile) *standards.Practice {
	p := &standards.Practice{}
	for _, it := range items.Items {
		if it.Machine != "strong" {
			p.Attestations = append(p.Attestations, standards.Attestation{Item: it.ID, Standard: it.Standard})
		}
	}
	return p
}

// ToAnswer lists (by index) the entries a person still has to answer:
// not answered, or past their next review.
func ToAnswer(p *standards.Practice, now time.Time) []int {
	var out []int
	for i, a := range p.Attestations {
		if !a.Answered() || a.Expired(now) {
			out = append(out, i)
		}
	}
	return out
}

// Write writes p as a commented practice file that Parse reads back: each
// item with its question in plain words, and commented examples where a
// list is empty. Comments a person added to the file are not kept.
func Write(w io.Writer, p *standards.Practice, items *standards.DSPTItemFile) error {
	bw := bufio.NewWriter(w)
	pw := printer{w: bw}
	pw.header(items)
	pw.line("name: %s", scalarText(p.Name))
	pw.line("ods_code: %s", scalarText(p.ODS))
	pw.line("# true keeps each PC's last logged-on user in the asset register.")
	pw.line("record_last_user: %t", p.RecordLastUser)
	pw.items(p.Attestations, items)
	pw.risks(p.Risks)
	pw.hosts(p.Hosts)
	pw.assets(p.Assets)
	return bw.Flush()
}

type printer struct{ w *bufio.Writer }

func (pw printer) line(format string, args ...any) {
	pw.w.WriteString(strings.TrimRight(fmt.Sprintf(format, args...), " "))
	pw.w.WriteByte('\n')
}

// comment writes text as comment lines of at most about 100 characters.
func (pw printer) comment(indent, text string) {
	var b strings.Builder
	for _, word := range strings.Fields(text) {
		if b.Len() > 0 && b.Len()+len(word) > 96-len(indent) {
			pw.line("%s# %s", indent, b.String())
			b.Reset()
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(word)
	}
	if b.Len() > 0 {
		pw.line("%s# %s", indent, b.String())
	}
}

func (pw printer) header(items *standards.DSPTItemFile) {
	pw.line("# dspt-audit practice file: what the practice says that no scan can see.")
	pw.comment("", fmt.Sprintf("Toolkit: DSPT %s, Category %d (items as of %s).", items.Toolkit, items.Category, items.AsOf))
	pw.comment("", "Fill it in with `dspt-audit practice answer FILE` (a form in the terminal) or by hand; "+
		"check it with `dspt-audit practice check FILE`; give it to scans with --practice FILE.")
	pw.comment("", "Dates are YYYY-MM-DD. An answer is met, not met or partly; an empty answer is unanswered. "+
		"An answer past its next_review no longer counts. Indent with spaces, never tabs.")
	pw.line("")
}

func (pw printer) items(atts []standards.Attestation, items *standards.DSPTItemFile) {
	pw.line("")
	pw.comment("", "The toolkit items a person answers. * = mandatory for Standards Met; "+
		"GP IT = the GP IT team usually provides the evidence.")
	if len(atts) == 0 {
		pw.line("items: []")
		return
	}
	pw.line("items:")
	for _, a := range atts {
		pw.line("")
		pw.comment("  ", itemNote(a, items))
		pw.line("  - item: %s", itemText(a.Item))
		pw.line("    answer: %s", scalarText(string(a.Answer)))
		pw.line("    evidence: %s", scalarText(a.Evidence))
		pw.line("    owner: %s", scalarText(a.Owner))
		pw.line("    reviewed: %s", a.Reviewed)
		pw.line("    next_review: %s", a.NextReview)
	}
}

// itemNote is the comment above an item: its marks and its question.
func itemNote(a standards.Attestation, items *standards.DSPTItemFile) string {
	it, ok := items.Item(a.Item)
	if !ok {
		return fmt.Sprintf("%s: the standard as a whole.", a.Item)
	}
	marks := []string{it.ID}
	if it.Mandatory {
		marks = append(marks, "*")
	}
	if it.GPIT {
		marks = append(marks, "GP IT")
	}
	return fmt.Sprintf("%s (standard %d): %s", strings.Join(marks, " "), it.Standard, it.Asks)
}

func (pw printer) risks(risks []standards.AcceptedRisk) {
	pw.line("")
	pw.comment("", "Failing checks the practice knows of, owns and has decided to live with until a date. "+
		"The finding stays a failure and is labelled; after expires it counts as an ordinary failure. "+
		"hosts are PC names or patterns such as RECEPTION-*.")
	if len(risks) == 0 {
		pw.line("accepted_risks: []")
		pw.line("#  - check: os-supported")
		pw.line("#    hosts: [SPIRO-01]")
		pw.line("#    reason: The spirometry software runs only on Windows 10.")
		pw.line("#    compensating_controls: No internet access; own network segment; no email.")
		pw.line("#    owner: Practice Manager")
		pw.line("#    approved_by: Senior Partner")
		pw.line("#    expires: 2027-03-31")
		return
	}
	pw.line("accepted_risks:")
	for _, r := range risks {
		pw.line("  - check: %s", scalarText(r.Check))
		hosts := make([]string, len(r.Hosts))
		for i, h := range r.Hosts {
			hosts[i] = strconv.Quote(h)
		}
		pw.line("    hosts: [%s]", strings.Join(hosts, ", "))
		pw.line("    reason: %s", scalarText(r.Reason))
		pw.line("    compensating_controls: %s", scalarText(r.CompensatingControls))
		pw.line("    owner: %s", scalarText(r.Owner))
		pw.line("    approved_by: %s", scalarText(r.ApprovedBy))
		pw.line("    expires: %s", r.Expires)
	}
}

func (pw printer) hosts(hosts []standards.HostNote) {
	pw.line("")
	pw.comment("", "What the asset register should say of a scanned PC that the PC cannot say itself.")
	if len(hosts) == 0 {
		pw.line("hosts: []")
		pw.line("#  - host: SPIRO-01")
		pw.line("#    location: Treatment room 2")
		pw.line("#    owner: Nurse Lead")
		pw.line("#    notes: Attached to the spirometer")
		return
	}
	pw.line("hosts:")
	for _, h := range hosts {
		pw.line("  - host: %s", scalarText(h.Host))
		pw.line("    location: %s", scalarText(h.Location))
		pw.line("    owner: %s", scalarText(h.Owner))
		pw.line("    notes: %s", scalarText(h.Notes))
	}
}

func (pw printer) assets(assets []standards.Asset) {
	pw.line("")
	pw.comment("", "Assets no scan sees, for the asset register (DSPT 7.1.1). kind is one of "+strings.Join(AssetKinds, ", ")+".")
	if len(assets) == 0 {
		pw.line("assets: []")
		pw.line("#  - name: Main router")
		pw.line("#    kind: network")
		pw.line("#    location: Comms cupboard")
		pw.line("#    owner: IT supplier")
		pw.line("#    notes: Default password changed 2026-04-01 (DSPT 9.1.1)")
		return
	}
	pw.line("assets:")
	for _, a := range assets {
		pw.line("  - name: %s", scalarText(a.Name))
		pw.line("    kind: %s", scalarText(a.Kind))
		pw.line("    location: %s", scalarText(a.Location))
		pw.line("    owner: %s", scalarText(a.Owner))
		pw.line("    notes: %s", scalarText(a.Notes))
	}
}

var itemID = regexp.MustCompile(`^[0-9]+\.[0-9]+\.[0-9]+$`)

// itemText is an item ID as YAML reads it back: 4.3.1 needs no quotes.
func itemText(id string) string {
	if itemID.MatchString(id) {
		return id
	}
	return scalarText(id)
}

// plainSafe is text YAML reads back as the same string without quotes.
var plainSafe = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9 ,./()'&+-]*[A-Za-z0-9.)]$`)

// yamlWords are plain words YAML would read as something other than a string.
var yamlWords = []string{"true", "false", "yes", "no", "on", "off", "null", "y", "n"}

// scalarText is s as a YAML value: bare when that reads back the same,
// double-quoted otherwise; empty for an empty string.
func scalarText(s string) string {
	if s == "" {
		return ""
	}
	if plainSafe.MatchString(s) && !strings.Contains(s, " #") && !slices.Contains(yamlWords, strings.ToLower(s)) {
		return s
	}
	return strconv.Quote(s)
}
