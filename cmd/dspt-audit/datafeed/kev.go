package datafeed

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"time"

	"github.com/nhs-dspt/dspt-audit/standards"
)

// KEVURL is where CISA publishes the Known Exploited Vulnerabilities
// catalogue as JSON.
const KEVURL = "https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json"

const (
	// maxCVELookups bounds how many CVEs one update asks the CVRF API
	// about; the answers are kept, so later updates carry on from there.
	maxCVELookups = 60
	// maxKEVMonths bounds the CVRF documents one update fetches for KEV.
	maxKEVMonths = 12
)

// updateKEV fetches the KEV catalogue, asks the CVRF API which month holds
// each Windows entry the data cannot judge yet (a bounded number per
// update, remembered in the feed state), fetches those months and builds
// the windows-kev body on top of base's.
func updateKEV(ctx context.Context, f *Fetcher, o Options, base *standards.Data, state *feedState) (*standards.KEVFile, []string, error) {
	if o.Progress != nil {
		o.Progress("Fetching CISA's Known Exploited Vulnerabilities catalogue")
	}
	b, err := f.Get(ctx, o.KEV, "application/json")
	if err != nil {
		return nil, nil, err
	}
	catalog, err := standards.ParseKEV(b)
	if err != nil {
		return nil, nil, &FetchError{URL: o.KEV, Err: err}
	}
	needed, notes, err := kevMonthsNeeded(ctx, f, o, catalog, &base.KEV, state)
	if err != nil {
		return nil, nil, err
	}
	var docs []standards.CVRFCVEs
	for i, id := range slices.Sorted(maps.Keys(needed)) {
		u := o.MSRC + "cvrf/" + id
		if o.Progress != nil {
			o.Progress("Fetching %s for the exploited flaws it fixes (%d of %d)", u, i+1, len(needed))
		}
		doc, err := f.Get(ctx, u, "application/xml")
		if err != nil {
			return nil, nil, err
		}
		d, err := standards.ParseCVRFCVEs(doc)
		switch {
		case errors.Is(err, standards.ErrNoWindowsUpdates):
			notes = append(notes, fmt.Sprintf("%s holds no Windows cumulative update: its exploited flaws stay \"fix build unknown\"", id))
			continue
		case err != nil:
			return nil, nil, &FetchError{URL: u, Err: err}
		case d.Month.ID != id:
			return nil, nil, &FetchError{URL: u, Err: fmt.Errorf("the document is %s, not %s", d.Month.ID, id)}
		}
		docs = append(docs, d)
		for _, cve := range needed[id] {
			if len(d.Fixes[cve].Windows) == 0 {
				state.KEVMonths[cve] = "" // the month fixes it on no Windows release: do not fetch it again
			}
		}
	}
	kev := standards.BuildKEV(catalog, docs...).Keep(&base.KEV)
	return &kev, notes, nil
}

// kevMonthsNeeded returns the CVRF months, each with the Windows entries
// the base data cannot judge that it holds; the newest maxKEVMonths of
// them. A month the base data read is fetched again for an entry added to
// the catalogue since: the base data kept only the fixes of its entries.
func kevMonthsNeeded(ctx context.Context, f *Fetcher, o Options, c standards.KEVCatalog, base *standards.KEVFile, state *feedState) (map[string][]string, []string, error) {
	need := map[string][]string{}
	lookups, skipped := 0, 0
	for _, e := range c.Entries {
		if !standards.IsWindowsKEVProduct(e.Vendor, e.Product) {
			continue
		}
		if k, ok := base.Flaw(e.CVE); ok && k.Judged() {
			continue
		}
		month, known := state.KEVMonths[e.CVE]
		if !known {
			if lookups == maxCVELookups {
				skipped++
				continue
			}
			lookups++
			var err error
			if month, err = lookupMonth(ctx, f, o, e.CVE); err != nil {
				return nil, nil, err
			}
			state.KEVMonths[e.CVE] = month
		}
		if month != "" {
			need[month] = append(need[month], e.CVE)
		}
	}
	var notes []string
	if skipped > 0 {
		notes = append(notes, fmt.Sprintf("%d exploited Windows flaws were not looked up this time (at most %d per update): the next update carries on", skipped, maxCVELookups))
	}
	if len(need) > maxKEVMonths {
		ids := slices.SortedFunc(maps.Keys(need), func(a, b string) int { return monthOf(b).Compare(monthOf(a)) })
		notes = append(notes, fmt.Sprintf("%d CVRF months hold fixes for exploited flaws; fetched the newest %d, the next update fetches more", len(ids), maxKEVMonths))
		for _, id := range ids[maxKEVMonths:] {
			delete(need, id)
		}
	}
	return need, notes, nil
}

// lookupMonth asks the CVRF API which monthly document holds a CVE: the
// earliest it names, or "" when it names none (the CVE predates the API,
// or is not Microsoft's).
func lookupMonth(ctx context.Context, f *Fetcher, o Options, cve string) (string, error) {
	u := o.MSRC + "updates('" + url.PathEscape(cve) + "')"
	b, err := f.Get(ctx, u, "application/json")
	var status *StatusError
	if errors.As(err, &status) && status.Code == http.StatusNotFound {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	listed, err := parseMonthList(b)
	if err != nil {
		return "", nil // an empty list: no document names the CVE
	}
	return listed[0].ID, nil
}

var kevCVE = regexp.MustCompile(`^CVE-[0-9]{4}-[0-9]{4,19}$`)

func monthOf(id string) time.Time {
	t, _ := time.Parse("2006-Jan", id)
	return t
}
