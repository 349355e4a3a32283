package standards

import (
	"fmt"
	"slices"
	"strings"
)

// SeriesUpdate is a build a CVRF document gives for one update series:
// the monthly cumulative update (Update.Type empty), or a hotpatch or
// out-of-band build.
type SeriesUpdate struct {
	Series string
	Update Update
}

// SeriesUpdates places a document's rows in the file's update series, by
// build and channel as SeriesFor does, so Windows 11 24H2 and Windows Server
// 2025 (both build 26100) land in different series. Where a series gets two
// cumulative updates the highest UBR is taken and a note names both (a
// release that left servicing keeps its last fix in later documents). Rows
// no series knows are left out with a note naming them.
func (f *WindowsUpdateFile) SeriesUpdates(m CVRFMonth) ([]SeriesUpdate, []string) {
	monthly := map[string][]CVRFRow{}
	others := map[string][]CVRFRow{}
	var unknown []CVRFRow
	for _, r := range m.Rows {
		s, ok := f.SeriesFor(r.Build, r.Channel)
		switch {
		case !ok:
			unknown = append(unknown, r)
		case r.Update.Type == "":
			monthly[s.ID] = append(monthly[s.ID], r)
		default:
			others[s.ID] = append(others[s.ID], r)
		}
	}
	var out []SeriesUpdate
	var notes []string
	for _, s := range f.Series {
		if rows := monthly[s.ID]; len(rows) > 0 {
			best := slices.MaxFunc(rows, func(a, b CVRFRow) int { return a.Update.UBR - b.Update.UBR })
			out = append(out, SeriesUpdate{s.ID, best.Update})
			if n := disagreement(m.ID, s, best, rows); n != "" {
				notes = append(notes, n)
			}
		}
		var seen []Update
		for _, r := range others[s.ID] {
			if i := slices.IndexFunc(seen, func(u Update) bool { return u.UBR == r.Update.UBR }); i >= 0 {
				if seen[i].KB != r.Update.KB {
					notes = append(notes, fmt.Sprintf("%s: series %s build %d.%d is both %s and %s; kept %s", m.ID, s.ID, r.Build, r.Update.UBR, seen[i].KB, r.Update.KB, seen[i].KB))
				}
				continue
			}
			seen = append(seen, r.Update)
			out = append(out, SeriesUpdate{s.ID, r.Update})
		}
	}
	return out, append(notes, unknownSeriesNotes(m.ID, unknown)...)
}

func disagreement(id string, s UpdateSeries, best CVRFRow, rows []CVRFRow) string {
	var others []string
	for _, r := range rows {
		if r.Update.UBR != best.Update.UBR || r.Update.KB != best.Update.KB {
			others = append(others, rowLabel(r))
		}
	}
	if len(others) == 0 {
		return ""
	}
	return fmt.Sprintf("%s: series %s has more than one cumulative update: took the highest, %s; also named: %s",
		id, s.ID, rowLabel(best), strings.Join(others, "; "))
}

func rowLabel(r CVRFRow) string {
	return fmt.Sprintf("%d.%d %s for %s", r.Build, r.Update.UBR, r.Update.KB, strings.Join(r.Products, ", "))
}

func unknownSeriesNotes(id string, rows []CVRFRow) []string {
	var notes []string
	for _, r := range rows {
		if r.Update.Type != "" {
			continue
		}
		// Worded without the month, so that the same gap named by several
		// documents reads as one note.
		notes = append(notes, fmt.Sprintf("no update series in the data has build %d on the %s channel (%s): its updates are left out",
			r.Build, r.Channel, r.Products[0]))
	}
	return notes
}

// WithMonths returns a copy of the file extended by the documents' months;
// the file itself is not changed. For each series a month the data lacks is
// added where its date and UBR keep the series in ascending order; a month
// the data already holds is kept as it is, with a note when the document
// differs. Hotpatch and out-of-band builds go to OtherBuilds once each.
// AsOf moves to the newest document's release or revision day when that is
// later, and Source names every document. The notes say what was not taken
// and why; the caller shows them. A month with no cumulative update is
// refused with ErrNoWindowsUpdates.
func (f WindowsUpdateFile) WithMonths(months ...CVRFMonth) (WindowsUpdateFile, []string, error) {
	out := f.clone()
	months = slices.Clone(months)
	slices.SortStableFunc(months, func(a, b CVRFMonth) int { return a.Released.Compare(b.Released.Time) })
	var notes []string
	for _, m := range months {
		if !slices.ContainsFunc(m.Rows, func(r CVRFRow) bool { return r.Update.Type == "" }) {
			return WindowsUpdateFile{}, notes, fmt.Errorf("%s: %w", m.ID, ErrNoWindowsUpdates)
		}
		rows, n := out.SeriesUpdates(m)
		notes = append(append(notes, m.Notes...), n...)
		for _, r := range rows {
			s := &out.Series[slices.IndexFunc(out.Series, func(s UpdateSeries) bool { return s.ID == r.Series })]
			if r.Update.Type == "" {
				notes = append(notes, s.addMonthly(m.ID, r.Update)...)
			} else {
				notes = append(notes, s.addOther(m.ID, r.Update)...)
			}
		}
		out.cite(m)
	}
	if err := out.validate(); err != nil {
		return WindowsUpdateFile{}, notes, err
	}
	return out, notes, nil
}

