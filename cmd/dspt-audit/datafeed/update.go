package datafeed

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"time"

	"github.com/nhs-dspt/dspt-audit/standards"
)

// The sources' public addresses; flags may point at a mirror.
const (
	MSRCBase      = "https://api.msrc.microsoft.com/cvrf/v3.0/"
	EndOfLifeBase = "https://endoflife.date/api/v1/"
)

// maxMonths bounds how many monthly documents one update fetches: a year
// and a half behind is further than any data this tool has shipped with.
const maxMonths = 18

// Options say where an update reads from and writes to.
type Options struct {
	Dir       string
	MSRC      string
	EndOfLife string
	// KEV is the address of CISA's KEV catalogue; empty leaves the
	// windows-kev data as it is.
	KEV string
	Now time.Time
	// Progress, when set, is told what is being fetched.
	Progress func(format string, args ...any)
}

// Result is what an update did.
type Result struct {
	// Installed are the data files written.
	Installed []string
	// Months are the monthly documents whose builds were added.
	Months []string
	// Notes say what was not taken, and why.
	Notes []string
}

// Update downloads what the sources published since the data folder's (or
// the built-in) facts, converts and checks it, and installs it. Anything
// failing changes nothing: the earlier data stays as it was.
func Update(ctx context.Context, f *Fetcher, o Options) (Result, error) {
	if err := CheckDir(o.Dir); err != nil {
		return Result{}, err
	}
	base, err := standards.LoadFrom(standards.Sources{Dir: o.Dir, Now: o.Now})
	if err != nil {
		return Result{}, err
	}
	state := readState(o.Dir)
	months, revised, notes, err := fetchMonths(ctx, f, o, base, state)
	if err != nil {
		return Result{}, err
	}
	responses, err := fetchEndOfLife(ctx, f, o)
	if err != nil {
		return Result{}, err
	}
	conv, err := convert(base, months, responses, o.Now)
	if err != nil {
		return Result{}, err
	}
	if o.KEV != "" {
		kev, kevNotes, err := updateKEV(ctx, f, o, base, &state)
		if err != nil {
			return Result{}, err
		}
		notes = append(notes, kevNotes...)
		if err := conv.add(kev); err != nil {
			return Result{}, err
		}
	}
	res := Result{Notes: unique(append(notes, conv.notes...)), Months: conv.months}
	if len(conv.months) == 0 {
		delete(conv.bodies, "windows-updates")
	}
	installed, notes, err := Install(o.Dir, conv.bodies, o.Now)
	if err != nil {
		return Result{}, err
	}
	res.Installed, res.Notes = installed, append(res.Notes, notes...)
	for id, t := range revised {
		state.Months[id] = t
	}
	state.LastUpdate = o.Now.UTC()
	if err := writeState(o.Dir, state); err != nil {
		res.Notes = append(res.Notes, fmt.Sprintf("the data is installed, but the record of what was fetched was not written: %v", err))
	}
	return res, nil
}

// monthID is how the API names a monthly document: 2026-Nov.
var monthID = regexp.MustCompile(`^[0-9]{4}-[A-Z][a-z]{2}$`)

type listedMonth struct {
	ID      string
	Month   time.Time
	Revised time.Time
}

// fetchMonths lists the API's documents and fetches those for months after
// the newest the data holds, and those revised since they were fetched. It
// returns the months with a Windows update, when the list says each month
// fetched was last revised, and notes.
func fetchMonths(ctx context.Context, f *Fetcher, o Options, base *standards.Data, state feedState) ([]standards.CVRFMonth, map[string]time.Time, []string, error) {
	if o.Progress != nil {
		o.Progress("Listing Microsoft's monthly security update documents")
	}
	b, err := f.Get(ctx, o.MSRC+"updates", "application/json")
	if err != nil {
		return nil, nil, nil, err
	}
	listed, err := parseMonthList(b)
	if err != nil {
		return nil, nil, nil, &FetchError{URL: o.MSRC + "updates", Err: err}
	}
	newest := NewestMonth(&base.WindowsUpdates)
	var wanted []listedMonth
	for _, m := range listed {
		fetched, held := state.Months[m.ID]
		if m.Month.After(newest.Time) || held && m.Revised.After(fetched) {
			wanted = append(wanted, m)
		}
	}
	if len(wanted) > maxMonths {
		wanted = wanted[len(wanted)-maxMonths:]
	}
	var months []standards.CVRFMonth
	var notes []string
	revised := map[string]time.Time{}
	for i, m := range wanted {
		// The address is built from the ID, never taken from the list.
		url := o.MSRC + "cvrf/" + m.ID
		if o.Progress != nil {
			o.Progress("Fetching %s (%d of %d)", url, i+1, len(wanted))
		}
		doc, err := f.Get(ctx, url, "application/xml")
		if err != nil {
			return nil, nil, nil, err
		}
		month, err := standards.ParseCVRF(doc)
		revised[m.ID] = m.Revised
		switch {
		case errors.Is(err, standards.ErrNoWindowsUpdates):
			notes = append(notes, fmt.Sprintf("%s holds no Windows cumulative update yet (an early release): no month added", m.ID))
			continue
		case err != nil:
			return nil, nil, nil, &FetchError{URL: url, Err: err}
		case month.ID != m.ID:
			return nil, nil, nil, &FetchError{URL: url, Err: fmt.Errorf("the document is %s, not %s", month.ID, m.ID)}
		}
		months = append(months, month)
	}
	return months, revised, notes, nil
}

