package standards

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// EndOfLifeProducts are the endoflife.date products `data update` fetches
// from https://endoflife.date/api/v1/products/{product}.
var EndOfLifeProducts = []string{
	"windows", "windows-server",
	"debian", "ubuntu", "rhel", "almalinux", "rocky-linux", "oracle-linux", "centos", "centos-stream",
	"chrome", "firefox", "office", "mssqlserver", "oracle-jdk", "python",
}

// EndOfLifeURL is where the API v1 response for a product is published.
func EndOfLifeURL(product string) string {
	return "https://endoflife.date/api/v1/products/" + product
}

// maxEndOfLifeResponse bounds one product response; the largest real one
// (Chrome, every milestone) is under 100 KB.
const maxEndOfLifeResponse = 4 << 20

// Lifecycle is the lifecycle data built from endoflife.date. A body is nil
// when none of its products was given.
type Lifecycle struct {
	WindowsReleases *WindowsReleaseFile
	LinuxReleases   *LinuxReleaseFile
	Software        *SoftwareFile
	// Notes say what was kept from the base data, derived or skipped.
	Notes []string
}

// eolCycle is one release cycle of an API v1 product response, validated.
type eolCycle struct {
	Name     string
	Label    string
	Codename string
	Released Date
	LTS      bool
	Ended    bool
	EOL      *Date // nil when not ended or the date is not known
	EOES     *Date // end of extended support, nil when none or not known
	Latest   string
}

// endDate is the end of (free) support, or nil when not known.
func (c eolCycle) endDate() *Date { return c.EOL }

type eolResponse struct {
	SchemaVersion string `json:"schema_version"`
	Result        *struct {
		Name     string       `json:"name"`
		Releases []eolRelease `json:"releases"`
	} `json:"result"`
}

type eolRelease struct {
	Name        string  `json:"name"`
	Codename    *string `json:"codename"`
	Label       string  `json:"label"`
	ReleaseDate string  `json:"releaseDate"`
	IsLts       bool    `json:"isLts"`
	IsEol       bool    `json:"isEol"`
	EolFrom     *string `json:"eolFrom"`
	EoesFrom    *string `json:"eoesFrom"`
	Latest      *struct {
		Name string `json:"name"`
	} `json:"latest"`
}

// parseEndOfLife decodes and checks one API v1 product response.
func parseEndOfLife(product string, raw []byte) ([]eolCycle, error) {
	fail := func(format string, a ...any) error {
		return fmt.Errorf("endoflife.date %s: %s", product, fmt.Sprintf(format, a...))
	}
	if len(raw) > maxEndOfLifeResponse {
		return nil, fail("response is %d bytes, more than the %d allowed", len(raw), maxEndOfLifeResponse)
	}
	trimmed := bytes.TrimSpace(raw)
	if len(trimmed) > 0 && trimmed[0] == '<' {
		return nil, fail("got an HTML page, not the API's JSON")
	}
	var resp eolResponse
	if err := json.Unmarshal(trimmed, &resp); err != nil {
		return nil, fail("not valid JSON (truncated?): %v", err)
	}
	major, _, _ := strings.Cut(resp.SchemaVersion, ".")
	if major != "1" {
		return nil, fail("schema_version %q is not 1.x, the version this converter reads", resp.SchemaVersion)
	}
	if resp.Result == nil {
		return nil, fail("no \"result\"")
	}
	if resp.Result.Name != product {
		return nil, fail("the response is for product %q", resp.Result.Name)
	}
	if len(resp.Result.Releases) == 0 {
		return nil, fail("no releases")
	}
	cycles := make([]eolCycle, 0, len(resp.Result.Releases))
	for _, r := range resp.Result.Releases {
		c, err := parseCycle(r)
		if err != nil {
			return nil, fail("release %q: %v", r.Name, err)
		}
		cycles = append(cycles, c)
	}
	return cycles, nil
}

