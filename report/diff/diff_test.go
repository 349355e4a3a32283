package diff

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nhs-dspt/dspt-audit/checks"
	"github.com/nhs-dspt/dspt-audit/checks/probe"
	"github.com/nhs-dspt/dspt-audit/report"
	"github.com/nhs-dspt/dspt-audit/standards"
)

// snapshot reads a recorded profile from testdata/profiles.
func snapshot(t testing.TB, name string) *probe.Snapshot {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "..", "testdata", "profiles", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	snap, err := probe.ReadSnapshot(f)
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

// result judges a snapshot, writes the result as JSON and reads it back
// as the diff command does: decoded strictly and judged again.
func result(t testing.TB, snap *probe.Snapshot) *report.Report {
	t.Helper()
	data, err := standards.Load()
	if err != nil {
		t.Fatal(err)
	}
	scan, err := checks.Run(context.Background(), probe.NewReplay(snap), checks.Options{Checks: checks.All(), Data: data, Clock: func() time.Time { return snap.CollectedAt }})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := report.JSON(&b, report.Build(scan, data, report.Tool{Name: "dspt-audit", Version: "test"}, "snapshot")); err != nil {
		t.Fatal(err)
	}
	rep, err := report.Decode(b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := report.Rescore(rep, data.NDG.Standards); err != nil {
		t.Fatal(err)
	}
	return rep
}

// setValue replaces the recorded value of the observation with key.
func setValue(t testing.TB, snap *probe.Snapshot, key string, value any) {
	t.Helper()
	for i, o := range snap.Observations {
		if o.Key == key {
			b, err := json.Marshal(value)
			if err != nil {
				t.Fatal(err)
			}
			snap.Observations[i].Value, snap.Observations[i].Error = b, nil
			return
		}
	}
	t.Fatalf("no observation %s in the snapshot", key)
}

// value decodes the recorded value of the observation with key.
func value(t testing.TB, snap *probe.Snapshot, key string, into any) {
	t.Helper()
	for _, o := range snap.Observations {
		if o.Key == key {
			if err := json.Unmarshal(o.Value, into); err != nil {
				t.Fatal(err)
			}
			return
		}
	}
	t.Fatalf("no observation %s in the snapshot", key)
}

const (
	patchedProfile = "win11-enterprise-24h2-patched"
	ubrKey         = `registry:HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion@UBR`
	firewallKey    = `registry:HKLM\SYSTEM\CurrentControlSet\Services\SharedAccess\Parameters\FirewallPolicy\StandardProfile@EnableFirewall`
	adminsKey      = `api:NetLocalGroupGetMembers@S-1-5-32-544`
)

// expectedChange is the rule of how a verdict moved, written out as a
// table (rows: before; columns: after) independently of the code.
func expectedChange(before, after standards.Status, hadBefore, hadAfter bool) string {
	switch {
	case !hadAfter:
		return "removed"
	case !hadBefore && (after == standards.Warn || after == standards.Fail):
		return "new_failure"
	case !hadBefore:
		return "added"
	}
	order := []standards.Status{standards.Pass, standards.Warn, standards.Fail, standards.Unknown, standards.NeedsAdmin, standards.NotApplicable}
	table := [][]string{
		//            pass        warn           fail           unknown      needs_admin  n/a
		/* pass */ {"unchanged", "regressed", "regressed", "regressed", "regressed", "other"},
		/* warn */ {"fixed", "unchanged", "regressed", "regressed", "regressed", "other"},
		/* fail */ {"fixed", "improved", "unchanged", "regressed", "regressed", "other"},
		/* unknown */ {"now_known", "new_failure", "new_failure", "unchanged", "other", "other"},
		/* needs_admin */ {"now_known", "new_failure", "new_failure", "other", "unchanged", "other"},
		// n/a to pass is no improvement: the check only now applies.
		/* n/a */ {"other", "new_failure", "new_failure", "other", "other", "unchanged"},
	}
	return table[slices.Index(order, before)][slices.Index(order, after)]
}

// checkKinds compares every check's change with the rule applied to the two
// results' own status maps.
func checkKinds(t *testing.T, old, new *report.Report, d *Diff) {
	t.Helper()
	before, after := statusMap(old), statusMap(new)
	ids := map[string]bool{}
	for id := range before {
		ids[id] = true
	}
	for id := range after {
		ids[id] = true
	}
	got := map[string]string{}
	for _, c := range d.Checks {
		if _, dup := got[c.ID]; dup {
			t.Errorf("check %s listed twice", c.ID)
		}
		got[c.ID] = c.Change.String()
	}
	if len(got) != len(ids) {
		t.Errorf("the diff lists %d checks; the results have %d", len(got), len(ids))
	}
	for id := range ids {
		b, hadB := before[id]
		a, hadA := after[id]
		if want := expectedChange(b, a, hadB, hadA); got[id] != want {
			t.Errorf("%s: %s -> %s is %q, want %q", id, b, a, got[id], want)
		}
	}
}

func statusMap(r *report.Report) map[string]standards.Status {
	m := map[string]standards.Status{}
	for _, c := range r.Results {
		m[c.ID] = c.Status
	}
	return m
}

func change(d *Diff, id string) CheckChange {
	for _, c := range d.Checks {
		if c.ID == id {
			return c
		}
	}
	return CheckChange{}
}

func evidenceOf(d *Diff, query string) *EvidenceChange {
	for i, e := range d.Evidence {
		if e.Query == query {
			return &d.Evidence[i]
		}
	}
	return nil
}

const ubrQuery = `HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion\UBR`

func TestPatchedPC(t *testing.T) {
	before := snapshot(t, patchedProfile)
	setValue(t, before, ubrKey, map[string]any{"type": "REG_DWORD", "data": 9168})
	before.CollectedAt = before.CollectedAt.AddDate(0, 0, -7)
	after := snapshot(t, patchedProfile)
	old, new := result(t, before), result(t, after)
	d := Compare(old, new)

	checkKinds(t, old, new, d)
	if c := change(d, "patches-current"); c.Change != standards.Fixed && c.Change != standards.Improved {
		t.Errorf("patches-current moved %v (%v -> %v), want fixed or improved", c.Change, c.Before, c.After)
	}
	if !slices.Contains(d.Better(), "patches-current") || d.Worse() {
		t.Errorf("better %v, worse %v: want patches-current better and nothing worse", d.Better(), d.Worse())
	}
	e := evidenceOf(d, ubrQuery)
	if e == nil || e.Before != "9168 (REG_DWORD)" || e.After != "9445 (REG_DWORD)" {
		t.Fatalf("UBR evidence change %+v, want 9168 (REG_DWORD) -> 9445 (REG_DWORD)", e)
	}
	if !slices.Contains(e.Checks, "patches-current") || len(e.Checks) < 2 {
		t.Errorf("UBR is read by %v; want patches-current among the several checks that read it", e.Checks)
	}
	if n := len(d.Evidence); n != 1 {
		t.Errorf("%d evidence changes, want only the UBR: %+v", n, d.Evidence)
	}
	if len(d.Notes) != 0 {
		t.Errorf("notes %q for two results of one machine a week apart", d.Notes)
	}
}

func TestRegressingPC(t *testing.T) {
	before := snapshot(t, patchedProfile)
	after := snapshot(t, patchedProfile)
	after.CollectedAt = after.CollectedAt.Add(24 * time.Hour)
	setValue(t, after, firewallKey, map[string]any{"type": "REG_DWORD", "data": 0})
	var admins struct {
		SID     string           `json:"sid"`
		Name    string           `json:"name"`
		Members []map[string]any `json:"members"`
	}
	value(t, after, adminsKey, &admins)
	admins.Members = append(admins.Members, map[string]any{"sid": "S-1-5-21-1004336348-1177238915-682003330-1013", "name": "locum\x1b[31m", "domain": "GP-RECEPTION-01"})
	setValue(t, after, adminsKey, admins)
	old, new := result(t, before), result(t, after)
	d := Compare(old, new)

	checkKinds(t, old, new, d)
	if c := change(d, "firewall-on"); c.Change != standards.Regressed {
		t.Errorf("firewall-on moved %v (%+v -> %+v), want regressed", c.Change, c.Before, c.After)
	}
	if d.Checks[0].Change != standards.Regressed && d.Checks[0].Change != standards.NewFailure {
		t.Errorf("the first check listed is %s (%v), want a regression first", d.Checks[0].ID, d.Checks[0].Change)
	}
	e := evidenceOf(d, "NetLocalGroupGetMembers(S-1-5-32-544)")
	if e == nil {
		t.Fatal("no evidence change for the administrators group")
	}
	if len(e.Added) != 1 || e.Added[0].Field != "members" || e.Added[0].Text != "GP-RECEPTION-01\\locum\x1b[31m (S-1-5-21-1004336348-1177238915-682003330-1013)" || len(e.Removed) != 0 || e.Before != "" {
		t.Errorf("administrators change %+v, want only the added member, as DOMAIN\\name (SID)", e)
	}
	prev := d.Previous()
	if !slices.Contains(prev.Regressed, "firewall-on") || !prev.ScannedAt.Equal(old.ScannedAt) || prev.Outcome != old.Outcome {
		t.Errorf("previous %+v", prev)
	}
}

func TestReplacedAndRenamedPCs(t *testing.T) {
	before := snapshot(t, patchedProfile)
	renamed := snapshot(t, patchedProfile)
	setHost(t, renamed, func(h *probe.HostInfo) { h.Hostname = "GP-RECEPTION-02" })
	replaced := snapshot(t, patchedProfile)
	setHost(t, replaced, func(h *probe.HostInfo) { h.HostID = "4c4c4544-0000-0000-0000-000000000001" })
	old := result(t, before)

	d := Compare(old, result(t, renamed))
	if len(d.Notes) != 1 || !strings.HasPrefix(d.Notes[0], "Renamed: ") || !strings.Contains(d.Notes[0], `"GP-RECEPTION-01" and is now "GP-RECEPTION-02"`) {
		t.Errorf("renamed: notes %q", d.Notes)
	}
	d = Compare(old, result(t, replaced))
	if len(d.Notes) != 1 || !strings.HasPrefix(d.Notes[0], "Another machine: ") || !strings.Contains(d.Notes[0], replaced.Host.HostID) {
		t.Errorf("replaced: notes %q", d.Notes)
	}
}

func TestNotesNeverSilent(t *testing.T) {
	win := result(t, snapshot(t, patchedProfile))
	linux := result(t, snapshot(t, "ubuntu-2404-desktop-hardened"))
	newer := *win
	newer.Tool.Version = "2.0.0"
	newer.ScannedAt = win.ScannedAt.Add(-time.Hour)
	newer.Data = slices.Clone(win.Data)
	newer.Data[0].AsOf = standards.Date{Time: newer.Data[0].AsOf.AddDate(0, 1, 0)}

	d := Compare(win, &newer)
	for _, want := range []string{"OLD was scanned after NEW", "Different dspt-audit versions", "Different reference data: " + newer.Data[0].Kind} {
		if !slices.ContainsFunc(d.Notes, func(n string) bool { return strings.Contains(n, want) }) {
			t.Errorf("no note saying %q in %q", want, d.Notes)
		}
	}
	if !d.Old.ScannedAt.Equal(win.ScannedAt) {
		t.Error("the results were swapped")
	}

	d = Compare(linux, win)
	if !slices.ContainsFunc(d.Notes, func(n string) bool { return strings.HasPrefix(n, "Different platforms") }) {
		t.Errorf("no platform note in %q", d.Notes)
	}
	checkKinds(t, linux, win, d)
	if d.Counts["added"]+d.Counts["new_failure"] == 0 || d.Counts["removed"] == 0 {
		t.Errorf("counts %v: checks of one side only must be listed", d.Counts)
	}
	if len(d.Checks) != len(unionIDs(linux, win)) {
		t.Errorf("%d checks listed, want %d", len(d.Checks), len(unionIDs(linux, win)))
	}
}

func unionIDs(a, b *report.Report) map[string]bool {
	ids := map[string]bool{}
	for _, r := range append(slices.Clone(a.Results), b.Results...) {
		ids[r.ID] = true
	}
	return ids
}

func TestListsCompareAsSets(t *testing.T) {
	old := `[{"address":"0.0.0.0","port":445,"pid":4,"process":"System"},{"address":"::","port":3389,"pid":1188,"process":"svchost.exe"}]`
	new := `[{"address":"::","port":3389,"pid":1200,"process":"svchost.exe"},{"address":"0.0.0.0","port":5900,"pid":77,"process":"vnc.exe"}]`
	c := compareValues(probe.Sockets, "tcp-listen", old, new)
	if len(c.Added) != 1 || c.Added[0].Text != "0.0.0.0:5900 (vnc.exe)" || itemKey(c.Added[0].Value) != `{"address":"0.0.0.0","port":5900,"process":"vnc.exe"}` {
		t.Errorf("added %+v, want the VNC socket only (a process ID that moved is no change)", c.Added)
	}
	if len(c.Removed) != 1 || c.Removed[0].Text != "0.0.0.0:445 (System)" {
		t.Errorf("removed %+v, want the SMB socket", c.Removed)
	}
	if c = compareValues(probe.Sockets, "tcp-listen", new, old); len(c.Removed) != 1 || c.Removed[0].Text != "0.0.0.0:5900 (vnc.exe)" {
		t.Errorf("removed %+v", c.Removed)
	}
	c = compareValues(probe.Sockets, "tcp-listen", `[]`, `[{"address":"::1","port":22}]`)
	if len(c.Added) != 1 || c.Added[0].Text != "[::1]:22" {
		t.Errorf("an IPv6 socket without a process: %+v", c.Added)
	}

	var many []string
	for i := range 50 {
		many = append(many, `"pkg`+strings.Repeat("x", i)+`"`)
	}
	c = compareValues(probe.Processes, "names", "[]", "["+strings.Join(many, ",")+"]")
	if len(c.Added) != maxItems || c.AddedMore != 50-maxItems || c.Added[0].Text != "pkg" || c.Added[0].Value != "pkg" {
		t.Errorf("%d added shown and %d more, want %d and %d", len(c.Added), c.AddedMore, maxItems, 50-maxItems)
	}

	c = compareValues(probe.API, "NetUserModalsGet()", `{"min_length":0,"history_length":24}`, `{"min_length":14,"history_length":24}`)
	if len(c.Fields) != 1 || c.Fields[0].Field != "min_length" || c.Fields[0].Text() != "min_length: 0 → 14" {
		t.Errorf("fields %+v, want min_length 0 → 14", c.Fields)
	}
	cutEscapes := `[{"name":"x\u001b[2J\\u001b"}` + "… (5 more bytes)"
	if lines := compareValues(probe.WMI, "q", cutEscapes, `[]`).Lines(); len(lines) != 1 || report.Sanitize(lines[0]) != `[{"name":"x\x1b[2J\\u001b"}… (5 more bytes) → []` {
		t.Errorf("a value cut short shows its control characters as every view does: %q", lines)
	}
	cut := `[{"a":1}` + "… (5 more bytes)"
	if c := compareValues(probe.WMI, "q", cut, `[]`); c.Before != cut || c.After != "[]" {
		t.Errorf("a value the report cut short is compared whole: %+v", c)
	}
}

// TestItemsAsPeopleReadThem: each list whose shape the probe fixes shows
// its items as a person writes them; another shape shows compact JSON,
// its control characters as every view shows them (\x1b, not \u001b).
func TestItemsAsPeopleReadThem(t *testing.T) {
	uninstall := `HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall\* (values DisplayName, DisplayVersion, Publisher, SystemComponent)`
	cases := []struct {
		source   probe.Kind
		query    string
		old, new string
		want     string
	}{
		{probe.API, "NetLocalGroupGetMembers(S-1-5-32-544)", `{"sid":"S-1-5-32-544","name":"Administrators","members":[]}`,
			`{"sid":"S-1-5-32-544","name":"Administrators","members":[{"sid":"S-1-12-1-1-2-3-4"}]}`, "members: S-1-12-1-1-2-3-4"},
		{probe.API, "NetLocalGroupGetMembers(S-1-5-32-544)", `{"members":[]}`, `{"members":[{"sid":"S-1-5-21-9-500","name":"Administrator"}]}`, "members: Administrator (S-1-5-21-9-500)"},
		{probe.RegistryKeys, uninstall, `[]`, `[{"path":"HKLM\\X\\{1}","values":{"DisplayName":{"type":"REG_SZ","data":"TeamViewer"},"DisplayVersion":{"type":"REG_SZ","data":"15.59.3"}}}]`, "TeamViewer 15.59.3"},
		{probe.RegistryKeys, `HKLM\SYSTEM\CurrentControlSet\Services\* (values Start)`, `[]`, `[{"path":"HKLM\\S\\RemoteRegistry","values":{"Start":{"type":"REG_DWORD","data":2}}}]`, `HKLM\S\RemoteRegistry (Start 2)`},
		{probe.Files, "/etc/cron.d/*", `[]`, `[{"path":"/etc/cron.d/miner","size":40,"modified":"2026-11-20T06:00:00Z"}]`, "/etc/cron.d/miner (40 bytes, modified 2026-11-20 06:00 UTC)"},
		{probe.WMI, "SELECT HotFixID FROM Win32_QuickFixEngineering", `[]`, `[{"HotFixID":"KB5\u001b[2J","InstalledOn":"9/9/2026"}]`, `{"HotFixID":"KB5` + "\x1b" + `[2J","InstalledOn":"9/9/2026"}`},
	}
	for _, c := range cases {
		e := compareValues(c.source, c.query, c.old, c.new)
		if lines := e.Lines(); len(lines) != 1 || lines[0] != "+ "+c.want {
			t.Errorf("%s %s: lines %q, want %q", c.source, c.query, lines, "+ "+c.want)
		}
	}
}

// setHost changes the host identity the snapshot recorded, in its header
// and its host observation alike.
func setHost(t testing.TB, snap *probe.Snapshot, change func(*probe.HostInfo)) {
	t.Helper()
	change(&snap.Host)
	var h probe.HostInfo
	value(t, snap, "host:info", &h)
	change(&h)
	setValue(t, snap, "host:info", h)
}

// TestResultsWithoutHostID: results of an earlier version carry no host ID;
// whether they are of one machine is then said to be unknown, never
// assumed.
func TestResultsWithoutHostID(t *testing.T) {
	old := result(t, snapshot(t, patchedProfile))
	old.Host.ID = ""
	new := result(t, snapshot(t, patchedProfile))
	d := Compare(old, new)
	if len(d.Notes) != 1 || d.Notes[0] != "The same host name, but OLD has no host ID: whether this is one machine cannot be told for certain." {
		t.Errorf("notes %q", d.Notes)
	}
	new.Host.Name = "GP-RECEPTION-02"
	d = Compare(old, new)
	if len(d.Notes) != 1 || !strings.HasPrefix(d.Notes[0], `Different host names (OLD "GP-RECEPTION-01", NEW "GP-RECEPTION-02"), and OLD has no host ID`) {
		t.Errorf("notes %q", d.Notes)
	}
}

func BenchmarkCompare(b *testing.B) {
	before := snapshot(b, patchedProfile)
	setValue(b, before, ubrKey, map[string]any{"type": "REG_DWORD", "data": 9168})
	old, new := result(b, before), result(b, snapshot(b, patchedProfile))
	b.ReportAllocs()
	for b.Loop() {
		Compare(old, new)
	}
}
