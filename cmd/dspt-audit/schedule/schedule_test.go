package schedule

import (
	"encoding/xml"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf16"
)

var windowsPlan = Plan{
	Exe:  `C:\Program Files\dspt-audit\dspt-audit.exe`,
	Hour: 2, Minute: 0, RandomDelay: time.Hour,
	ResultsDir: `\\server\share\dspt results\`,
	Keep:       7,
	Practice:   `\\server\dspt admin\practice "2026".yaml`,
}

// node is any XML element, kept whole, so the test reads the definition
// without the types that wrote it.
type node struct {
	XMLName  xml.Name
	Attrs    []xml.Attr `xml:",any,attr"`
	Text     string     `xml:",chardata"`
	Children []node     `xml:",any"`
}

func (n node) find(path ...string) *node {
	if len(path) == 0 {
		return &n
	}
	for _, c := range n.Children {
		if c.XMLName.Local == path[0] {
			return c.find(path[1:]...)
		}
	}
	return nil
}

func (n node) text(t *testing.T, path ...string) string {
	t.Helper()
	found := n.find(path...)
	if found == nil {
		t.Fatalf("task XML has no %s", strings.Join(path, "/"))
	}
	return strings.TrimSpace(found.Text)
}

func parseTask(t *testing.T, p Plan) node {
	t.Helper()
	def, err := TaskXML(p, time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	var root node
	// The declaration says UTF-16, as the file written for schtasks is.
	dec := xml.NewDecoder(strings.NewReader(strings.Replace(def, `encoding="UTF-16"`, `encoding="UTF-8"`, 1)))
	if err := dec.Decode(&root); err != nil {
		t.Fatalf("task XML does not parse: %v\n%s", err, def)
	}
	return root
}

func TestTaskXMLRunsAsSystemWithTheQuotedPath(t *testing.T) {
	task := parseTask(t, windowsPlan)
	if task.XMLName.Space != "http://schemas.microsoft.com/windows/2004/02/mit/task" {
		t.Errorf("namespace %q", task.XMLName.Space)
	}
	if got := task.text(t, "Principals", "Principal", "UserId"); got != SystemSID {
		t.Errorf("principal %q, want LocalSystem's SID %s", got, SystemSID)
	}
	if got := task.text(t, "Principals", "Principal", "RunLevel"); got != "HighestAvailable" {
		t.Errorf("run level %q", got)
	}
	if got := task.text(t, "Actions", "Exec", "Command"); got != `"C:\Program Files\dspt-audit\dspt-audit.exe"` {
		t.Errorf("command %q: the path must be whole and in quotes", got)
	}
	args := splitWindowsCommandLine(task.text(t, "Actions", "Exec", "Arguments"))
	if !slices.Equal(args, windowsPlan.RunArgs()) {
		t.Errorf("arguments split back into %q, want %q", args, windowsPlan.RunArgs())
	}
	if got := task.text(t, "RegistrationInfo", "URI"); got != TaskPath {
		t.Errorf("URI %q", got)
	}
}

func TestTaskXMLTrigger(t *testing.T) {
	task := parseTask(t, windowsPlan)
	trigger := task.find("Triggers", "CalendarTrigger")
	if trigger == nil {
		t.Fatal("no CalendarTrigger")
	}
	var order []string
	for _, c := range trigger.Children {
		order = append(order, c.XMLName.Local)
	}
	// The schema is a sequence: a misordered trigger is refused on import.
	if want := []string{"Enabled", "StartBoundary", "RandomDelay", "ScheduleByDay"}; !slices.Equal(order, want) {
		t.Errorf("trigger elements %v, want %v", order, want)
	}
	for path, want := range map[string]string{
		"StartBoundary":              "2026-11-23T02:00:00", // local time: no zone
		"RandomDelay":                "PT1H",
		"ScheduleByDay/DaysInterval": "1",
		"Enabled":                    "true",
	} {
		if got := trigger.text(t, strings.Split(path, "/")...); got != want {
			t.Errorf("%s = %q, want %q", path, got, want)
		}
	}
	for path, want := range map[string]string{
		"StartWhenAvailable":         "true",
		"DisallowStartIfOnBatteries": "false",
		"MultipleInstancesPolicy":    "IgnoreNew",
		"ExecutionTimeLimit":         "PT1H",
	} {
		if got := task.text(t, "Settings", path); got != want {
			t.Errorf("Settings/%s = %q, want %q", path, got, want)
		}
	}
	noDelay := windowsPlan
	noDelay.RandomDelay, noDelay.Hour, noDelay.Minute = 0, 23, 45
	task = parseTask(t, noDelay)
	if task.find("Triggers", "CalendarTrigger", "RandomDelay") != nil || task.text(t, "Triggers", "CalendarTrigger", "StartBoundary") != "2026-11-23T23:45:00" {
		t.Error("a plan without a random delay, at 23:45, is not what the XML says")
	}
}

// Each checks folder reaches the run's command line whole, on Windows and
// in the systemd unit.
func TestTheRunLoadsTheChecksFolders(t *testing.T) {
	p := windowsPlan
	p.ChecksDirs = []string{`\\server\it only\dspt checks`, `C:\dspt\checks "b"\`}
	args := splitWindowsCommandLine(parseTask(t, p).text(t, "Actions", "Exec", "Arguments"))
	want := []string{"--checks-dir", p.ChecksDirs[0], "--checks-dir", p.ChecksDirs[1]}
	if !slices.Equal(args, p.RunArgs()) || !slices.Equal(args[len(args)-4:], want) {
		t.Errorf("arguments %q, want them to end %q", args, want)
	}
	lp := Plan{Exe: "/usr/local/bin/dspt-audit", ResultsDir: "/srv/dspt", Keep: 7, ChecksDirs: []string{"/etc/dspt-audit/our checks"}}
	unit, _ := Units(lp)
	if !strings.Contains(unit, `"--checks-dir" "/etc/dspt-audit/our checks"`) {
		t.Errorf("the service unit does not pass the checks folder:\n%s", unit)
	}
}

// A checks folder any PC can write could add a passing check to every PC.
func TestAChecksFolderInsideTheResultsFolderIsRefused(t *testing.T) {
	for _, dir := range []string{`\\SERVER\Share\dspt results\checks`, `\\server\share\dspt results`, `\\server\share/dspt results/x/`} {
		p := windowsPlan
		p.ChecksDirs = []string{`\\server\it\checks`, dir}
		if err := p.Validate(WindowsAbs); err == nil || !strings.Contains(err.Error(), "--checks-dir "+dir+" is the results folder") {
			t.Errorf("%s: %v", dir, err)
		}
	}
	p := windowsPlan
	p.ChecksDirs = []string{`\\server\share\dspt results checks`}
	if err := p.Validate(WindowsAbs); err != nil {
		t.Errorf("a folder beside the results folder: %v", err)
	}
	p.ChecksDirs = []string{`checks`}
	if err := p.Validate(WindowsAbs); err == nil || !strings.Contains(err.Error(), "--checks-dir checks must be an absolute path") {
		t.Errorf("a relative checks folder: %v", err)
	}
}

func TestTaskXMLEscapesMarkup(t *testing.T) {
	p := windowsPlan
	p.ResultsDir = `\\server\share\<dspt> & "co"`
	task := parseTask(t, p)
	args := splitWindowsCommandLine(task.text(t, "Actions", "Exec", "Arguments"))
	if !slices.Equal(args, p.RunArgs()) {
		t.Errorf("arguments %q, want %q", args, p.RunArgs())
	}
}

// splitWindowsCommandLine is CommandLineToArgvW's rule, written out
// independently of escapeWindowsArg: 2n backslashes before a quote are n
// and the quote delimits; 2n+1 are n and a literal quote.
func splitWindowsCommandLine(s string) []string {
	var args []string
	var cur strings.Builder
	inQuotes, have := false, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\':
			n := 0
			for i < len(s) && s[i] == '\\' {
				n++
				i++
			}
			if i < len(s) && s[i] == '"' {
				cur.WriteString(strings.Repeat(`\`, n/2))
				if n%2 == 1 {
					cur.WriteByte('"')
				} else {
					inQuotes = !inQuotes
				}
			} else {
				cur.WriteString(strings.Repeat(`\`, n))
				i--
			}
			have = true
		case c == '"':
			inQuotes = !inQuotes
			have = true
		case (c == ' ' || c == '\t') && !inQuotes:
			if have {
				args = append(args, cur.String())
				cur.Reset()
				have = false
			}
		default:
			cur.WriteByte(c)
			have = true
		}
	}
	if have {
		args = append(args, cur.String())
	}
	return args
}

func TestEscapeWindowsArgRoundTrips(t *testing.T) {
	for _, arg := range []string{"", "plain", `C:\Program Files\x`, `\\srv\share\`, `\\srv\my share\`, `say "hi"`, `a\"b`, `trailing\\`, "tab\there"} {
		if got := splitWindowsCommandLine(escapeWindowsArg(arg)); !slices.Equal(got, []string{arg}) {
			t.Errorf("%q escaped as %q splits into %q", arg, escapeWindowsArg(arg), got)
		}
	}
}