func parseCycle(r eolRelease) (eolCycle, error) {
	if r.Name == "" {
		return eolCycle{}, errors.New("no name")
	}
	released, err := ParseDate(r.ReleaseDate)
	if err != nil {
		return eolCycle{}, fmt.Errorf("releaseDate: %w", err)
	}
	if textUnsafe(r.Name) || textUnsafe(r.Label) || r.Codename != nil && textUnsafe(*r.Codename) {
		return eolCycle{}, fmt.Errorf("cycle %q: a name, label or codename holds a control character", r.Name)
	}
	c := eolCycle{Name: r.Name, Label: r.Label, Released: released, LTS: r.IsLts, Ended: r.IsEol}
	if r.Codename != nil {
		c.Codename = *r.Codename
	}
	if r.Latest != nil {
		c.Latest = r.Latest.Name
	}
	if c.EOL, err = optionalDate(r.EolFrom); err != nil {
		return eolCycle{}, fmt.Errorf("eolFrom: %w", err)
	}
	if c.EOES, err = optionalDate(r.EoesFrom); err != nil {
		return eolCycle{}, fmt.Errorf("eoesFrom: %w", err)
	}
	return c, nil
}

func optionalDate(s *string) (*Date, error) {
	if s == nil {
		return nil, nil
	}
	d, err := ParseDate(*s)
	if err != nil {
		return nil, err
	}
	return &d, nil
}

// ConvertEndOfLife builds new lifecycle bodies from API v1 product responses
// (product name → raw JSON), using base for what endoflife.date does not
// publish: ESU programmes and licence IDs, notes, release names, and rows of
// products that were not given. A body whose products are all absent stays
// nil; a body any of whose products is malformed stays nil too, and the
// error names every malformed product. Each body is as of asOf, the day of
// the download.
func ConvertEndOfLife(responses map[string][]byte, base *Data, asOf Date) (Lifecycle, error) {
	var lc Lifecycle
	parsed := map[string][]eolCycle{}
	var errs []error
	bad := map[string]bool{}
	for _, product := range EndOfLifeProducts {
		raw, ok := responses[product]
		if !ok {
			continue
		}
		cycles, err := parseEndOfLife(product, raw)
		if err != nil {
			errs = append(errs, err)
			bad[product] = true
			continue
		}
		parsed[product] = cycles
	}
	for product := range responses {
		if !slices.Contains(EndOfLifeProducts, product) {
			errs = append(errs, fmt.Errorf("endoflife.date %s: not a product this converter knows", product))
		}
	}
	usable := func(products ...string) bool {
		given := false
		for _, p := range products {
			if bad[p] {
				return false
			}
			_, ok := parsed[p]
			given = given || ok
		}
		return given
	}
	if usable("windows", "windows-server") {
		lc.WindowsReleases = convertWindows(parsed, &base.WindowsReleases, asOf, &lc.Notes)
	}
	if usable(linuxProductNames()...) {
		lc.LinuxReleases = convertLinux(parsed, &base.LinuxReleases, asOf, &lc.Notes)
	}
	if usable("chrome", "firefox", "office", "mssqlserver", "oracle-jdk", "python") {
		lc.Software = convertSoftware(parsed, &base.Software, asOf, &lc.Notes)
	}
	return lc, errors.Join(errs...)
}

// endOfLifeSource names the API URLs of the products a body was built from.
func endOfLifeSource(parsed map[string][]eolCycle, products []string, extra string) string {
	var urls []string
	for _, p := range products {
		if _, ok := parsed[p]; ok {
			urls = append(urls, EndOfLifeURL(p))
		}
	}
	return "endoflife.date API v1 (" + strings.Join(urls, ", ") + "; MIT licence). " + extra
}

// --- Windows ---------------------------------------------------------------

// windowsCycle reads client cycle names: 11-24h2-e, 11-24h2-w, 11-24h2-e-lts,
// 11-24h2-iot-lts, 10-22h2, 8.1, 7-sp1. Vista and XP do not match.
var windowsCycle = regexp.MustCompile(`^(7|8|8\.1|10|11)(?:-(sp1|\d{4}|\d{2}h[12]))?(?:-(e|w|iot))?(-lts)?$`)

// eolWindowsBuild reads CurrentBuild from a latest version: 10.0.26100,
// 6.3.9600 (8.1, 2012 R2), 6.1.7601 (7 SP1, 2008 R2 SP1), 6.0.6003 (2008 SP2).
var eolWindowsBuild = regexp.MustCompile(`^(?:10\.0|6\.[0-3])\.(\d{4,5})$`)

type releaseKey struct {
	channel string
	build   int
}

type windowsRows struct {
	rows  map[releaseKey]*WindowsRelease
	order []releaseKey
	// from records which cycle set each (row, family), for conflicts.
	from  map[releaseKey]map[string]string
	eoes  map[releaseKey]Date
	notes *[]string
}

