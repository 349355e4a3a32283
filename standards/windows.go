package standards

import (
	"fmt"
	"slices"
	"strings"
)

// WindowsReleaseFile is the lifecycle table of Windows releases.
type WindowsReleaseFile struct {
	Provenance
	Releases []WindowsRelease `json:"releases"`
	ESU      []ESUProgram     `json:"esu"`
}

// Edition families have separate end-of-servicing dates.
const (
	HomePro    = "home_pro"
	Enterprise = "enterprise"
	IoT        = "iot"
	Server     = "server"
)

// Channels of Windows releases.
const (
	ChannelClient = "client"
	ChannelLTSC   = "ltsc"
	ChannelServer = "server"
)

// WindowsRelease is one feature release with its end of servicing per
// edition family.
type WindowsRelease struct {
	Product  string          `json:"product"`
	Channel  string          `json:"channel"`
	Version  string          `json:"version"`
	Build    int             `json:"build"`
	Released Date            `json:"released"`
	End      map[string]Date `json:"end"`
	ESU      string          `json:"esu,omitempty"`
	Note     string          `json:"note,omitempty"`
}

// Name is how a person names the release, e.g. "Windows 11 24H2".
func (r WindowsRelease) Name() string {
	if r.Channel == ChannelClient && r.Version != "" {
		return r.Product + " " + r.Version
	}
	return r.Product
}

// ESUProgram is a paid Extended Security Updates programme.
type ESUProgram struct {
	Program     string    `json:"program"`
	Title       string    `json:"title"`
	Build       int       `json:"build"`
	ConsumerEnd Date      `json:"consumer_end"`
	FirstESUUBR int       `json:"first_esu_ubr"`
	Years       []ESUYear `json:"years"`
}

// ESUYear is one year of ESU and the licence that activates it.
type ESUYear struct {
	Year      int    `json:"year"`
	End       Date   `json:"end"`
	LicenseID string `json:"license_id"`
}

// WindowsVersion is what the registry says about the running Windows
// (HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion, 64-bit view).
type WindowsVersion struct {
	CurrentBuild     int
	UBR              int
	EditionID        string
	DisplayVersion   string
	InstallationType string
	ProductName      string
}

// Channel is the release channel the version belongs to: server when
// InstallationType says so, LTSC for the EnterpriseS editions, else client.
func (v WindowsVersion) Channel() string {
	switch {
	case strings.HasPrefix(v.InstallationType, "Server"):
		return ChannelServer
	case strings.HasSuffix(strings.TrimSuffix(v.EditionID, "N"), "EnterpriseS"):
		return ChannelLTSC
	}
	return ChannelClient
}

// EditionFamily picks the lifecycle column for the edition. Editions it does
// not know take the Home/Pro column, whose dates are the earliest, so an
// unknown edition can never be judged supported for longer than it is.
func (v WindowsVersion) EditionFamily() (family string, known bool) {
	e := v.EditionID
	switch v.Channel() {
	case ChannelServer:
		return Server, true
	case ChannelLTSC:
		if strings.HasPrefix(e, "IoT") {
			return IoT, true
		}
		return Enterprise, true
	}
	for _, p := range []string{"Enterprise", "Education", "IoTEnterprise"} {
		if strings.HasPrefix(e, p) {
			return Enterprise, true
		}
	}
	for _, p := range []string{"Core", "Professional"} {
		if strings.HasPrefix(e, p) {
			return HomePro, true
		}
	}
	return HomePro, false
}

// Release finds the release a Windows version is, by build and channel; the
// marketing name in ProductName is never used (Windows 11 says "Windows 10").
func (f *WindowsReleaseFile) Release(v WindowsVersion) (WindowsRelease, bool) {
	for _, r := range f.Releases {
		if r.Build == v.CurrentBuild && r.Channel == v.Channel() {
			return r, true
		}
	}
	return WindowsRelease{}, false
}

// ESUProgram returns the ESU programme of a release, if it has one.
func (f *WindowsReleaseFile) ESUProgram(name string) (ESUProgram, bool) {
	for _, p := range f.ESU {
		if p.Program == name {
			return p, true
		}
	}
	return ESUProgram{}, false
}