func TestUTF16HasABOMAndRoundTrips(t *testing.T) {
	s := `<?xml version="1.0" encoding="UTF-16"?><Task>Æ é</Task>`
	b := UTF16(s)
	if b[0] != 0xFF || b[1] != 0xFE || len(b)%2 != 0 {
		t.Fatalf("no little-endian BOM: % x", b[:4])
	}
	units := make([]uint16, 0, len(b)/2-1)
	for i := 2; i < len(b); i += 2 {
		units = append(units, uint16(b[i])|uint16(b[i+1])<<8)
	}
	if got := string(utf16.Decode(units)); got != s {
		t.Errorf("decoded %q", got)
	}
}

func TestSummariseXMLReadsTheDefinitionBack(t *testing.T) {
	def, err := TaskXML(windowsPlan, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	command, when := summariseXML(def)
	if !strings.HasPrefix(command, `"C:\Program Files\dspt-audit\dspt-audit.exe" schedule run`) || when != "every 1 day(s) at 02:00 local time, random delay up to 1h" {
		t.Errorf("summary %q / %q", command, when)
	}
}

var linuxPlan = Plan{Exe: "/opt/dspt audit/dspt-audit", Hour: 1, Minute: 30, RandomDelay: 30 * time.Minute, ResultsDir: "/srv/dspt/%h $HOME", Keep: 3, Practice: "/etc/dspt audit/practice.yaml"}

func TestUnits(t *testing.T) {
	service, timer := Units(linuxPlan)
	wantExec := `ExecStart="/opt/dspt audit/dspt-audit" "schedule" "run" "--results-dir" "/srv/dspt/%%h $$HOME" "--keep" "3" "--practice" "/etc/dspt audit/practice.yaml"`
	if !strings.Contains(service, wantExec+"\n") {
		t.Errorf("service lacks %s:\n%s", wantExec, service)
	}
	for _, want := range []string{"Type=oneshot\n", "SuccessExitStatus=3\n", "TimeoutStartSec=3600\n"} {
		if !strings.Contains(service, want) {
			t.Errorf("service lacks %q", want)
		}
	}
	for _, want := range []string{"OnCalendar=*-*-* 01:30:00\n", "RandomizedDelaySec=1800\n", "Persistent=true\n", "WantedBy=timers.target\n"} {
		if !strings.Contains(timer, want) {
			t.Errorf("timer lacks %q:\n%s", want, timer)
		}
	}
}

// TestUnitsPassSystemdAnalyze has systemd itself check the units, where
// systemd-analyze is installed.
func TestUnitsPassSystemdAnalyze(t *testing.T) {
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze is not installed")
	}
	dir := tempDir(t)
	exe := filepath.Join(dir, "dspt audit")
	if err := os.WriteFile(exe, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	p := linuxPlan
	p.Exe = exe
	service, timer := Units(p)
	verify := func(service, timer string) ([]byte, error) {
		for name, text := range map[string]string{"dspt-audit.service": service, "dspt-audit.timer": timer} {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return exec.Command(analyze, "verify", filepath.Join(dir, "dspt-audit.service"), filepath.Join(dir, "dspt-audit.timer")).CombinedOutput()
	}
	if out, err := verify(service, timer); err != nil || len(strings.TrimSpace(string(out))) > 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
	// And it would have said so: a broken calendar is reported.
	if out, _ := verify(service, strings.Replace(timer, "01:30:00", "25:99:00", 1)); !strings.Contains(string(out), "calendar specification") {
		t.Errorf("systemd-analyze did not notice a bad OnCalendar: %s", out)
	}
}

func TestValidate(t *testing.T) {
	for _, c := range []struct {
		name string
		edit func(*Plan)
		want string
	}{
		{"ok", func(*Plan) {}, ""},
		{"relative results", func(p *Plan) { p.ResultsDir = `results` }, "absolute"},
		{"no results", func(p *Plan) { p.ResultsDir = "" }, "required"},
		{"relative exe", func(p *Plan) { p.Exe = `dspt-audit.exe` }, "not absolute"},
		{"negative keep", func(p *Plan) { p.Keep = -1 }, "--keep"},
		{"drive path", func(p *Plan) { p.ResultsDir = `D:\dspt` }, ""},
	} {
		p := windowsPlan
		c.edit(&p)
		err := p.Validate(WindowsAbs)
		if (c.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), c.want)) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
}

func TestParseDaily(t *testing.T) {
	if h, m, err := ParseDaily("02:05"); err != nil || h != 2 || m != 5 {
		t.Errorf("02:05 = %d:%d %v", h, m, err)
	}
	for _, bad := range []string{"2am", "25:00", "02:60", ""} {
		if _, _, err := ParseDaily(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// tempDir is t.TempDir emptied file by file, deepest first, before
// t.TempDir's own os.RemoveAll runs: under Wine 8 (.ci/wine) os.RemoveAll
// fails with "Invalid function", because Go 1.26 deletes through
// FileDispositionInformationEx, which Wine 8 does not implement.
func tempDir(t testing.TB) string {
	dir := t.TempDir()
	t.Cleanup(func() {
		var paths []string
		filepath.WalkDir(dir, func(p string, _ fs.DirEntry, _ error) error { paths = append(paths, p); return nil })
		for i := len(paths) - 1; i >= 0; i-- {
			os.Remove(paths[i])
		}
	})
	return dir
}

func TestWriteResultKeepsTheLastN(t *testing.T) {
	dir := tempDir(t)
	hist := filepath.Join(dir, HistoryDir, "PC%2001")
	if err := os.MkdirAll(hist, 0o755); err != nil {
		t.Fatal(err)
	}
	// Someone else's file in the history folder is never touched.
	notes := filepath.Join(hist, "notes.json")
	if err := os.WriteFile(notes, []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 11, 1, 2, 0, 0, 0, time.UTC)
	for day := range 5 {
		at := start.AddDate(0, 0, day)
		path := writeAt(t, dir, "PC 01", at, 3)
		if filepath.Base(path) != "PC%2001.json" {
			t.Fatalf("wrote %s", path)
		}
	}
	newest, _ := os.ReadFile(filepath.Join(dir, "PC%2001.json"))
	if string(newest) != "2026-11-05T02:00:00Z" {
		t.Errorf("HOST.json holds %s", newest)
	}
	want := []string{"20261103T020000Z.json", "20261104T020000Z.json", "20261105T020000Z.json", "notes.json"}
	if names := fileNames(t, hist); !slices.Equal(names, want) {
		t.Errorf("history holds %v, want %v", names, want)
	}
}

// writeAt runs WriteResult for a scan claiming the time at, then dates the
// history copy it wrote a minute after the last one, so that write order
// does not hang on the file system's clock resolution.
func writeAt(t *testing.T, dir, host string, at time.Time, keep int) string {
	t.Helper()
	path, err := WriteResult(dir, host, at, keep, func(w io.Writer) error { _, err := io.WriteString(w, at.Format(time.RFC3339)); return err })
	if err != nil {
		t.Fatal(err)
	}
	writeClock = writeClock.Add(time.Minute)
	copyPath := filepath.Join(dir, HistoryDir, strings.TrimSuffix(FileName(host), ".json"), at.UTC().Format(historyName)+".json")
	if err := os.Chtimes(copyPath, writeClock, writeClock); err != nil {
		t.Fatal(err)
	}
	return path
}

var writeClock = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)

func fileNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// The attack: one run claiming 2099 froze history, each later copy being
// pruned at once because its name sorted before 2099.
func TestAFutureDatedRunDoesNotFreezeHistory(t *testing.T) {
	dir := tempDir(t)
	writeAt(t, dir, "PC01", time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC), 3)
	start := time.Date(2026, 11, 1, 2, 0, 0, 0, time.UTC)
	for day := range 4 {
		writeAt(t, dir, "PC01", start.AddDate(0, 0, day), 3)
	}
	want := []string{"20261102T020000Z.json", "20261103T020000Z.json", "20261104T020000Z.json"}
	if names := fileNames(t, filepath.Join(dir, HistoryDir, "PC01")); !slices.Equal(names, want) {
		t.Errorf("history holds %v, want the last three written %v", names, want)
	}
}

// The attack: two runs for one host at once; the second to prune found the
// file gone and reported failure.
func TestPruningAFileAnotherRunRemovedIsNoFailure(t *testing.T) {
	dir := tempDir(t)
	start := time.Date(2026, 11, 1, 2, 0, 0, 0, time.UTC)
	writeAt(t, dir, "PC01", start, 1)
	defer func(f func(*os.Root, string) error) { removeFile = f }(removeFile)
	removeFile = func(r *os.Root, name string) error {
		removeIn(r, name) // the other run, a moment earlier
		return removeIn(r, name)
	}
	writeAt(t, dir, "PC01", start.AddDate(0, 0, 1), 1)
	if names := fileNames(t, filepath.Join(dir, HistoryDir, "PC01")); !slices.Equal(names, []string{"20261102T020000Z.json"}) {
		t.Errorf("history holds %v", names)
	}
}

// Many runs for one host at once all succeed.
func TestConcurrentRunsForOneHost(t *testing.T) {
	dir := tempDir(t)
	start := time.Date(2026, 11, 1, 2, 0, 0, 0, time.UTC)
	errs := make(chan error, 16)
	for i := range cap(errs) {
		go func() {
			at := start.Add(time.Duration(i) * time.Hour)
			_, err := WriteResult(dir, "PC01", at, 2, func(w io.Writer) error { _, err := io.WriteString(w, at.String()); return err })
			errs <- err
		}()
	}
	for range cap(errs) {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

func TestFileName(t *testing.T) {
	for host, want := range map[string]string{
		"PC01": "PC01.json", "gp-reception.local": "gp-reception.local.json", "PC_01": "PC_01.json",
		"PC 01": "PC%2001.json", "GABINET-Ł1": "GABINET-%C5%811.json", "GABINET-Ś1": "GABINET-%C5%9A1.json",
		"../../etc": "%2E.%2F..%2Fetc.json", `a\b:c`: "a%5Cb%3Ac.json", ".hidden.": "%2Ehidden%2E.json",
		"NUL": "%4EUL.json", "con.local": "%63on.local.json", "100%": "100%25.json", "": "unnamed-host.json",
	} {
		if got := FileName(host); got != want {
			t.Errorf("FileName(%q) = %q, want %q", host, got, want)
		}
	}
}

// Distinct hosts get distinct files, and each name reads back as its host.
func TestFileNamesAreReversible(t *testing.T) {
	hosts := []string{"GABINET-Ł1", "GABINET-Ś1", "GABINET-_1", "PC 1", "PC_1", "PC%201", "../x", "NUL", "a.b", "ab", "Ä", "e\u0301"}
	seen := map[string]string{}
	for _, host := range hosts {
		name := FileName(host)
		if other, ok := seen[name]; ok {
			t.Errorf("%q and %q both write %s", host, other, name)
		}
		seen[name] = host
		if back, ok := HostOfFileName(name); !ok || back != host {
			t.Errorf("HostOfFileName(%q) = %q, %v; want %q", name, back, ok, host)
		}
		if strings.ContainsAny(name, `/\:*?"<>| `) || strings.HasPrefix(name, ".") {
			t.Errorf("FileName(%q) = %q: not safe on a share", host, name)
		}
	}
	for _, name := range []string{"PC%2g1.json", "pc%c5%811.json", "PC 1.json", "PC1", "%4.json"} {
		if host, ok := HostOfFileName(name); ok {
			t.Errorf("HostOfFileName(%q) = %q: not a name FileName writes", name, host)
		}
	}
	long := strings.Repeat("Ł", 300)
	if name := FileName(long); len(name) > maxNameLen+5 || name == FileName(long+"x") {
		t.Errorf("a long host name gives %d characters, or the same name as a longer one", len(name))
	}
	if got := FileNames("GABINET-Ł1"); !slices.Equal(got, []string{"GABINET-%C5%811.json", "GABINET-_1.json"}) {
		t.Errorf("FileNames = %v: the earlier name must still be read", got)
	}
	if got := FileNames("PC01"); !slices.Equal(got, []string{"PC01.json"}) {
		t.Errorf("FileNames(PC01) = %v", got)
	}
}
