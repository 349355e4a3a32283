package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"strings"
)

// findingHeader and findingRow are the Findings table, shared by the CSV
// file and the workbook's Findings sheet.
var findingHeader = []string{
	"Check", "Title", "Status", "Severity", "NDG standard", "DSPT item", "Earlier DSPT / CAF refs", "Cyber Essentials",
	"CAF", "CIS", "Finding", "Evidence", "Remediation", "If fixed",
}

func findingRow(r CheckResult) []string {
	var ndg []string
	for _, n := range r.Mappings.NDG {
		ndg = append(ndg, fmt.Sprint(n))
	}
	var fixed []string
	for _, c := range r.IfFixed {
		fixed = append(fixed, c.String())
	}
	row := []string{
		r.ID, r.Title, r.Status.String(), r.Severity.String(), strings.Join(ndg, "; "),
		strings.Join(r.Mappings.DSPTItems, "; "), strings.Join(r.Mappings.DSPT, "; "), strings.Join(r.Mappings.CyberEssentials, "; "),
		strings.Join(r.Mappings.CAF, "; "), strings.Join(r.Mappings.CIS, "; "),
		findingText(r), evidenceText(r.Evidence), r.Remediation, strings.Join(fixed, "\n"),
	}
	for i := range row {
		row[i] = CellText(Shown(row[i]))
	}
	return row
}

// findingText is the summary with each detail on a line of its own and,
// apart, any accepted risk.
func findingText(r CheckResult) string {
	text := r.Summary
	if len(r.Details) > 0 {
		text += "\n• " + strings.Join(r.Details, "\n• ")
	}
	if r.AcceptedRisk != nil {
		text += "\n" + r.AcceptedRisk.Text
	}
	if r.Origin != "" {
		text += "\nCustom check from " + r.Origin + "."
	}
	return text
}

// evidenceText is a check's evidence, one observation a line.
func evidenceText(evidence []Evidence) string {
	lines := make([]string, len(evidence))
	for i, e := range evidence {
		lines[i] = e.Query + " = " + evidenceValue(e)
	}
	return strings.Join(lines, "\n")
}

// CSV writes the Findings table (RFC 4180: CRLF line ends, quoted fields),
// failures first.
func CSV(w io.Writer, rep *Report) error {
	rep = forViews(rep)
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	cw.Write(findingHeader)
	for _, r := range rep.ByAttention() {
		cw.Write(findingRow(r))
	}
	cw.Flush()
	return cw.Error()
}