func (f *WindowsReleaseFile) validate() error {
	seen := map[string]bool{}
	for _, r := range f.Releases {
		if seen[r.Key()] {
			return fmt.Errorf("release %s (%s) is listed twice", r.Name(), r.Key())
		}
		seen[r.Key()] = true
		if r.Build <= 0 || !slices.Contains([]string{ChannelClient, ChannelLTSC, ChannelServer}, r.Channel) {
			return fmt.Errorf("release %q needs a build number and a channel (client, ltsc, server)", r.Name())
		}
		if len(r.End) == 0 {
			return fmt.Errorf("release %s has no end date", r.Name())
		}
		for family, end := range r.End {
			if !slices.Contains([]string{HomePro, Enterprise, IoT, Server}, family) {
				return fmt.Errorf("release %s: unknown edition family %q", r.Name(), family)
			}
			if err := checkDates("release "+r.Name(), r.Released, end); err != nil {
				return err
			}
		}
		if r.ESU != "" {
			if _, ok := f.ESUProgram(r.ESU); !ok {
				return fmt.Errorf("release %s names ESU programme %q, which is not listed", r.Name(), r.ESU)
			}
		}
	}
	return nil
}

// WindowsUpdateFile lists the monthly cumulative updates by build series.
type WindowsUpdateFile struct {
	Provenance
	Series []UpdateSeries `json:"series"`
}

// UpdateSeries is a run of cumulative updates that share one UBR numbering:
// several releases can share it (19044 and 19045; 26100, 26200 and 26300).
type UpdateSeries struct {
	ID       string   `json:"id"`
	Name     string   `json:"name"`
	Builds   []int    `json:"builds"`
	Channels []string `json:"channels"`
	// Updates are the monthly security (B-week) releases, oldest first.
	Updates []Update `json:"updates"`
	// OtherBuilds are previews, out-of-band and hotpatch releases.
	OtherBuilds []Update `json:"other_builds,omitempty"`
	Note        string   `json:"note,omitempty"`
}

// Update is one released build.
type Update struct {
	Date Date   `json:"date"`
	UBR  int    `json:"ubr"`
	KB   string `json:"kb"`
	// FirstUBR is the first build that carried these fixes when it was
	// withdrawn and re-released under a higher number.
	FirstUBR   int    `json:"first_ubr,omitempty"`
	Type       string `json:"type,omitempty"`
	Note       string `json:"note,omitempty"`
	Confidence string `json:"confidence,omitempty"`
}

// Update types for OtherBuilds.
const (
	UpdatePreview   = "preview"
	UpdateOutOfBand = "out-of-band"
	UpdateHotpatch  = "hotpatch"
)

func (u Update) lowestUBR() int {
	if u.FirstUBR != 0 {
		return u.FirstUBR
	}
	return u.UBR
}

// Label names the update as a person would look it up: "KB5066791 (2025-10-14)".
func (u Update) Label() string {
	kb := u.KB
	if kb == "" {
		kb = "build ." + fmt.Sprint(u.UBR)
	}
	return fmt.Sprintf("%s (%s)", kb, u.Date)
}

func (f *WindowsUpdateFile) validate() error {
	seen := map[string]bool{}
	for _, s := range f.Series {
		if s.ID == "" || seen[s.ID] {
			return fmt.Errorf("update series %q: every series needs its own id", s.ID)
		}
		seen[s.ID] = true
		if len(s.Builds) == 0 || len(s.Channels) == 0 {
			return fmt.Errorf("update series %s lists no builds or no channels", s.ID)
		}
		if len(s.Updates) == 0 {
			return fmt.Errorf("update series %s has no updates", s.ID)
		}
		for i, u := range append(slices.Clip(s.Updates), s.OtherBuilds...) {
			if err := f.checkUpdate(s.ID, u); err != nil {
				return err
			}
			if i == 0 || i >= len(s.Updates) {
				continue
			}
			if a := s.Updates[i-1]; !a.Date.Before(u.Date.Time) || a.UBR >= u.UBR {
				return fmt.Errorf("update series %s: %s and %s are not in ascending date and UBR order", s.ID, a.Label(), u.Label())
			}
		}
	}
	return nil
}

