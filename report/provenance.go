package report

import (
	"cmp"
	"fmt"
	"strings"
	"time"
)

// Provenance is what page 1 of every view says of where the report came
// from, so that a loose printed page can be traced to one program, one
// machine, one way of running and one result.
func (r *Report) Provenance() [][2]string {
	generated := "(time not recorded)"
	if !r.GeneratedAt.IsZero() {
		generated = r.GeneratedAt.UTC().Format("2006-01-02 15:04 UTC")
	}
	result := "none: rendered straight from the scan (save it with -f json; report convert then names its SHA-256)"
	if r.ResultSHA256 != "" {
		result = "SHA-256 " + r.ResultSHA256
	}
	rows := [][2]string{
		{"Tool", r.Tool.Describe()},
		{"Program", "SHA-256 " + cmp.Or(r.Tool.SHA256, "not recorded")},
		{"Host ID", cmp.Or(r.Host.ID, "not recorded")},
		{"Ran as", cmp.Or(r.Host.RunAs, "not recorded (a result or snapshot from before the tool recorded it)")},
		{"Source", r.SourceText()},
		{"Report", "generated " + generated},
		{"Result", result},
	}
	// Custom checks change what the verdicts rest on: every view says so.
	if text := r.CustomText(); text != "" {
		rows = append(rows, [2]string{"Custom", Shown(text)})
	}
	for _, line := range r.NotLoadedLines() {
		rows = append(rows, [2]string{"Refused", line})
	}
	return rows
}

// Describe names the program, its commit and build date, and says when it
// is a development build whose reports are not evidence.
func (t Tool) Describe() string {
	s := strings.TrimSpace(t.Name + " " + t.Version)
	if t.Development || strings.HasPrefix(t.Version, "dev") {
		return s + ": development build (not for evidence)"
	}
	var parts []string
	if t.Commit != "" {
		parts = append(parts, "commit "+t.Commit[:min(12, len(t.Commit))])
	}
	if d, err := time.Parse(time.RFC3339, t.BuildDate); err == nil {
		parts = append(parts, "built "+d.UTC().Format(time.DateOnly))
	}
	if len(parts) == 0 {
		return s
	}
	return fmt.Sprintf("%s (%s)", s, strings.Join(parts, ", "))
}

// SourceText says whether the verdicts come from a live scan or a replayed
// snapshot, and which program recorded the snapshot, so that a replay is
// never taken for a scan of the machine.
func (r *Report) SourceText() string {
	if r.Collector == "" && !strings.HasPrefix(r.Source, "snapshot") {
		return r.Source + " scan of the machine"
	}
	by := "an unnamed program"
	if r.Collector != "" {
		by = r.Collector
	}
	return fmt.Sprintf("REPLAYED, not a live scan: %s, recorded by %s", r.Source, by)
}
