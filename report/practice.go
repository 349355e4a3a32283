package report

import (
	"time"

	"github.com/nhs-dspt/dspt-audit/standards"
)

// ApplyPractice adds what a practice file says to one machine's report:
// attestations per standard, accepted risks on the findings they cover, and
// the action plan's owners. file is the practice file as given; problem,
// when not nil, is why it could not be used (the report says so and is
// scored on the machine alone). A nil p with a nil problem means no file.
func ApplyPractice(rep *Report, file string, p *standards.Practice, problem error, now time.Time) {
}