func convertWindows(parsed map[string][]eolCycle, base *WindowsReleaseFile, asOf Date, notes *[]string) *WindowsReleaseFile {
	w := &windowsRows{rows: map[releaseKey]*WindowsRelease{}, from: map[releaseKey]map[string]string{}, eoes: map[releaseKey]Date{}, notes: notes}
	// LTS cycles first: where an LTSC and a Semi-Annual server release share a
	// build (Server 2019 and 1809), the registry cannot tell them apart and the
	// long-term one is kept.
	for _, lts := range []bool{true, false} {
		for _, c := range parsed["windows"] {
			if c.LTS == lts {
				w.addClient(c, base)
			}
		}
		for _, c := range parsed["windows-server"] {
			if c.LTS == lts {
				w.addServer(c, base)
			}
		}
	}
	out := &WindowsReleaseFile{
		Provenance: Provenance{Kind: "windows-releases", AsOf: asOf},
		ESU:        slices.Clone(base.ESU),
	}
	for _, k := range w.order {
		r := *w.rows[k]
		if _, ok := r.End[Enterprise]; r.Channel == ChannelLTSC && ok {
			if _, ok := r.End[IoT]; !ok {
				// IoT Enterprise LTSC is serviced at least as long as Enterprise LTSC.
				r.End[IoT] = r.End[Enterprise]
			}
		}
		if b, ok := base.Release(WindowsVersion{CurrentBuild: k.build, InstallationType: installationType(k.channel), EditionID: ltscEdition(k.channel)}); ok && b.Channel == k.channel {
			r.Product, r.Version, r.ESU, r.Note = b.Product, b.Version, b.ESU, b.Note
		}
		if eoes, ok := w.eoes[k]; ok && r.ESU == "" && r.Note == "" {
			r.Note = fmt.Sprintf("Paid Extended Security Updates (which this tool does not detect) end %s.", eoes)
		}
		out.Releases = append(out.Releases, r)
	}
	given := map[string]bool{ChannelClient: parsed["windows"] != nil, ChannelLTSC: parsed["windows"] != nil, ChannelServer: parsed["windows-server"] != nil}
	for _, b := range base.Releases {
		if _, ok := w.rows[releaseKey{b.Channel, b.Build}]; ok {
			continue
		}
		out.Releases = append(out.Releases, b)
		if given[b.Channel] {
			*notes = append(*notes, fmt.Sprintf("windows-releases: %s (build %d) is not on endoflife.date; kept from the base data", b.Name(), b.Build))
		}
	}
	slices.SortStableFunc(out.Releases, func(a, b WindowsRelease) int {
		if c := channelOrder(a.Channel) - channelOrder(b.Channel); c != 0 {
			return c
		}
		if c := a.Released.Compare(b.Released.Time); c != 0 {
			return c
		}
		return a.Build - b.Build
	})
	extra := "Release rows are keyed by channel and CurrentBuild (the build from each cycle's latest version); edition-family end dates from the (E)/(W)/LTS cycles. ESU programmes, licence IDs and notes, and releases endoflife.date does not list, are kept from the built-in data."
	out.Source = endOfLifeSource(parsed, []string{"windows", "windows-server"}, extra)
	return out
}

func installationType(channel string) string {
	if channel == ChannelServer {
		return "Server"
	}
	return "Client"
}

func ltscEdition(channel string) string {
	if channel == ChannelLTSC {
		return "EnterpriseS"
	}
	return ""
}

func channelOrder(c string) int {
	return map[string]int{ChannelClient: 0, ChannelLTSC: 1, ChannelServer: 2}[c]
}

func (w *windowsRows) skip(c eolCycle, product, why string) {
	*w.notes = append(*w.notes, fmt.Sprintf("windows-releases: %s cycle %q skipped: %s", product, c.Name, why))
}

