package checks

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/nhs-dspt/dspt-audit/checks/probe"
	"github.com/nhs-dspt/dspt-audit/standards"
)

// Options configure a run.
type Options struct {
	Checks       []*Check
	Data         *standards.Data
	ProbeTimeout time.Duration
	// Now is when verdicts are judged for; zero means the clock below.
	Now time.Time
	// Clock gives the scan time; nil means time.Now. Tests inject one.
	Clock func() time.Time
	// Parallel bounds how many checks run at once; zero means all of them.
	// Checks spend their time waiting on probes, so running all at once
	// makes a scan take about as long as its slowest probe.
	Parallel int
	// RecordLastUser makes the scan read the last logged-on user for the
	// asset register; off unless the practice file asks for it.
	RecordLastUser bool
}

// Scan is the outcome of running the catalogue against one machine.
type Scan struct {
	Host      probe.HostInfo
	ScannedAt time.Time
	// JudgedAt is the moment the verdicts are for.
	JudgedAt     time.Time
	Results      []Result
	Observations []probe.Observation
	// Asset is the register's facts of the machine; nil when the scan
	// could not read them at all.
	Asset *AssetFacts
	// Collector names the program that recorded a replayed snapshot; empty
	// for a live scan.
	Collector string
}

// Snapshot is the scan's observations without its verdicts.
func (s *Scan) Snapshot(tool string) *probe.Snapshot {
	return &probe.Snapshot{
		SchemaVersion: probe.SnapshotSchemaVersion,
		Tool:          tool,
		CollectedAt:   s.ScannedAt,
		Host:          s.Host,
		Observations:  s.Observations,
	}
}

// Run identifies the host, then runs every check that applies to its
// platform, concurrently. A check that panics or overruns its deadline
// becomes an unknown verdict; the others still complete.
func Run(ctx context.Context, src probe.Source, opts Options) (*Scan, error) {
	clock := opts.Clock
	if clock == nil {
		clock = time.Now
	}
	timeout := opts.ProbeTimeout
	if timeout <= 0 {
		timeout = probe.DefaultTimeout
	}
	rec := probe.NewRecorder(ctx, src, timeout)
	scan := &Scan{ScannedAt: clock().UTC().Truncate(time.Second)}
	hostObs := rec.Observe(probe.HostInfoQuery())
	host, err := hostObs.Host()
	if err != nil {
		return nil, fmt.Errorf("could not identify this machine: %v", err)
	}
	scan.Host = host
	if r, ok := src.(interface{ Collector() string }); ok {
		scan.Collector = r.Collector()
	}
	scan.JudgedAt = scan.ScannedAt
	if !opts.Now.IsZero() {
		scan.JudgedAt = opts.Now.UTC()
	}
	var todo []*Check
	for _, c := range opts.Checks {
		if c.AppliesTo(host.OS) {
			todo = append(todo, c)
		}
	}
	inventory := InventoryReads(host.OS, opts.RecordLastUser)
	prefetched := prefetch(rec, todo, inventory, host.OS)
	scan.Results = make([]Result, len(todo))
	parallel := opts.Parallel
	if parallel <= 0 {
		parallel = max(len(todo), 1)
	}
	sem := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	for i, c := range todo {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			env := &Env{Now: scan.JudgedAt, Data: opts.Data, Host: host}
			scan.Results[i] = runOne(c, env, rec, timeout)
		}()
	}
	wg.Wait()
	scan.Asset = readAsset(rec, host.OS, opts.RecordLastUser)
	prefetched.Wait()
	scan.Observations = rec.Observations()
	return scan, nil
}

// prefetch starts every probe the checks declare, all at once, so that a
// check reading its probes one after another waits for none of them: the
// scan takes about as long as its slowest probe, not the sum of a check's
// probes. Fallbacks a check turns out not to need are read too; they are
// cheap next to a slow WMI query and make the snapshot more complete.
func prefetch(rec *probe.Recorder, todo []*Check, inventory []probe.Query, platform string) *sync.WaitGroup {
	var wg sync.WaitGroup
	seen := map[string]bool{}
	start := func(q probe.Query) {
		if key := q.Key(); !seen[key] && q.RunsOn(platform) {
			seen[key] = true
			wg.Go(func() { rec.Observe(q) })
		}
	}
	for _, c := range todo {
		for _, q := range c.Reads {
			start(q)
		}
	}
	for _, q := range inventory {
		start(q)
	}
	return &wg
}

// readAsset reads the register's facts; a failure inside leaves them nil
// rather than stopping the scan.
func readAsset(rec *probe.Recorder, platform string, lastUser bool) (asset *AssetFacts) {
	if platform != Windows && platform != Linux {
		return nil
	}
	defer func() {
		if recover() != nil {
			asset = nil
		}
	}()
	return ReadAsset(rec, platform, lastUser)
}

// runOne runs a check with its own deadline: each probe is bounded already,
// so the deadline only catches judging code that loops or blocks.
func runOne(c *Check, env *Env, rec *probe.Recorder, probeTimeout time.Duration) Result {
	scoped := &scopedObserver{rec: rec, check: c}
	env.Observer = scoped
	deadline := probeTimeout * time.Duration(len(c.Reads)+2)
	done := make(chan Verdict, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- verdict(standards.Unknown, "The check failed inside dspt-audit (%v), so nothing was judged; please report it with the snapshot from `dspt-audit collect`.", p)
			}
		}()
		done <- c.Evaluate(env)
	}()
	var v Verdict
	select {
	case v = <-done:
	case <-time.After(deadline):
		v = verdict(standards.Unknown, "The check did not finish within %s, so nothing was judged.", deadline)
	}
	if v.Status == standards.NeedsAdmin && v.Remediation == "" {
		v.Remediation = runElevated[env.Host.OS]
	}
	return Result{Check: c, Verdict: v, Evidence: scoped.evidence(), Platform: env.Host.OS}
}

// scopedObserver is the Observer one check sees: it refuses undeclared
// probes and remembers what the check read, in order, as its evidence.
type scopedObserver struct {
	rec   *probe.Recorder
	check *Check
	mu    sync.Mutex
	seen  []probe.Observation
}

func (s *scopedObserver) Observe(q probe.Query) probe.Observation {
	var obs probe.Observation
	if s.declares(q) {
		obs = s.rec.Observe(q)
	} else {
		obs = probe.Observation{Key: q.Key(), Kind: q.Kind, Query: q.String(),
			Error: probe.Errorf(probe.Other, "check %s read %s %s", s.check.ID, q, undeclared)}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, o := range s.seen {
		if o.Key == obs.Key {
			return obs
		}
	}
	s.seen = append(s.seen, obs)
	return obs
}

func (s *scopedObserver) declares(q probe.Query) bool {
	key := q.Key()
	for _, d := range s.check.Reads {
		if d.Key() == key {
			return true
		}
	}
	return false
}

func (s *scopedObserver) evidence() []probe.Observation {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]probe.Observation(nil), s.seen...)
}

const undeclared = "without declaring it in Check.Reads"

// Undeclared reports whether an observation is the error of an undeclared read.
func Undeclared(o probe.Observation) bool {
	return o.Error != nil && strings.HasSuffix(o.Error.Detail, undeclared)
}
