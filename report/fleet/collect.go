package fleet

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/nhs-dspt/dspt-audit/report"
	"github.com/nhs-dspt/dspt-audit/report/sign"
	"github.com/nhs-dspt/dspt-audit/standards"
)

// collector keeps the newest result per host as files arrive.
type collector struct {
	roll   *Rollup
	ndg    []standards.Standard
	hosts  map[string]*Host // by lower-case host name
	checks []*CheckTally
	index  map[string]int // check ID -> position in checks
	trust  *Trust
	// pending are results of hosts seen for the first time, pinned (and
	// counted) at the end when the trust store accepts new hosts.
	pending []*result
	loaded  loadedBy // the checks each checks file loaded
}

func newCollector(opts Options) *collector {
	return &collector{
		roll: &Rollup{
			GeneratedAt: cmp.Or(opts.Now, time.Now()),
			StaleAfter:  cmp.Or(opts.StaleAfter, DefaultStaleAfter),
			ndg:         opts.Standards,
			Practice:    opts.Practice,
		},
		ndg:    opts.Standards,
		hosts:  map[string]*Host{},
		index:  map[string]int{},
		trust:  opts.Trust,
		loaded: loadedBy{},
	}
}

func (c *collector) add(d decoded) {
	if d.result == nil {
		c.roll.Skipped = append(c.roll.Skipped, Skipped{d.path, d.reason})
		return
	}
	if c.trust != nil {
		switch v := c.trust.judge(d.result); {
		case v.pending:
			c.pending = append(c.pending, d.result)
			return
		case v.reason != "":
			c.untrusted(d.result, v.reason, v.newHost)
			c.roll.Untrusted[len(c.roll.Untrusted)-1].retired = v.retired
			return
		}
	}
	c.count(d.result)
}

// count makes a result part of the roll-up.
func (c *collector) count(r *result) {
	c.roll.ResultsRead++
	h := c.summarise(r)
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
	if winner.ScannedAt.Equal(loser.ScannedAt) {
		winner.tie(loser)
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
		Score: -1, Results: 1,
		UnknownChecks: r.recount.Unknown, Recounted: r.recount.Differs, Notes: r.recount.Notes, digest: r.digest,
		Exploited: exploitedOpen(r.checks), custom: newHostCustom(r.custom),
	}
	c.loaded.add(r.custom)
	h.SincePrevious = sincePrevious(r.previous, func(id string) bool {
		return slices.ContainsFunc(r.checks, func(c report.CheckResult) bool { return c.ID == id })
	})
	if r.score != nil {
		h.Score = *r.score
	}
	// The host's own outcome: its checks and the accepted risks covering
	// it. The practice file's answers are judged once, for the practice.
	own := make([]standards.Outcome, 0, len(r.standards))
	for _, s := range r.standards {
		o := cmp.Or(s.MachineOutcome, s.Outcome)
		own = append(own, o)
		if s.Number > 0 && s.Number < len(h.standards) {
			h.standards[s.Number], _ = outcomeCode(o)
		}
	}
	h.Outcome = standards.Overall(own)
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
		c.checks = append(c.checks, &CheckTally{ID: v.ID, Title: v.Title, Severity: v.Severity, index: i, ndg: v.Mappings.NDG, items: report.ItemsOf(v.Mappings)})
	}
	return i
}

func (c *collector) finish() *Rollup {
	r := c.roll
	if c.trust != nil {
		r.TrustChecked = true
		c.pinPending()
		slices.SortFunc(r.Untrusted, func(a, b Untrusted) int { return cmp.Compare(a.Path, b.Path) })
		r.Unaccounted = c.unaccounted()
	}
	r.Hosts = make([]*Host, 0, len(c.hosts))
	for _, h := range c.hosts {
		r.Hosts = append(r.Hosts, h)
	}
	r.tally(c.checks, c.ndg)
	r.Custom = customRollup(r.Hosts, c.checks, c.loaded)
	r.practiceFigures()
	sortSkipped(r.Skipped)
	return r
}

func sortSkipped(s []Skipped) {
	slices.SortFunc(s, func(a, b Skipped) int { return cmp.Compare(a.Path, b.Path) })
}

func (c *collector) untrusted(r *result, reason string, newHost bool) {
	u := Untrusted{Path: r.path, HostName: strings.TrimSpace(r.host.Name), HostID: r.host.ID, New: newHost, Reason: reason}
	if r.signErr == nil {
		u.KeyID = r.signer.KeyID
	}
	c.roll.Untrusted = append(c.roll.Untrusted, u)
}

// pinPending pins the key of each new host and counts its results, unless
// the new results disagree: one host ID signed by several keys, or one
// name claimed by several new machines. Then none of them is pinned, since
// the roll-up cannot tell the PC from an impostor.
func (c *collector) pinPending() {
	keys := map[string]map[string]bool{}  // identity -> key IDs
	names := map[string]map[string]bool{} // lower-case name -> identities
	hosts := map[string]map[string]bool{} // key ID -> identities
	for _, r := range c.pending {
		id, name := identity(r.host.ID, r.host.Name), strings.ToLower(strings.TrimSpace(r.host.Name))
		keys[id] = setAdd(keys[id], r.signer.KeyID)
		names[name] = setAdd(names[name], id)
		hosts[r.signer.KeyID] = setAdd(hosts[r.signer.KeyID], id)
	}
	for _, r := range c.pending {
		id, name := identity(r.host.ID, r.host.Name), strings.ToLower(strings.TrimSpace(r.host.Name))
		switch {
		case len(keys[id]) > 1:
			c.untrusted(r, fmt.Sprintf("new, not trusted: %d different keys sign results of this host; trust the PC's own by hand", len(keys[id])), true)
			continue
		case len(names[name]) > 1:
			c.untrusted(r, fmt.Sprintf("new, not trusted: %d new machines (host IDs) claim this host name; trust the PC's own by hand", len(names[name])), true)
			continue
		case len(hosts[r.signer.KeyID]) > 1:
			c.untrusted(r, fmt.Sprintf("new, not trusted: one key signs as %d hosts (a PC imaged with another's key folder?); delete its key folder and reinstall", len(hosts[r.signer.KeyID])), true)
			continue
		}
		if _, done := c.trust.pins[id]; !done {
			p := Pin{HostID: r.host.ID, HostName: strings.TrimSpace(r.host.Name), PublicKey: sign.EncodePublicKey(r.signer.PublicKey),
				KeyID: r.signer.KeyID, PinnedAt: c.roll.GeneratedAt.UTC(), File: r.path}
			c.trust.pin(p)
			c.roll.Pinned = append(c.roll.Pinned, p)
		}
		c.count(r)
	}
}

func setAdd(set map[string]bool, v string) map[string]bool {
	if set == nil {
		set = map[string]bool{}
	}
	set[v] = true
	return set
}

// unaccounted lists the hosts the trust store pins that no counted result
// stands for, and whether untrusted files claimed them.
func (c *collector) unaccounted() []Unaccounted {
	var out []Unaccounted
	for _, p := range c.trust.Pins() {
		if _, counted := c.hosts[strings.ToLower(strings.TrimSpace(p.HostName))]; counted {
			continue
		}
		u := Unaccounted{HostName: p.HostName, HostID: p.HostID}
		for _, bad := range c.roll.Untrusted {
			if !bad.retired && strings.EqualFold(bad.HostName, p.HostName) || p.HostID != "" && bad.HostID == p.HostID {
				u.Tampered = true
			}
		}
		out = append(out, u)
	}
	return out
}