func (w *windowsRows) addClient(c eolCycle, base *WindowsReleaseFile) {
	m := windowsCycle.FindStringSubmatch(c.Name)
	if m == nil {
		w.skip(c, "windows", "not a Windows 7, 8, 8.1, 10 or 11 cycle")
		return
	}
	major, version, edition, lts := m[1], strings.ToUpper(m[2]), m[3], m[4] != ""
	if edition == "iot" && !lts {
		w.skip(c, "windows", "IoT Core is not a desktop edition")
		return
	}
	channel, families := ChannelClient, []string{HomePro, Enterprise}
	switch {
	case lts && edition == "iot":
		channel, families = ChannelLTSC, []string{IoT}
	case lts:
		channel, families = ChannelLTSC, []string{Enterprise}
	case edition == "e":
		families = []string{Enterprise}
	case edition == "w":
		families = []string{HomePro}
	}
	product := "Windows " + major
	if channel == ChannelLTSC {
		product = fmt.Sprintf("Windows %s Enterprise LTSC (%s)", major, version)
	}
	build, ok := buildOf(c.Latest)
	if !ok {
		build, ok = baseBuild(base, channel, "Windows "+major, version)
	}
	if !ok {
		w.skip(c, "windows", "no 10.0.BUILD latest version and no base row to take the build from")
		return
	}
	w.set(c, releaseKey{channel, build}, product, version, families)
}

func (w *windowsRows) addServer(c eolCycle, base *WindowsReleaseFile) {
	build, ok := buildOf(c.Latest)
	if !ok {
		w.skip(c, "windows-server", fmt.Sprintf("latest version %q is not a Windows Server 2008 or later build", c.Latest))
		return
	}
	product := c.Label
	if !strings.HasPrefix(product, "Windows Server ") {
		product = "Windows Server " + c.Name
	}
	w.set(c, releaseKey{ChannelServer, build}, product, strings.TrimPrefix(product, "Windows Server "), []string{Server})
}

func buildOf(latest string) (int, bool) {
	m := eolWindowsBuild.FindStringSubmatch(latest)
	if m == nil {
		return 0, false
	}
	n, err := strconv.Atoi(m[1])
	return n, err == nil
}

func baseBuild(base *WindowsReleaseFile, channel, product, version string) (int, bool) {
	for _, r := range base.Releases {
		if r.Channel == channel && r.Product == product && strings.EqualFold(r.Version, version) {
			return r.Build, true
		}
	}
	return 0, false
}

func (w *windowsRows) set(c eolCycle, k releaseKey, product, version string, families []string) {
	end := c.endDate()
	if end == nil {
		w.skip(c, product, "no end-of-servicing date")
		return
	}
	r, ok := w.rows[k]
	if !ok {
		r = &WindowsRelease{Product: product, Channel: k.channel, Version: version, Build: k.build, Released: c.Released, End: map[string]Date{}}
		w.rows[k] = r
		w.order = append(w.order, k)
		w.from[k] = map[string]string{}
	}
	for _, f := range families {
		if prev, taken := w.from[k][f]; taken {
			w.skip(c, product, fmt.Sprintf("build %d on the %s channel is already cycle %q, which the registry cannot tell apart", k.build, k.channel, prev))
			return
		}
	}
	for _, f := range families {
		r.End[f] = *end
		w.from[k][f] = c.Name
	}
	if c.EOES != nil {
		w.eoes[k] = *c.EOES
	}
}

// --- Linux -----------------------------------------------------------------

// linuxProduct maps an endoflife.date product to its /etc/os-release ID.
type linuxProduct struct {
	product, id string
	name        func(c eolCycle) string
	// extended names paid support after end, given its date.
	extended string
}

var linuxProducts = []linuxProduct{
	{"debian", "debian", func(c eolCycle) string {
		return fmt.Sprintf("Debian %s (%s)", c.Name, strings.ToLower(c.Codename))
	}, ""},
	{"ubuntu", "ubuntu", func(c eolCycle) string {
		if c.LTS {
			return "Ubuntu " + c.Name + " LTS"
		}
		return "Ubuntu " + c.Name
	}, "paid Ubuntu Pro ESM to %s"},
	{"rhel", "rhel", prefixed("Red Hat Enterprise Linux "), "paid Extended Life Cycle Support to %s"},
	{"almalinux", "almalinux", prefixed("AlmaLinux "), ""},
	{"rocky-linux", "rocky", prefixed("Rocky Linux "), ""},
	{"oracle-linux", "ol", prefixed("Oracle Linux "), "paid Oracle Linux Extended Support to %s"},
	{"centos", "centos", prefixed("CentOS Linux "), ""},
	{"centos-stream", "centos", prefixed("CentOS Stream "), ""},
}