func (f *WindowsUpdateFile) checkUpdate(series string, u Update) error {
	if err := checkDates("update series "+series+" update ."+fmt.Sprint(u.UBR), u.Date); err != nil {
		return err
	}
	if u.UBR <= 0 || (u.KB != "" && !kbPattern.MatchString(u.KB)) {
		return fmt.Errorf("update series %s: %q .%d is not a KB number and a build revision", series, u.KB, u.UBR)
	}
	if u.Date.After(f.AsOf.Time) {
		return fmt.Errorf("update series %s: %s is dated after the file's as_of %s", series, u.Label(), f.AsOf)
	}
	return nil
}

// SeriesFor finds the update series for a build on a channel.
func (f *WindowsUpdateFile) SeriesFor(build int, channel string) (UpdateSeries, bool) {
	for _, s := range f.Series {
		if slices.Contains(s.Builds, build) && slices.Contains(s.Channels, channel) {
			return s, true
		}
	}
	return UpdateSeries{}, false
}

// PatchLevel is what a UBR says about the security fixes a machine has.
type PatchLevel struct {
	// Level is the monthly release whose security fixes the machine has; zero
	// when the UBR is older than every release in the data.
	Level Update
	// Exact is the release with exactly this UBR, when the data knows it
	// (a preview, out-of-band or hotpatch build, or a monthly release).
	Exact *Update
	// BeyondData is true when the UBR is newer than every build in the data.
	BeyondData bool
	// Newest is the newest monthly release in the data.
	Newest Update
}

// PatchLevel places a UBR within the series. A preview or out-of-band build
// counts as the monthly release before it (previews carry no new security
// fixes); a hotpatch build carries its own month's fixes at a lower UBR.
func (s UpdateSeries) PatchLevel(ubr int) PatchLevel {
	pl := PatchLevel{Newest: s.Updates[len(s.Updates)-1]}
	for _, u := range s.Updates {
		if u.lowestUBR() <= ubr {
			pl.Level = u
		}
		if u.UBR == ubr || u.FirstUBR == ubr {
			pl.Exact = &u
		}
	}
	for _, u := range s.OtherBuilds {
		if u.UBR != ubr {
			continue
		}
		pl.Exact = &u
		if u.Type == UpdateHotpatch && u.Date.After(pl.Level.Date.Time) {
			pl.Level = u
		}
	}
	pl.BeyondData = ubr > pl.Newest.UBR && pl.Exact == nil
	return pl
}

// ReleasedAfter lists the monthly releases in the data dated after d.
func (s UpdateSeries) ReleasedAfter(d Date) []Update {
	var out []Update
	for _, u := range s.Updates {
		if u.Date.After(d.Time) {
			out = append(out, u)
		}
	}
	return out
}

// NewestUpdate is the newest monthly release in any series.
func (f *WindowsUpdateFile) NewestUpdate() Update {
	var newest Update
	for _, s := range f.Series {
		if u := s.Updates[len(s.Updates)-1]; u.Date.After(newest.Date.Time) {
			newest = u
		}
	}
	return newest
}

// Lag says how far the update data is behind on a day: the first Patch
// Tuesday on or before today that the data has no monthly release for, and
// how many days ago it was. ok is false when the data is current.
func (f *WindowsUpdateFile) Lag(today Date) (missing Date, days int, ok bool) {
	next := NextPatchTuesday(f.NewestUpdate().Date)
	if next.After(today.Time) {
		return Date{}, 0, false
	}
	return next, next.DaysUntil(today), true
}

// Stale reports whether the data lacks a Patch Tuesday more than the 14
// days ago within which Cyber Essentials wants its updates installed: past
// it, a fully patched machine can no longer be told from one that is not.
func (f *WindowsUpdateFile) Stale(today Date) bool {
	_, days, behind := f.Lag(today)
	return behind && days > 14
}
