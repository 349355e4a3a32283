package fleet

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/nhs-dspt/dspt-audit/report"
	"github.com/nhs-dspt/dspt-audit/standards"
)

// collector keeps the newest result per host as files arrive.
type collector struct {
	roll   *Rollup
	ndg    []standards.Standard
	hosts  map[string]*Host // by lower-case host name
	checks []*CheckTally
	index  map[string]int // check ID -> position in checks
}

func newCollector(opts Options) *collector {
	return &collector{
		roll: &Rollup{
			GeneratedAt: cmp.Or(opts.Now, time.Now()),
			StaleAfter:  cmp.Or(opts.StaleAfter, DefaultStaleAfter),
			ndg:         opts.Standards,
		},
		ndg:   opts.Standards,
		hosts: map[string]*Host{},
		index: map[string]int{},
	}
}

func (c *collector) add(d decoded) {
	if d.result == nil {
		c.roll.Skipped = append(c.roll.Skipped, Skipped{d.path, d.reason})
		return
	}
	c.roll.ResultsRead++
	h := c.summarise(d.result)
	key := strings.ToLower(h.Name)
	old, seen := c.hosts[key]
	if !seen {
		c.hosts[key] = h
		return
	}
	c.roll.Superseded++
	winner, loser := old, h
	if newer(h, old) {
		winner, loser = h, old
		c.hosts[key] = h
	}
	winner.Results = old.Results + 1
	winner.SharedName = old.SharedName || (winner.ID != "" && loser.ID != "" && !strings.EqualFold(winner.ID, loser.ID))
}

// newer says whether a is a newer result than b; equal times are settled
// by file name so that the roll-up does not depend on reading order.
func newer(a, b *Host) bool {
	if !a.ScannedAt.Equal(b.ScannedAt) {
		return a.ScannedAt.After(b.ScannedAt)
	}
	return a.File < b.File
}

// summarise keeps what the roll-up needs of a result, whose outcome,
// scores, titles and severities this build has recomputed.
func (c *collector) summarise(r *result) *Host {
	h := &Host{
		Name: strings.TrimSpace(r.host.Name), OS: r.host.OS, Platform: r.host.Platform, ID: r.host.ID,
		ToolVersion: r.tool, Schema: r.schema, File: r.path, ScannedAt: r.scannedAt,
		Outcome: r.outcome, Score: -1, Results: 1,
		UnknownChecks: r.recount.Unknown, Recounted: r.recount.Differs, Notes: r.recount.Notes, digest: r.digest,
	}
	if r.score != nil {
		h.Score = *r.score
	}
	for _, s := range r.standards {
		if s.Number > 0 && s.Number < len(h.standards) {
			h.standards[s.Number], _ = outcomeCode(s.Outcome)
		}
	}
	h.statuses = make([]byte, len(c.checks)+len(r.checks))
	for _, v := range r.checks {
		i := c.check(v)
		h.statuses[i] = byte(v.Status) + 1
		switch {
		case v.Status == standards.Fail:
			h.Failing++
			h.Worst = max(h.Worst, v.Severity)
		case !v.Status.Determined() && v.Status != standards.NotApplicable:
			h.Unsure++
		}
	}
	return h
}

// check returns the check's position, registering it when new. Only
// checks in this build's catalogue reach here, with its title and severity.
func (c *collector) check(v report.CheckResult) int {
	i, ok := c.index[v.ID]
	if !ok {
		i = len(c.checks)
		c.index[v.ID] = i
		c.checks = append(c.checks, &CheckTally{ID: v.ID, Title: v.Title, Severity: v.Severity, index: i})
	}
	return i
}

func (c *collector) finish() *Rollup {
	r := c.roll
	r.Hosts = make([]*Host, 0, len(c.hosts))
	for _, h := range c.hosts {
		r.Hosts = append(r.Hosts, h)
	}
	r.tally(c.checks, c.ndg)
	sortSkipped(r.Skipped)
	return r
}

func sortSkipped(s []Skipped) {
	slices.SortFunc(s, func(a, b Skipped) int { return cmp.Compare(a.Path, b.Path) })
}