func prefixed(p string) func(eolCycle) string {
	return func(c eolCycle) string { return p + c.Name }
}

func linuxProductNames() []string {
	var out []string
	for _, p := range linuxProducts {
		out = append(out, p.product)
	}
	return out
}

func convertLinux(parsed map[string][]eolCycle, base *LinuxReleaseFile, asOf Date, notes *[]string) *LinuxReleaseFile {
	out := &LinuxReleaseFile{Provenance: Provenance{Kind: "linux-releases", AsOf: asOf}}
	index := map[[2]string]int{}
	convertedIDs := map[string]bool{}
	for _, p := range linuxProducts {
		cycles, ok := parsed[p.product]
		if !ok {
			continue
		}
		convertedIDs[p.id] = true
		for _, c := range cycles {
			r, ok := linuxRow(p, c, parsed, base, notes)
			if !ok {
				continue
			}
			key := [2]string{r.ID, r.Version}
			if i, dup := index[key]; dup {
				out.Releases[i] = mergeLinux(out.Releases[i], r)
				continue
			}
			index[key] = len(out.Releases)
			out.Releases = append(out.Releases, r)
		}
	}
	for _, b := range base.Releases {
		if _, ok := index[[2]string{b.ID, b.Version}]; ok {
			continue
		}
		out.Releases = append(out.Releases, b)
		if convertedIDs[b.ID] {
			*notes = append(*notes, fmt.Sprintf("linux-releases: %s is not on endoflife.date; kept from the base data", b.Name))
		}
	}
	order := map[string]int{}
	for i, p := range linuxProducts {
		if _, ok := order[p.id]; !ok {
			order[p.id] = i
		}
	}
	slices.SortStableFunc(out.Releases, func(a, b LinuxRelease) int {
		if c := order[a.ID] - order[b.ID]; c != 0 {
			return c
		}
		return a.Released.Compare(b.Released.Time)
	})
	extra := "end is endoflife.date's eol (end of security or maintenance support), except Debian, where eol is the end of regular security support (security_end) and eoes the end of Debian LTS (end); extended names the paid support after end (eoes). CentOS Linux and CentOS Stream share ID centos."
	out.Source = endOfLifeSource(parsed, linuxProductNames(), extra)
	return out
}

func linuxRow(p linuxProduct, c eolCycle, parsed map[string][]eolCycle, base *LinuxReleaseFile, notes *[]string) (LinuxRelease, bool) {
	r := LinuxRelease{ID: p.id, Version: c.Name, Name: p.name(c), Released: c.Released}
	end := c.endDate()
	if p.product == "debian" && c.EOES != nil {
		end = c.EOES
		if c.EOL != nil && c.EOL.Before(c.EOES.Time) {
			r.SecurityEnd = c.EOL
			r.Extended = fmt.Sprintf("security updates from the Debian LTS team after %s until %s; beyond that only paid third-party ELTS", c.EOL, c.EOES)
		}
	}
	if end == nil && !c.Ended && p.product == "oracle-linux" {
		if rhel, ok := rhelEnd(c.Name, parsed, base); ok {
			end = &rhel
			r.Note = fmt.Sprintf("Oracle has not published an end date; Red Hat Enterprise Linux %s's (%s) is used, which Oracle Linux has always matched or outlasted", c.Name, rhel)
		}
	}
	if end == nil {
		*notes = append(*notes, fmt.Sprintf("linux-releases: %s cycle %q skipped: no end-of-support date", p.product, c.Name))
		return LinuxRelease{}, false
	}
	r.End = *end
	if p.extended != "" && c.EOES != nil {
		r.Extended = fmt.Sprintf(p.extended, c.EOES)
	}
	if p.product == "centos-stream" {
		r.Note = "CentOS Stream ends with the RHEL full-support phase"
	}
	return r, true
}

func rhelEnd(version string, parsed map[string][]eolCycle, base *LinuxReleaseFile) (Date, bool) {
	for _, c := range parsed["rhel"] {
		if c.Name == version && c.EOL != nil {
			return *c.EOL, true
		}
	}
	if r, ok := base.Release("rhel", version); ok {
		return r.End, true
	}
	return Date{}, false
}

