package report

import (
	"fmt"
	"strings"
)

// PreviousText is one line on what changed since the machine's previous
// result, as the nightly run recorded it, or why it was not compared;
// empty when there was none.
func (r *Report) PreviousText() string {
	p := r.Previous
	if p == nil {
		return ""
	}
	if p.ScannedAt.IsZero() {
		return Sanitize(Shown(p.Note))
	}
	var parts []string
	for _, k := range []struct {
		ids  []string
		what string
	}{{p.Regressed, "regressed"}, {p.NewFailures, "newly failing"}, {p.Fixed, "fixed or improved"}} {
		if len(k.ids) > 0 {
			parts = append(parts, fmt.Sprintf("%d %s (%s)", len(k.ids), k.what, idsShown(k.ids)))
		}
	}
	changed := "no check better or worse"
	if len(parts) > 0 {
		changed = strings.Join(parts, ", ")
	}
	return fmt.Sprintf("Since the previous scan on %s (%s, score %s): %s.",
		p.ScannedAt.UTC().Format("2006-01-02 15:04 UTC"), Sanitize(Truncate(string(p.Outcome), 40)), scoreText(p.Score), changed)
}

// idsShown names at most 10 check IDs and counts the rest.
func idsShown(ids []string) string {
	shown := make([]string, 0, 10)
	for _, id := range ids[:min(len(ids), 10)] {
		shown = append(shown, Sanitize(Truncate(id, 40)))
	}
	if more := len(ids) - len(shown); more > 0 {
		return strings.Join(shown, ", ") + fmt.Sprintf(" and %d more", more)
	}
	return strings.Join(shown, ", ")
}