func (f WindowsUpdateFile) clone() WindowsUpdateFile {
	out := f
	out.Series = make([]UpdateSeries, len(f.Series))
	for i, s := range f.Series {
		s.Builds = slices.Clone(s.Builds)
		s.Channels = slices.Clone(s.Channels)
		s.Updates = slices.Clone(s.Updates)
		s.OtherBuilds = slices.Clone(s.OtherBuilds)
		out.Series[i] = s
	}
	return out
}

func sameMonth(a, b Date) bool { return a.Year() == b.Year() && a.Month() == b.Month() }

func (s *UpdateSeries) addMonthly(doc string, u Update) []string {
	if i := slices.IndexFunc(s.Updates, func(e Update) bool { return sameMonth(e.Date, u.Date) }); i >= 0 {
		e := s.Updates[i]
		if e.UBR == u.UBR && e.KB == u.KB && e.Date.Equal(u.Date.Time) {
			return nil
		}
		return []string{fmt.Sprintf("%s: series %s: the data has %s build %d, the document %s build %d: kept the data's row",
			doc, s.ID, e.Label(), e.UBR, u.Label(), u.UBR)}
	}
	if i := slices.IndexFunc(s.Updates, func(e Update) bool { return e.UBR == u.UBR || e.KB == u.KB }); i >= 0 {
		return []string{fmt.Sprintf("%s: series %s: %s build %d repeats %s build %d of an earlier month: not added",
			doc, s.ID, u.Label(), u.UBR, s.Updates[i].Label(), s.Updates[i].UBR)}
	}
	at, _ := slices.BinarySearchFunc(s.Updates, u, func(e, u Update) int { return e.Date.Compare(u.Date.Time) })
	if at > 0 && s.Updates[at-1].UBR >= u.UBR || at < len(s.Updates) && s.Updates[at].UBR <= u.UBR {
		return []string{fmt.Sprintf("%s: series %s: %s build %d would break the series' date and UBR order: not added",
			doc, s.ID, u.Label(), u.UBR)}
	}
	s.Updates = slices.Insert(s.Updates, at, u)
	return nil
}

func (s *UpdateSeries) addOther(doc string, u Update) []string {
	for _, e := range append(slices.Clone(s.Updates), s.OtherBuilds...) {
		if e.UBR != u.UBR {
			continue
		}
		if e.KB == u.KB {
			return nil
		}
		return []string{fmt.Sprintf("%s: series %s: the data has build %d as %s, the document as %s: kept the data's row",
			doc, s.ID, u.UBR, e.Label(), u.Label())}
	}
	s.OtherBuilds = slices.Insert(s.OtherBuilds, otherBuildPlace(s.OtherBuilds, u), u)
	return nil
}

// otherBuildPlace keeps OtherBuilds grouped by type and dated in order
// within a type, as the data is written: before the first build of the same
// type dated later, else after the last of that type, else at the end.
func otherBuildPlace(builds []Update, u Update) int {
	last := -1
	for i, e := range builds {
		if e.Type != u.Type {
			continue
		}
		if e.Date.After(u.Date.Time) {
			return i
		}
		last = i
	}
	if last < 0 {
		return len(builds)
	}
	return last + 1
}

// cite names the document in Source and moves AsOf to its day.
func (f *WindowsUpdateFile) cite(m CVRFMonth) {
	if day := DayOf(m.Revised); day.After(f.AsOf.Time) {
		f.AsOf = day
	}
	if m.Released.After(f.AsOf.Time) {
		f.AsOf = m.Released
	}
	if strings.Contains(f.Source, m.URL()) {
		return
	}
	cite := fmt.Sprintf("MSRC CVRF %s, revised %s: %s.", m.ID, DayOf(m.Revised), m.URL())
	f.Source = strings.TrimSpace(f.Source + " " + cite)
}
