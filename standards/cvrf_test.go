package standards

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

const cvrfDir = "../testdata/cvrf"

func readCVRF(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(cvrfDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func gunzipped(t testing.TB, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if _, err := out.ReadFrom(zr); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func parseCVRFFile(t testing.TB, name string) CVRFMonth {
	t.Helper()
	m, err := ParseCVRF(readCVRF(t, name))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return m
}

func builtInUpdates(t *testing.T) WindowsUpdateFile {
	t.Helper()
	d, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	return d.WindowsUpdates
}

// Where Microsoft's documents differ from the built-in data, and why. Every
// note a document gives must be listed here, so a new disagreement fails.
var cvrfKnownNotes = map[string][]string{
	"2025-Nov": {
		// Windows 11 22H2 left servicing in October 2025; the document still
		// names its last fix, 22621.6060, beside 23H2's November build.
		"series 22631 has more than one cumulative update: took the highest, 22631.6199 KB5068865",
		// Releases the data has no series for: Windows 10 2015 LTSB, Server
		// 2008, 2008 R2, 2012, 2012 R2 (ESU) and Server 2022 23H2 Edition.
		"build 10240 on the client channel", "build 6003 on the server channel", "build 7601 on the server channel",
		"build 9200 on the server channel", "build 9600 on the server channel", "build 25398 on the server channel",
	},
	"2025-Dec": {
		"series 22631 has more than one cumulative update: took the highest, 22631.6345 KB5071417",
		"build 10240 on the client channel", "build 6003 on the server channel", "build 7601 on the server channel",
		"build 9200 on the server channel", "build 9600 on the server channel", "build 25398 on the server channel",
	},
	"2026-Jan": {
		"build 6003 on the server channel", "build 7601 on the server channel",
		"build 9200 on the server channel", "build 9600 on the server channel", "build 25398 on the server channel",
	},
	"2026-Mar": {
		// KB5084597, the hotpatch re-released on 2026-03-13 for three RRAS
		// CVEs; the data has it (added from this document) as out-of-band.
		"KB5084597 (UBR 7982) is named by 3 CVEs against 38 for KB5079420 (UBR 7979): taken as an out-of-band hotpatch, dated 2026-03-13",
		"build 9200 on the server channel", "build 9600 on the server channel", "build 25398 on the server channel",
	},
}

// The four real documents give, for their months, exactly the rows the
// built-in data holds. The data's 26H1 March row, the Server 2022 and 2025
// hotpatch rows and KB5084597 were added to it from these documents;
// 26H1's February build is in no document here and is not in the data.
func TestCVRFReproducesBuiltInData(t *testing.T) {
	data := builtInUpdates(t)
	for _, id := range []string{"2025-Nov", "2025-Dec", "2026-Jan", "2026-Mar"} {
		t.Run(id, func(t *testing.T) {
			m := parseCVRFFile(t, "cvrfDocument-"+id+".xml.gz")
			if m.ID != id || !strings.HasSuffix(m.Title, "Security Updates") {
				t.Errorf("ID %q title %q", m.ID, m.Title)
			}
			rows, notes := data.SeriesUpdates(m)
			checkNotes(t, append(m.Notes, notes...), cvrfKnownNotes[id])
			var monthly []string
			for _, r := range rows {
				s := seriesByID(t, data, r.Series)
				want, ok := dataRow(s, r.Update)
				if !ok {
					t.Errorf("series %s: the document gives %+v, the data has no such row", r.Series, r.Update)
				} else if !reflect.DeepEqual(r.Update, want) {
					t.Errorf("series %s:\n document %+v\n data     %+v", r.Series, r.Update, want)
				}
				if r.Update.Type == "" {
					monthly = append(monthly, r.Series)
				}
			}
			for _, s := range data.Series {
				has := slices.ContainsFunc(s.Updates, func(u Update) bool { return u.Date.Equal(m.Released.Time) })
				if has != slices.Contains(monthly, s.ID) {
					t.Errorf("series %s: data has a row dated %s: %v; document gives one: %v", s.ID, m.Released, has, !has)
				}
			}
		})
	}
}

func checkNotes(t *testing.T, notes, known []string) {
	t.Helper()
	for _, n := range notes {
		if !slices.ContainsFunc(known, func(k string) bool { return strings.Contains(n, k) }) {
			t.Errorf("note no test names: %s", n)
		}
	}
	for _, k := range known {
		if !slices.ContainsFunc(notes, func(n string) bool { return strings.Contains(n, k) }) {
			t.Errorf("expected a note containing %q; notes:\n%s", k, strings.Join(notes, "\n"))
		}
	}
}

func seriesByID(t *testing.T, f WindowsUpdateFile, id string) UpdateSeries {
	t.Helper()
	i := slices.IndexFunc(f.Series, func(s UpdateSeries) bool { return s.ID == id })
	if i < 0 {
		t.Fatalf("no series %s", id)
	}
	return f.Series[i]
}

func dataRow(s UpdateSeries, u Update) (Update, bool) {
	list := s.Updates
	if u.Type != "" {
		list = s.OtherBuilds
	}
	i := slices.IndexFunc(list, func(e Update) bool { return e.UBR == u.UBR })
	if i < 0 {
		return Update{}, false
	}
	return list[i], true
}

func TestParseCVRFRows(t *testing.T) {
	m := parseCVRFFile(t, "cvrfDocument-2026-Mar.xml.gz")
	if m.Released != MustDate("2026-03-10") || !m.Revised.Equal(time.Date(2026, 3, 31, 1, 39, 15, 0, time.UTC)) {
		t.Errorf("released %s revised %s", m.Released, m.Revised)
	}
	want := CVRFRow{
		Products: []string{"Windows 11 Version 26H1 for ARM64-based Systems", "Windows 11 version 26H1 for x64-based Systems"},
		Channel:  ChannelClient, Build: 28000,
		Update: Update{Date: MustDate("2026-03-10"), UBR: 1719, KB: "KB5079466"},
	}
	if i := slices.IndexFunc(m.Rows, func(r CVRFRow) bool { return r.Build == 28000 }); i < 0 || !reflect.DeepEqual(m.Rows[i], want) {
		t.Errorf("26H1 row:\n got  %+v\n want %+v", m.Rows, want)
	}
	// Server 2016 and Windows 10 1607 share a build and KB but not a channel.
	for _, channel := range []string{ChannelClient, ChannelServer} {
		i := slices.IndexFunc(m.Rows, func(r CVRFRow) bool { return r.Build == 14393 && r.Channel == channel })
		if i < 0 || m.Rows[i].Update.UBR != 8957 || m.Rows[i].Update.KB != "KB5078938" {
			t.Errorf("14393 %s: %+v", channel, m.Rows)
		}
	}
	for _, r := range m.Rows {
		if strings.Contains(strings.Join(r.Products, ","), ".NET") || r.Update.KB == "KB5081276" {
			t.Errorf("a .NET fix became a Windows row: %+v", r)
		}
	}
}

// The JSON form of a real document gives what its XML form gives.
func TestParseCVRFJSONMatchesXML(t *testing.T) {
	fromXML := parseCVRFFile(t, "cvrfDocument-2026-Jan.xml.gz")
	fromJSON := parseCVRFFile(t, "cvrfDocument-2026-Jan.json.gz")
	if !reflect.DeepEqual(fromXML, fromJSON) {
		t.Errorf("JSON form:\n%+v\nXML form:\n%+v", fromJSON, fromXML)
	}
	if len(fromJSON.Rows) < 10 {
		t.Errorf("%d rows", len(fromJSON.Rows))
	}
}

// Text fields in the JSON form are either strings or {"Value": ...}; control
// characters in names are dropped.
func TestParseCVRFJSONTextForms(t *testing.T) {
	doc := `{"DocumentTitle":"October 2026 Security Updates",
	  "DocumentTracking":{"Identification":{"ID":"2026-Oct"},"InitialReleaseDate":"2026-10-13T07:00:00Z","CurrentReleaseDate":{"Value":"2026-10-14T01:00:00"}},
	  "ProductTree":{"FullProductName":[{"ProductID":"1","Value":"Windows 11 Version 24H2 for x64-based\u001b[2J Systems"},{"ProductID":"2","Value":"Windows Server 2025"}]},
	  "Vulnerability":[{"CVE":"CVE-2026-1","Remediations":[
	    {"Type":2,"Description":"5200001","SubType":{"Value":"Security Update"},"FixedBuild":{"Value":"10.0.26100.9700"},"ProductID":["1"]},
	    {"Type":2,"Description":{"Value":"5200002"},"SubType":"Security Update","FixedBuild":"10.0.26100.33500","ProductID":["2"]},
	    {"Type":5,"Description":{"Value":"5200003"},"SubType":"Security Update","FixedBuild":"10.0.26100.9999","ProductID":["1"]},
	    {"Type":2,"Description":{"Value":"Release Notes"},"SubType":"Security Update","FixedBuild":"10.0.26100.9998","ProductID":["1"]}]}]}`
	m, err := ParseCVRF([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	day := MustDate("2026-10-13")
	want := []CVRFRow{
		{Products: []string{"Windows 11 Version 24H2 for x64-based [2J Systems"}, Channel: ChannelClient, Build: 26100, Update: Update{Date: day, UBR: 9700, KB: "KB5200001"}},
		{Products: []string{"Windows Server 2025"}, Channel: ChannelServer, Build: 26100, Update: Update{Date: day, UBR: 33500, KB: "KB5200002"}},
	}
	if m.ID != "2026-Oct" || !m.Revised.Equal(time.Date(2026, 10, 14, 1, 0, 0, 0, time.UTC)) || !reflect.DeepEqual(m.Rows, want) {
		t.Errorf("got %+v\nwant rows %+v", m, want)
	}
}

func TestParseCVRFRefuses(t *testing.T) {
	mar := gunzipped(t, readCVRF(t, "cvrfDocument-2026-Mar.xml.gz"))
	gz := readCVRF(t, "cvrfDocument-2026-Mar.xml.gz")
	jsonDoc := gunzipped(t, readCVRF(t, "cvrfDocument-2026-Jan.json.gz"))
	var bomb bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&bomb, gzip.BestSpeed)
	zw.Write(make([]byte, MaxCVRFSize+1))
	zw.Close()
	tests := []struct {
		name  string
		input []byte
		err   error
		text  string
	}{
		{"empty", nil, ErrNotCVRF, "empty"},
		{"blank", []byte(" \r\n"), ErrNotCVRF, "empty"},
		{"HTML error page", []byte("<!DOCTYPE html>\n<html><head><title>503 Service Unavailable</title></head><body>The service is unavailable.</body></html>"), ErrNotCVRF, "HTML"},
		{"HTML without doctype", []byte("  <html><body>Not found</body></html>"), ErrNotCVRF, "HTML"},
		{"other XML", []byte(`<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"></feed>`), ErrNotCVRF, "feed"},
		{"text", []byte("Too Many Requests"), ErrNotCVRF, "neither XML nor JSON"},
		{"truncated XML", mar[:len(mar)/2], ErrTruncated, "XML ends"},
		{"truncated gzip", gz[:len(gz)/2], ErrTruncated, "gzip"},
		{"gzip header only", gz[:5], ErrTruncated, "gzip"},
		{"truncated JSON", jsonDoc[:len(jsonDoc)/2], ErrTruncated, "JSON ends"},
		{"no ID", bytes.Replace(mar, []byte("<cvrf:ID>2026-Mar</cvrf:ID>"), nil, 1), ErrNotCVRF, "ID"},
		{"no release date", bytes.Replace(mar, []byte("<cvrf:InitialReleaseDate>2026-03-10T07:00:00</cvrf:InitialReleaseDate>"), nil, 1), ErrNotCVRF, "InitialReleaseDate"},
		{"early security updates", readCVRF(t, "cvrfDocument-early-edited.xml.gz"), ErrNoWindowsUpdates, "2026-Mar"},
		{"JSON of another kind", []byte(`{"value":[{"ID":"2026-Oct"}]}`), ErrNotCVRF, "ID"},
		{"ID that is no month", bytes.Replace(mar, []byte("<cvrf:ID>2026-Mar</cvrf:ID>"), []byte("<cvrf:ID>2026-Mar/../x</cvrf:ID>"), 1), ErrNotCVRF, "2026-Mar/../x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseCVRF(tt.input)
			if !errors.Is(err, tt.err) || !strings.Contains(err.Error(), tt.text) {
				t.Errorf("ParseCVRF = %v; want %v mentioning %q", err, tt.err, tt.text)
			}
		})
	}
	t.Run("larger than the bound once decompressed", func(t *testing.T) {
		if _, err := ParseCVRF(bomb.Bytes()); err == nil || !strings.Contains(err.Error(), "larger than 64 MiB") {
			t.Errorf("ParseCVRF = %v", err)
		}
	})
}

// A document newer than the data (2026-Mar edited to 2026-Oct, README.md)
// extends every series it covers and leaves the input alone.
func TestWithMonthsExtendsData(t *testing.T) {
	data := builtInUpdates(t)
	before, _ := json.Marshal(data)
	oct := parseCVRFFile(t, "cvrfDocument-2026-Oct-edited.xml.gz")
	out, notes, err := data.WithMonths(oct)
	if err != nil {
		t.Fatal(err)
	}
	if after, _ := json.Marshal(data); !bytes.Equal(before, after) {
		t.Error("WithMonths changed its input")
	}
	if err := out.validate(); err != nil {
		t.Error(err)
	}
	day := MustDate("2026-10-13")
	want := map[string]Update{
		"19045":       {Date: day, UBR: 9058, KB: "KB5138885"},
		"22631":       {Date: day, UBR: 8783, KB: "KB5138883"},
		"26100":       {Date: day, UBR: 10037, KB: "KB5139473"},
		"20348":       {Date: day, UBR: 6893, KB: "KB5138766"},
		"server-2025": {Date: day, UBR: 34522, KB: "KB5138740"},
		"14393":       {Date: day, UBR: 10957, KB: "KB5138938"},
		"17763":       {Date: day, UBR: 10511, KB: "KB5138752"},
		"28000":       {Date: day, UBR: 3719, KB: "KB5139466"},
	}
	for _, s := range out.Series {
		in := seriesByID(t, data, s.ID)
		if got := s.Updates[len(s.Updates)-1]; got != want[s.ID] || len(s.Updates) != len(in.Updates)+1 {
			t.Errorf("series %s: newest %+v (%d rows, was %d); want %+v", s.ID, got, len(s.Updates), len(in.Updates), want[s.ID])
		}
	}
	hotpatches := map[string][]Update{
		"26100": {{Date: day, UBR: 9979, KB: "KB5139420", Type: UpdateHotpatch},
			{Date: MustDate("2026-10-16"), UBR: 9982, KB: "KB5144597", Type: UpdateHotpatch, Note: "out-of-band hotpatch"}},
		"20348":       {{Date: day, UBR: 6830, KB: "KB5138737", Type: UpdateHotpatch}},
		"server-2025": {{Date: day, UBR: 34463, KB: "KB5138736", Type: UpdateHotpatch}},
	}
	for id, want := range hotpatches {
		s := seriesByID(t, out, id)
		if got := s.OtherBuilds[len(s.OtherBuilds)-len(want):]; !reflect.DeepEqual(got, want) {
			t.Errorf("series %s other builds end %+v; want %+v", id, got, want)
		}
	}
	if out.AsOf != MustDate("2026-11-03") {
		t.Errorf("as_of %s; want the document's revision day 2026-11-03", out.AsOf)
	}
	if !strings.HasPrefix(out.Source, data.Source) || !strings.Contains(out.Source, "https://api.msrc.microsoft.com/cvrf/v3.0/cvrf/2026-Oct") {
		t.Errorf("source %q", out.Source)
	}
	checkNotes(t, notes, []string{"KB5144597", "build 9200", "build 9600", "build 25398"})

	// The result, written as JSON, loads as a data file.
	b, err := json.MarshalIndent(out, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(tempDir(t), "windows-updates.json")
	if err := os.WriteFile(file, b, 0o644); err != nil {
		t.Fatal(err)
	}
	loaded, err := Load(file)
	if err != nil {
		t.Fatal(err)
	}
	loaded.WindowsUpdates.File = ""
	if !reflect.DeepEqual(loaded.WindowsUpdates, out) {
		t.Error("the merged file does not load back as it was written")
	}
}

func cvrfMonth(id, day string, rows ...CVRFRow) CVRFMonth {
	d := MustDate(day)
	for i := range rows {
		rows[i].Update.Date = d
	}
	return CVRFMonth{ID: id, Released: d, Revised: d.Time, Rows: rows}
}

func client(build, ubr int, kb string) CVRFRow {
	return CVRFRow{Products: []string{"Windows 10 Version 22H2 for x64-based Systems"}, Channel: ChannelClient, Build: build, Update: Update{UBR: ubr, KB: kb}}
}

func without(f WindowsUpdateFile, series string, drop func(Update) bool) WindowsUpdateFile {
	out := f.clone()
	for i := range out.Series {
		if out.Series[i].ID == series {
			out.Series[i].Updates = slices.DeleteFunc(out.Series[i].Updates, drop)
			out.Series[i].OtherBuilds = slices.DeleteFunc(out.Series[i].OtherBuilds, drop)
		}
	}
	return out
}

func TestWithMonthsRules(t *testing.T) {
	data := builtInUpdates(t)
	mar := parseCVRFFile(t, "cvrfDocument-2026-Mar.xml.gz")
	nov := parseCVRFFile(t, "cvrfDocument-2025-Nov.xml.gz")

	t.Run("a month present and equal changes nothing", func(t *testing.T) {
		out, notes, err := data.WithMonths(mar, mar)
		if err != nil || !reflect.DeepEqual(out.Series, data.Series) {
			t.Errorf("err %v; series changed: %v", err, !reflect.DeepEqual(out.Series, data.Series))
		}
		for _, n := range notes {
			if strings.Contains(n, "kept the data's row") {
				t.Errorf("note: %s", n)
			}
		}
	})
	t.Run("a month present and different keeps the data's row", func(t *testing.T) {
		out, notes, err := data.WithMonths(cvrfMonth("2026-Mar", "2026-03-10", client(19045, 7059, "KB5099999")))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(out.Series, data.Series) {
			t.Error("series changed")
		}
		if len(notes) != 1 || !strings.Contains(notes[0], "KB5078885") || !strings.Contains(notes[0], "KB5099999") {
			t.Errorf("notes %q; want one naming both KB5078885 and KB5099999", notes)
		}
	})
	feb := func(u Update) bool { return u.KB == "KB5075912" }
	noFeb := without(data, "19045", feb)
	t.Run("an older month the data lacks is inserted in order", func(t *testing.T) {
		out, notes, err := noFeb.WithMonths(cvrfMonth("2026-Feb", "2026-02-10", client(19045, 6937, "KB5075912")))
		if err != nil || len(notes) != 0 {
			t.Fatalf("err %v notes %q", err, notes)
		}
		if !reflect.DeepEqual(out.Series, data.Series) {
			t.Error("the February row did not go back where it was")
		}
	})
	t.Run("an older month out of UBR order is refused", func(t *testing.T) {
		out, notes, err := noFeb.WithMonths(cvrfMonth("2026-Feb", "2026-02-10", client(19045, 7100, "KB5075912")))
		if err != nil || len(notes) != 1 || !strings.Contains(notes[0], "order") {
			t.Fatalf("err %v notes %q", err, notes)
		}
		if !reflect.DeepEqual(out.Series, noFeb.Series) {
			t.Error("series changed")
		}
	})
	t.Run("an earlier month's build named again is refused", func(t *testing.T) {
		out, notes, err := data.WithMonths(cvrfMonth("2026-Oct", "2026-10-13", client(19045, 7663, "KB5120249")))
		if err != nil || len(notes) != 1 || !strings.Contains(notes[0], "repeats") {
			t.Fatalf("err %v notes %q", err, notes)
		}
		if !reflect.DeepEqual(out.Series, data.Series) {
			t.Error("series changed")
		}
	})
	t.Run("a series the data does not know is named, not invented", func(t *testing.T) {
		row := client(30100, 1000, "KB5200000")
		row.Products = []string{"Windows 12 for x64-based Systems"}
		out, notes, err := data.WithMonths(cvrfMonth("2026-Oct", "2026-10-13", row))
		if err != nil || len(notes) != 1 || !strings.Contains(notes[0], "Windows 12 for x64-based Systems") || !strings.Contains(notes[0], "30100") {
			t.Fatalf("err %v notes %q", err, notes)
		}
		if !reflect.DeepEqual(out.Series, data.Series) {
			t.Error("series changed")
		}
	})
	t.Run("hotpatch and out-of-band builds are added once", func(t *testing.T) {
		hotpatch := func(u Update) bool { return u.Type == UpdateHotpatch }
		bare := without(without(data, "20348", hotpatch), "26100", func(u Update) bool { return u.KB == "KB5084597" })
		out, _, err := bare.WithMonths(mar, nov, mar)
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"KB5068840", "KB5078737"}
		var got []string
		for _, u := range seriesByID(t, out, "20348").OtherBuilds {
			got = append(got, u.KB)
		}
		if !slices.Equal(got, want) {
			t.Errorf("20348 other builds %v; want %v", got, want)
		}
		if !reflect.DeepEqual(seriesByID(t, out, "26100"), seriesByID(t, data, "26100")) {
			t.Error("26100 did not get KB5084597 back in its place")
		}
	})
	t.Run("as_of never moves back", func(t *testing.T) {
		out, _, err := data.WithMonths(nov)
		if err != nil || out.AsOf != data.AsOf {
			t.Errorf("err %v as_of %s; want %s", err, out.AsOf, data.AsOf)
		}
		if !strings.Contains(out.Source, "cvrf/2025-Nov") {
			t.Errorf("source does not name the document: %s", out.Source)
		}
	})
	t.Run("a month without a cumulative update is refused", func(t *testing.T) {
		row := client(19045, 7700, "KB5200000")
		row.Update.Type = UpdateHotpatch
		_, _, err := data.WithMonths(cvrfMonth("2026-Oct", "2026-10-13", row))
		if !errors.Is(err, ErrNoWindowsUpdates) {
			t.Errorf("err %v", err)
		}
	})
}

func BenchmarkParseCVRF(b *testing.B) {
	doc := readCVRF(b, "cvrfDocument-2026-Mar.xml.gz")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseCVRF(doc); err != nil {
			b.Fatal(err)
		}
	}
}