// mergeLinux joins CentOS Linux and CentOS Stream of one major version: they
// share ID and VERSION_ID, so the row covers both and ends with the later.
func mergeLinux(a, b LinuxRelease) LinuxRelease {
	first, second := a, b
	if b.Released.Before(a.Released.Time) {
		first, second = b, a
	}
	m := first
	m.Name = first.Name + " / " + strings.TrimPrefix(second.Name, "CentOS ")
	m.Note = fmt.Sprintf("%s ended %s and %s %s; os-release cannot tell them apart, so the later date is used", first.Name, first.End, second.Name, second.End)
	if second.End.After(first.End.Time) {
		m.End = second.End
	}
	return m
}

// --- Software --------------------------------------------------------------

// Display-name patterns of the browsers whose floors follow release lines.
const (
	chromeMatch  = `^Google Chrome$`
	edgeMatch    = `^Microsoft Edge$`
	firefoxMatch = `^Mozilla Firefox\b`
)

func convertSoftware(parsed map[string][]eolCycle, base *SoftwareFile, asOf Date, notes *[]string) *SoftwareFile {
	var made []EOLProduct
	if c, ok := parsed["oracle-jdk"]; ok {
		made = append(made, javaRows(c, asOf, notes)...)
	}
	if c, ok := parsed["office"]; ok {
		made = append(made, yearRows(c, asOf, "office", "Microsoft Office %s", `^Microsoft Office .*\b%s\b`)...)
	}
	if c, ok := parsed["mssqlserver"]; ok {
		made = append(made, yearRows(c, asOf, "mssqlserver", "Microsoft SQL Server %s", `^Microsoft SQL Server %s\b`)...)
	}
	if c, ok := parsed["python"]; ok {
		made = append(made, pythonRows(c, asOf)...)
	}
	browsers := map[string][]EOLProduct{}
	if c, ok := parsed["chrome"]; ok {
		browsers[chromeMatch] = browserRows(c, asOf, "Google Chrome", chromeMatch, "chrome", "")
		browsers[edgeMatch] = browserRows(c, asOf, "Microsoft Edge", edgeMatch, "chrome",
			"; endoflife.date has no Edge page and Edge takes Chromium's major numbers, so Edge's lines are taken to end with Chrome's")
	}
	if c, ok := parsed["firefox"]; ok {
		browsers[firefoxMatch] = browserRows(c, asOf, "Mozilla Firefox", firefoxMatch, "firefox", " (ESR lines count as supported)")
	}
	out := &SoftwareFile{Provenance: Provenance{Kind: "eol-software", AsOf: asOf}}
	used := make([]bool, len(made))
	placed := map[string]bool{}
	for _, b := range base.Products {
		if rows, ok := browsers[b.Match]; ok {
			if !placed[b.Match] {
				out.Products = append(out.Products, rows...)
				placed[b.Match] = true
			}
			continue
		}
		i := slices.IndexFunc(made, func(p EOLProduct) bool { return p.Match == b.Match || p.Product == b.Product })
		if i < 0 {
			out.Products = append(out.Products, b)
			continue
		}
		if !used[i] {
			p := made[i]
			p.Product, p.Warn = b.Product, b.Warn
			out.Products = append(out.Products, p)
			used[i] = true
		}
	}
	for i, p := range made {
		if !used[i] {
			out.Products = append(out.Products, p)
		}
	}
	for _, m := range []string{chromeMatch, edgeMatch, firefoxMatch} {
		if !placed[m] {
			out.Products = append(out.Products, browsers[m]...)
		}
	}
	extra := "A product is listed once its end date is before as_of: Office, SQL Server (latest service pack of each version) and Python at eol; Oracle Java at the end of extended support where Oracle sells it, else eol. Browser rows cover the release lines whose eol is before as_of. Products endoflife.date does not cover (Adobe, Silverlight, Internet Explorer, QuickTime, Visual C++ runtimes) are kept from the built-in data, as are display-name patterns and warn flags."
	out.Source = endOfLifeSource(parsed, []string{"chrome", "firefox", "office", "mssqlserver", "oracle-jdk", "python"}, extra)
	return out
}

func sourceOf(product, what string) string {
	return fmt.Sprintf("endoflife.date/%s: %s", product, what)
}

// ended reports whether a cycle's end is known and before asOf.
func endedBy(end *Date, asOf Date) bool { return end != nil && end.Before(asOf.Time) }