func parseMonthList(b []byte) ([]listedMonth, error) {
	var list struct {
		Value []struct {
			ID                 string `json:"ID"`
			CurrentReleaseDate string `json:"CurrentReleaseDate"`
		} `json:"value"`
	}
	if err := json.Unmarshal(b, &list); err != nil {
		return nil, fmt.Errorf("the list of documents is not the API's JSON: %w", err)
	}
	if len(list.Value) == 0 {
		return nil, errors.New("the list of documents is empty")
	}
	var out []listedMonth
	for _, v := range list.Value {
		if !monthID.MatchString(v.ID) {
			continue
		}
		month, err := time.Parse("2006-Jan", v.ID)
		if err != nil {
			continue
		}
		revised, _ := time.Parse(time.RFC3339, v.CurrentReleaseDate)
		out = append(out, listedMonth{ID: v.ID, Month: month, Revised: revised})
	}
	if len(out) == 0 {
		return nil, errors.New("the list names no monthly document (IDs such as 2026-Nov)")
	}
	slices.SortFunc(out, func(a, b listedMonth) int { return a.Month.Compare(b.Month) })
	return out, nil
}

// NewestMonth is the first day of the newest month with a monthly update in
// any series.
func NewestMonth(f *standards.WindowsUpdateFile) standards.Date {
	var newest time.Time
	for _, s := range f.Series {
		if n := s.Updates[len(s.Updates)-1].Date.Time; n.After(newest) {
			newest = n
		}
	}
	return standards.Date{Time: time.Date(newest.Year(), newest.Month(), 1, 0, 0, 0, 0, time.UTC)}
}

func fetchEndOfLife(ctx context.Context, f *Fetcher, o Options) (map[string][]byte, error) {
	responses := map[string][]byte{}
	for i, product := range standards.EndOfLifeProducts {
		url := o.EndOfLife + "products/" + product
		if o.Progress != nil {
			o.Progress("Fetching %s (%d of %d)", url, i+1, len(standards.EndOfLifeProducts))
		}
		b, err := f.Get(ctx, url, "application/json")
		if err != nil {
			return nil, err
		}
		responses[product] = b
	}
	return responses, nil
}

// converted is what a set of documents becomes: data files by kind.
type converted struct {
	bodies map[string][]byte
	months []string
	notes  []string
}

// convert turns documents into data files on top of base. The update data
// is converted whenever months are given, so that it can be inspected; the
// caller installs it only when months were added.
func convert(base *standards.Data, months []standards.CVRFMonth, eol map[string][]byte, now time.Time) (converted, error) {
	c := converted{bodies: map[string][]byte{}}
	if len(months) > 0 {
		updates, notes, err := base.WindowsUpdates.WithMonths(months...)
		if err != nil {
			return c, err
		}
		c.notes = append(c.notes, notes...)
		c.months = addedMonths(&base.WindowsUpdates, &updates, months)
		if err := c.add(&updates); err != nil {
			return c, err
		}
	}
	if len(eol) > 0 {
		life, err := standards.ConvertEndOfLife(eol, base, standards.DayOf(now))
		if err != nil {
			return c, err
		}
		c.notes = append(c.notes, life.Notes...)
		var bodies []dataBody
		if life.WindowsReleases != nil {
			bodies = append(bodies, life.WindowsReleases)
		}
		if life.LinuxReleases != nil {
			bodies = append(bodies, life.LinuxReleases)
		}
		if life.Software != nil {
			bodies = append(bodies, life.Software)
		}
		for _, b := range bodies {
			if err := c.add(b); err != nil {
				return c, err
			}
		}
	}
	return c, nil
}

// addedMonths names the documents that brought a row the data lacked.
func addedMonths(before, after *standards.WindowsUpdateFile, months []standards.CVRFMonth) []string {
	var added []string
	for _, m := range months {
		for _, s := range after.Series {
			old, _ := before.SeriesFor(s.Builds[0], s.Channels[0])
			if countIn(s, m.Released) > countIn(old, m.Released) {
				added = append(added, m.ID)
				break
			}
		}
	}
	return added
}

func countIn(s standards.UpdateSeries, released standards.Date) int {
	n := 0
	for _, u := range append(slices.Clone(s.Updates), s.OtherBuilds...) {
		if u.Date.Year() == released.Year() && u.Date.Month() == released.Month() {
			n++
		}
	}
	return n
}

// dataBody is a converted body, written as a data file.
type dataBody interface {
	Meta() *standards.Provenance
}

func (c *converted) add(b dataBody) error {
	p := b.Meta()
	p.File, p.Schema = "", standards.DataSchema
	out, err := json.MarshalIndent(b, "", " ")
	if err != nil {
		return err
	}
	c.bodies[p.Kind] = append(out, '\n')
	return nil
}

// unique drops repeated notes, keeping the first of each.
func unique(notes []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, n := range notes {
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	return out
}
