package fleet

import (
	"cmp"
	"regexp"
	"slices"
	"strings"

	"github.com/nhs-dspt/dspt-audit/report"
	"github.com/nhs-dspt/dspt-audit/standards"
)

// knownExploitsCheck is the check whose details list the exploited flaws a
// machine is open to.
const knownExploitsCheck = "known-exploits"

// maxExploitedPerHost bounds the flaws read from one result: the KEV
// catalogue holds a few hundred Windows entries.
const maxExploitedPerHost = 2000

// flawID finds the flaw a detail line is about: a CVE, or a bulletin such
// as MS17-010.
var flawID = regexp.MustCompile(`\b(CVE-[0-9]{4}-[0-9]{4,19}|MS[0-9]{2}-[0-9]{3})\b`)

// ExploitedTally is one exploited flaw and how many hosts' newest results
// say they are still open to it.
type ExploitedTally struct {
	ID    string `json:"id"`
	Hosts int    `json:"hosts"`
}

// exploitedOpen reads the flaws a result's known-exploits finding lists as
// open; only a failing or warning finding lists any. The text is the
// file's, so only well-formed IDs are kept, each once.
func exploitedOpen(checks []report.CheckResult) []string {
	for _, c := range checks {
		if c.ID != knownExploitsCheck || c.Status != standards.Fail && c.Status != standards.Warn {
			continue
		}
		var ids []string
		for _, d := range c.Details[:min(len(c.Details), maxExploitedPerHost)] {
			if id := flawID.FindString(d[:min(len(d), 1000)]); id != "" && !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
		return ids
	}
	return nil
}

// tallyExploited counts, per flaw, the hosts open to it: most hosts first,
// then the newest CVE.
func (r *Rollup) tallyExploited() {
	counts := map[string]int{}
	for _, h := range r.Hosts {
		for _, id := range h.Exploited {
			counts[id]++
		}
	}
	r.Exploited = r.Exploited[:0]
	for id, n := range counts {
		r.Exploited = append(r.Exploited, &ExploitedTally{ID: id, Hosts: n})
	}
	slices.SortFunc(r.Exploited, func(a, b *ExploitedTally) int {
		return cmp.Or(b.Hosts-a.Hosts, strings.Compare(b.ID, a.ID))
	})
}