// javaRows lists the ended Oracle Java SE lines from 6 on (earlier ones had
// other product names). Where Oracle sells extended support the line ends
// with it.
func javaRows(cycles []eolCycle, asOf Date, notes *[]string) []EOLProduct {
	var out []EOLProduct
	for _, c := range cycles {
		major, err := strconv.Atoi(c.Name)
		if err != nil || major < 6 {
			continue
		}
		end, what := c.EOL, "end of Premier Support"
		if c.EOES != nil {
			end, what = c.EOES, "end of Extended Support"
		}
		if !endedBy(end, asOf) {
			continue
		}
		out = append(out, EOLProduct{
			Product: fmt.Sprintf("Java SE %d", major),
			Match:   fmt.Sprintf(`^Java(\(TM\))? (SE )?%d\b|^Java(\(TM\))? %d Update|^Java(\(TM\))? SE Development Kit %d\b`, major, major, major),
			Ended:   *end,
			Source:  sourceOf("oracle-jdk", fmt.Sprintf("Oracle Java SE %d, %s %s", major, what, end)),
		})
	}
	slices.SortStableFunc(out, func(a, b EOLProduct) int { return a.Ended.Compare(b.Ended.Time) })
	return out
}

// yearLabel reads the product year from a cycle label: "2014 'Hekaton' SP3",
// "2008 R2 'Kilimanjaro' SP3" and "2021" give 2014, 2008 and 2021; Mac-only
// Office cycles give nothing.
var yearLabel = regexp.MustCompile(`^((?:19|20)\d\d)\b`)

// yearRows lists the ended versions of a product named by year, each ending
// with the latest end of its cycles (service packs, LTSC and R2 releases).
func yearRows(cycles []eolCycle, asOf Date, product, nameFormat, matchFormat string) []EOLProduct {
	ends := map[string]Date{}
	var years []string
	for _, c := range cycles {
		m := yearLabel.FindStringSubmatch(c.Label)
		if m == nil || strings.Contains(c.Name, "mac") {
			continue
		}
		end := c.endDate()
		if end == nil {
			ends[m[1]] = Date{} // still supported, or the end is not known
			years = append(years, m[1])
			continue
		}
		prev, seen := ends[m[1]]
		if !seen {
			years = append(years, m[1])
		}
		if !seen || (!prev.IsZero() && end.After(prev.Time)) {
			ends[m[1]] = *end
		}
	}
	slices.Sort(years)
	years = slices.Compact(years)
	var out []EOLProduct
	for _, y := range years {
		end := ends[y]
		if end.IsZero() || !end.Before(asOf.Time) {
			continue
		}
		name := fmt.Sprintf(nameFormat, y)
		out = append(out, EOLProduct{
			Product: name,
			Match:   fmt.Sprintf(matchFormat, y),
			Ended:   end,
			Source:  sourceOf(product, fmt.Sprintf("%s, end of support %s", name, end)),
		})
	}
	return out
}

// pythonRows lists Python 2 as one product and each ended Python 3 line.
func pythonRows(cycles []eolCycle, asOf Date) []EOLProduct {
	var two *Date
	var out []EOLProduct
	for _, c := range cycles {
		end := c.endDate()
		if strings.HasPrefix(c.Name, "2.") {
			if end == nil {
				return nil // a Python 2 line without an end: trust nothing about 2.x
			}
			if two == nil || end.After(two.Time) {
				two = end
			}
			continue
		}
		minor, ok := strings.CutPrefix(c.Name, "3.")
		if _, err := strconv.Atoi(minor); !ok || err != nil || !endedBy(end, asOf) {
			continue
		}
		out = append(out, EOLProduct{
			Product: "Python " + c.Name,
			Match:   `^Python 3\.` + minor + `\.`,
			Ended:   *end,
			Source:  sourceOf("python", fmt.Sprintf("Python %s, end of life %s", c.Name, end)),
		})
	}
	slices.SortStableFunc(out, func(a, b EOLProduct) int { return a.Ended.Compare(b.Ended.Time) })
	if endedBy(two, asOf) {
		out = append([]EOLProduct{{Product: "Python 2", Match: `^Python 2\.`, Ended: *two, Source: sourceOf("python", fmt.Sprintf("Python 2.7, the last 2.x line, end of life %s", two))}}, out...)
	}
	return out
}

