package report

import (
	"fmt"
	"time"
)

// StaleAfter is how old a result may be before every view warns that it is
// stale: a machine scanned nightly that has no result for a week has
// stopped reporting, and a week is long enough for its patches to fall
// behind. The fleet roll-up flags hosts by the same threshold.
const StaleAfter = 7 * 24 * time.Hour

// StaleDays is StaleAfter in whole days.
const StaleDays = int(StaleAfter / (24 * time.Hour))

// Age is how old the result was when the report was generated: from the
// scan to GeneratedAt, or to JudgedAt when that is later or the report
// does not say when it was generated. It is never negative.
func (r *Report) Age() time.Duration {
	at := r.JudgedAt
	if r.GeneratedAt.After(at) {
		at = r.GeneratedAt
	}
	return max(0, at.Sub(r.ScannedAt))
}

// Stale says whether the result is older than StaleAfter.
func (r *Report) Stale() bool { return r.Age() > StaleAfter }

// AgeText says how old the result is, and warns when it is stale, for page
// 1 of every view.
func (r *Report) AgeText() string {
	days := int(r.Age() / (24 * time.Hour))
	age := fmt.Sprintf("%d %s", days, plural(days, "day", "days"))
	if days == 0 {
		age = "less than a day"
	}
	if !r.Stale() {
		return fmt.Sprintf("%s old (scanned %s)", age, r.ScannedAt.UTC().Format("2006-01-02"))
	}
	return fmt.Sprintf("STALE: %s old (scanned %s), more than the %d days after which a result is stale: the machine may have changed since; scan it again before relying on this report",
		age, r.ScannedAt.UTC().Format("2006-01-02"), StaleDays)
}