// browserRows lists the ranges of major versions whose release lines ended
// before asOf. A line is supported when its eol is not before asOf or not
// yet set; ended lines between two supported ones (Firefox releases between
// ESR lines) get their own range, so no ended version passes. Majors above
// the newest line listed are never matched.
func browserRows(cycles []eolCycle, asOf Date, name, match, product, how string) []EOLProduct {
	type line struct {
		major int
		ended bool
		end   Date
	}
	var lines []line
	for _, c := range cycles {
		major, err := strconv.Atoi(c.Name)
		if err != nil {
			continue
		}
		l := line{major: major, ended: endedBy(c.EOL, asOf) || (c.Ended && c.EOL == nil)}
		if c.EOL != nil {
			l.end = *c.EOL
		}
		lines = append(lines, l)
	}
	slices.SortFunc(lines, func(a, b line) int { return a.major - b.major })
	var out []EOLProduct
	from := 0 // first major of the current ended run; 0 = from the oldest
	var runEnd Date
	inRun := true
	flush := func(below int) {
		if !inRun || runEnd.IsZero() {
			return
		}
		p := EOLProduct{VersionFrom: from, VersionBelow: below, Match: match, Ended: runEnd}
		if from == 0 {
			p.Product = fmt.Sprintf("%s older than %d", name, below)
		} else {
			p.Product = fmt.Sprintf("%s %d to %d", name, from, below-1)
		}
		p.Source = sourceOf(product, fmt.Sprintf("every release line from %s to %d had ended by %s%s", fromText(from), below-1, runEnd, how))
		out = append(out, p)
	}
	for i, l := range lines {
		if l.ended {
			if !inRun {
				inRun, from, runEnd = true, l.major, Date{}
			}
			if l.end.After(runEnd.Time) {
				runEnd = l.end
			}
			continue
		}
		if inRun {
			flush(l.major)
			inRun = false
		}
		if i == len(lines)-1 {
			return out
		}
	}
	if inRun && len(lines) > 0 {
		flush(lines[len(lines)-1].major + 1)
	}
	return out
}

func fromText(from int) string {
	if from == 0 {
		return "the oldest"
	}
	return strconv.Itoa(from)
}

// --- Output ----------------------------------------------------------------

// Files returns each body as the JSON of its data file, named KIND.json,
// one row a line so that a change of data reads as a change of lines.
func (lc Lifecycle) Files() (map[string][]byte, error) {
	out := map[string][]byte{}
	add := func(p Provenance, lists ...rowList) error {
		b, err := marshalRows(p, lists...)
		if err != nil {
			return fmt.Errorf("%s: %w", p.Kind, err)
		}
		out[p.Kind+".json"] = b
		return nil
	}
	var err error
	if f := lc.WindowsReleases; f != nil {
		err = errors.Join(err, add(f.Provenance, rows("releases", f.Releases), rows("esu", f.ESU)))
	}
	if f := lc.LinuxReleases; f != nil {
		err = errors.Join(err, add(f.Provenance, rows("releases", f.Releases)))
	}
	if f := lc.Software; f != nil {
		err = errors.Join(err, add(f.Provenance, rows("products", f.Products)))
	}
	return out, err
}

type rowList struct {
	name string
	rows []any
}

func rows[T any](name string, list []T) rowList {
	l := rowList{name: name}
	for _, r := range list {
		l.rows = append(l.rows, r)
	}
	return l
}

func marshalRows(p Provenance, lists ...rowList) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("{\n")
	for _, kv := range [][2]string{{"kind", p.Kind}, {"as_of", p.AsOf.String()}, {"source", p.Source}} {
		v, _ := json.Marshal(kv[1])
		fmt.Fprintf(&b, "  %q: %s,\n", kv[0], v)
	}
	for i, l := range lists {
		fmt.Fprintf(&b, "  %q: [", l.name)
		for j, r := range l.rows {
			v, err := json.Marshal(r)
			if err != nil {
				return nil, err
			}
			sep := ","
			if j == len(l.rows)-1 {
				sep = ""
			}
			fmt.Fprintf(&b, "\n    %s%s", v, sep)
		}
		if len(l.rows) > 0 {
			b.WriteString("\n  ")
		}
		b.WriteString("]")
		if i < len(lists)-1 {
			b.WriteString(",")
		}
		b.WriteString("\n")
	}
	b.WriteString("}\n")
	return b.Bytes(), nil
}
