package checkfile

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/nhs-dspt/dspt-audit/checks/probe"
	"github.com/nhs-dspt/dspt-audit/standards"
)

// machine answers probes from a map of query keys; a key it lacks is
// NotFound. It records the order of the probes made.
type machine struct {
	answers map[string]probe.Observation
	asked   []string
}

func (m *machine) Observe(q probe.Query) probe.Observation {
	m.asked = append(m.asked, q.Key())
	if o, ok := m.answers[q.Key()]; ok {
		o.Key, o.Kind, o.Query = q.Key(), q.Kind, q.String()
		return o
	}
	return probe.Observation{Key: q.Key(), Kind: q.Kind, Query: q.String(), Error: probe.Errorf(probe.NotFound, "no such value")}
}

func dword(n uint64) probe.Observation {
	b, _ := json.Marshal(probe.RegValue{Type: probe.RegDWORD, Data: json.RawMessage(fmt.Sprint(n))})
	return probe.Observation{Value: b}
}

func text(s string) probe.Observation {
	data, _ := json.Marshal(s)
	b, _ := json.Marshal(probe.RegValue{Type: probe.RegSZ, Data: data})
	return probe.Observation{Value: b}
}

func failed(class probe.ErrorClass) probe.Observation {
	return probe.Observation{Error: probe.Errorf(class, "planted")}
}

func file(path, contents string) probe.FileEntry {
	return probe.FileEntry{Path: path, Contents: &contents}
}

const twoReads = `dspt_audit_checks: 1
checks:
  - id: custom-t
    title: Test
    severity: low
    platforms: [windows]
    mappings: {ndg: [9], dspt_items: ["8.4.3"]}
    remediation: {windows: "Fix."}
    about: the test settings
    reads:
      - name: a
        registry: {key: 'HKLM\SOFTWARE\T', value: A}
      - name: b
        about: the B setting
        registry: {key: 'HKLM\SOFTWARE\T', value: B}
      - name: c
        registry: {key: 'HKLM\SOFTWARE\T', value: C, type: text}
    verdicts:
      - when: %s
        status: pass
        summary: "%s"
    otherwise:
      status: fail
      summary: "otherwise"
`

func compileOne(t *testing.T, src string) *Check {
	t.Helper()
	list, problems := Parse([]byte(src), Options{Custom: true, Prefix: "custom-"})
	if len(problems) > 0 || len(list) != 1 {
		t.Fatalf("%v", problems)
	}
	return list[0]
}

var (
	keyA = probe.RegistryValue(`HKLM\SOFTWARE\T`, "A").Key()
	keyB = probe.RegistryValue(`HKLM\SOFTWARE\T`, "B").Key()
	keyC = probe.RegistryValue(`HKLM\SOFTWARE\T`, "C").Key()
)

// TestThreeValuedRules: a failed read is unknown, any with one part true
// is true and all with one part false is false whatever the others, and
// otherwise the first case that cannot be told stops judging, naming the
// failed reads.
func TestThreeValuedRules(t *testing.T) {
	denied, timeout := failed(probe.AccessDenied), failed(probe.Timeout)
	tests := []struct {
		name    string
		when    string
		answers map[string]probe.Observation
		status  standards.Status // zero (Unknown) when it cannot be told
		failed  []string         // the value names of the failed reads named
		about   string
	}{
		{"equals", "{read: a, equals: 1}", map[string]probe.Observation{keyA: dword(1)}, standards.Pass, nil, ""},
		{"equals other", "{read: a, equals: 1}", map[string]probe.Observation{keyA: dword(2)}, standards.Fail, nil, ""},
		{"not set is not equal", "{read: a, equals: 0}", nil, standards.Fail, nil, ""},
		{"exists false on not set", "{read: a, exists: false}", nil, standards.Pass, nil, ""},
		{"denied is unknown", "{read: a, exists: false}", map[string]probe.Observation{keyA: denied}, 0, []string{"A"}, "the test settings"},
		{"any true beats unknown", "{any: [{read: a, equals: 1}, {read: b, equals: 1}]}", map[string]probe.Observation{keyA: denied, keyB: dword(1)}, standards.Pass, nil, ""},
		{"any false and unknown", "{any: [{read: a, equals: 1}, {read: b, equals: 1}]}", map[string]probe.Observation{keyA: denied, keyB: dword(0)}, 0, []string{"A"}, "the test settings"},
		{"all false beats unknown", "{all: [{read: a, equals: 1}, {read: b, equals: 1}]}", map[string]probe.Observation{keyA: timeout, keyB: dword(0)}, standards.Fail, nil, ""},
		{"all true and unknown", "{all: [{read: a, equals: 1}, {read: b, equals: 1}]}", map[string]probe.Observation{keyA: dword(1), keyB: timeout}, 0, []string{"B"}, "the B setting"},
		{"none true beats unknown", "{none: [{read: a, equals: 1}, {read: b, equals: 1}]}", map[string]probe.Observation{keyA: denied, keyB: dword(1)}, standards.Fail, nil, ""},
		{"none all false", "{none: [{read: a, equals: 1}, {read: b, equals: 1}]}", map[string]probe.Observation{keyA: dword(0)}, standards.Pass, nil, ""},
		{"both failed named in order", "{all: [{read: b, equals: 1}, {read: a, equals: 1}]}", map[string]probe.Observation{keyA: denied, keyB: timeout}, 0, []string{"A", "B"}, "the test settings"},
		{"one_of", "{read: c, one_of: [x, Yes]}", map[string]probe.Observation{keyC: text("yes")}, standards.Pass, nil, ""},
		{"range in", "{read: a, min: 5, max: 10}", map[string]probe.Observation{keyA: dword(10)}, standards.Pass, nil, ""},
		{"range out", "{read: a, min: 5, max: 10}", map[string]probe.Observation{keyA: dword(11)}, standards.Fail, nil, ""},
		{"bits all set", "{read: a, bits: 0x91}", map[string]probe.Observation{keyA: dword(0xFF)}, standards.Pass, nil, ""},
		{"bits one missing", "{read: a, bits: 0x91}", map[string]probe.Observation{keyA: dword(0x90)}, standards.Fail, nil, ""},
		{"matches", "{read: c, matches: '^v[0-9]+$'}", map[string]probe.Observation{keyC: text("v12")}, standards.Pass, nil, ""},
		{"text where a number is read", "{read: a, equals: 1}", map[string]probe.Observation{keyA: text("one")}, 0, []string{"A"}, "the test settings"},
		{"number written as text", "{read: a, equals: 1}", map[string]probe.Observation{keyA: text("1")}, standards.Pass, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := compileOne(t, fmt.Sprintf(twoReads, tt.when, "yes"))
			j := c.Judge(&machine{answers: tt.answers})
			var names []string
			for _, o := range j.Failed {
				names = append(names, o.Query[strings.LastIndex(o.Query, `\`)+1:])
			}
			if j.Status != tt.status || !slices.Equal(names, tt.failed) || j.About != tt.about {
				t.Errorf("got %s failed %v about %q; want %s failed %v about %q", j.Status, names, j.About, tt.status, tt.failed, tt.about)
			}
		})
	}
}

// TestReadsInDeclaredOrder: reads are made in the order declared, up to
// the last one the deciding case needs, whatever order the rules name them.
func TestReadsInDeclaredOrder(t *testing.T) {
	c := compileOne(t, fmt.Sprintf(twoReads, "{read: b, equals: 1}", "yes"))
	m := &machine{answers: map[string]probe.Observation{keyB: dword(1)}}
	c.Judge(m)
	if want := []string{keyA, keyB}; !slices.Equal(m.asked, want) {
		t.Errorf("asked %v, want %v", m.asked, want)
	}
}

// TestSummaryCannotQuoteAFailedRead: a case that holds but quotes a read
// that failed cannot be told, so a verdict never quotes a value not read.
func TestSummaryCannotQuoteAFailedRead(t *testing.T) {
	c := compileOne(t, fmt.Sprintf(twoReads, "{read: a, equals: 1}", "A is 1, B is {b}"))
	j := c.Judge(&machine{answers: map[string]probe.Observation{keyA: dword(1), keyB: failed(probe.AccessDenied)}})
	if j.Status != standards.Unknown || len(j.Failed) != 1 || j.About != "the B setting" {
		t.Errorf("got %+v", j)
	}
}

func TestSummaryTemplate(t *testing.T) {
	summary := `{a} 0x{a.hex} {a.describe} {b.describe} {c} {{literal}}`
	c := compileOne(t, fmt.Sprintf(twoReads, "{read: a, exists: true}", summary))
	j := c.Judge(&machine{answers: map[string]probe.Observation{keyA: dword(0xFF), keyC: text("bad\x1b[31mred")}})
	want := `255 0xFF A = 255 HKLM\SOFTWARE\T\B not set bad?[31mred {literal}`
	if j.Summary != want {
		t.Errorf("got  %s\nwant %s", j.Summary, want)
	}
}

func TestVersionsCompareAsNumbers(t *testing.T) {
	tests := []struct {
		a, b string
		want int // sign
	}{
		{"10.10", "10.9", 1},
		{"142.0.7444.60", "99", 1},
		{"10.2", "10.2.0", 0},
		{"10.2-beta", "10.2", 0},
		{"9", "10", -1},
		{"1.2.3.4", "1.2.3.5", -1},
	}
	for _, tt := range tests {
		a, _ := parseVersion(tt.a)
		b, _ := parseVersion(tt.b)
		if got := standards.CompareVersions(a, b); (got > 0) != (tt.want > 0) || (got < 0) != (tt.want < 0) {
			t.Errorf("compare(%s, %s) = %d, want sign %d", tt.a, tt.b, got, tt.want)
		}
	}
	if _, ok := parseVersion("beta"); ok {
		t.Error("beta parsed as a version")
	}
}

const programCheck = `dspt_audit_checks: 1
checks:
  - id: custom-p
    title: Program
    severity: low
    platforms: [windows]
    mappings: {ndg: [8], dspt_items: ["8.1.4"]}
    remediation: {windows: "Update."}
    about: the installed programs
    reads:
      - name: app
        program: {name: '^Clinical System$'}
    verdicts:
      - when: {read: app, version_at_least: "10.2"}
        status: pass
        summary: "{app.describe}"
      - when: {read: app, exists: true}
        status: fail
        summary: "{app.program} {app} is below 10.2"
    otherwise:
      status: not_applicable
      summary: "{app.describe}"
`

func uninstall(keys ...[3]string) probe.Observation {
	var out []probe.RegKey
	for _, k := range keys {
		v := map[string]probe.RegValue{}
		for name, s := range map[string]string{"DisplayName": k[0], "DisplayVersion": k[1], "SystemComponent": k[2]} {
			if s == "" {
				continue
			}
			if name == "SystemComponent" {
				v[name] = probe.RegValue{Type: probe.RegDWORD, Data: json.RawMessage(s)}
			} else {
				data, _ := json.Marshal(s)
				v[name] = probe.RegValue{Type: probe.RegSZ, Data: data}
			}
		}
		out = append(out, probe.RegKey{Path: `HKLM\X\` + k[0], Values: v})
	}
	b, _ := json.Marshal(out)
	return probe.Observation{Value: b}
}

// TestProgramRead: the highest version of the matching programs decides,
// compared as numbers; hidden system components do not count; a failed
// uninstall list is unknown; a missing WOW6432Node is no failure.
func TestProgramRead(t *testing.T) {
	c := compileOne(t, programCheck)
	native, wow, users := InstalledPrograms[0].Key(), InstalledPrograms[1].Key(), InstalledPrograms[2].Key()
	tests := []struct {
		name    string
		answers map[string]probe.Observation
		status  standards.Status
		summary string
	}{
		{"newest wins", map[string]probe.Observation{
			native: uninstall([3]string{"Clinical System", "9.9", ""}, [3]string{"Other", "99", ""}),
			users:  uninstall([3]string{"clinical system", "10.10.1", ""}),
		}, standards.Pass, "clinical system 10.10.1"},
		{"too old", map[string]probe.Observation{native: uninstall([3]string{"Clinical System", "10.1.99", ""}), users: uninstall()}, standards.Fail, "Clinical System 10.1.99 is below 10.2"},
		{"system component hidden", map[string]probe.Observation{native: uninstall([3]string{"Clinical System", "11", "1"}), users: uninstall()}, standards.NotApplicable, "no program matching ^Clinical System$ installed"},
		{"user hive denied", map[string]probe.Observation{native: uninstall(), wow: uninstall(), users: failed(probe.AccessDenied)}, standards.Unknown, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j := c.Judge(&machine{answers: tt.answers})
			if j.Status != tt.status || j.Summary != tt.summary {
				t.Errorf("got %s %q, want %s %q", j.Status, j.Summary, tt.status, tt.summary)
			}
		})
	}
}

// TestFirstSettingWins reads an sshd-style keyword: the first value wins,
// Include pulls drop-ins in where it stands, a Match block ends the search.
func TestFirstSettingWins(t *testing.T) {
	drop := []probe.FileEntry{file("/etc/ssh/sshd_config.d/10.conf", "PasswordAuthentication no\n")}
	tests := []struct {
		config string
		want   string
		set    bool
	}{
		{"# PasswordAuthentication yes\npasswordauthentication yes\nPasswordAuthentication no\n", "yes", true},
		{"Include /etc/ssh/sshd_config.d/*.conf\nPasswordAuthentication yes\n", "no", true},
		{"PasswordAuthentication yes\nInclude /etc/ssh/sshd_config.d/*.conf\n", "yes", true},
		{"Match User bob\n  PasswordAuthentication yes\n", "", false},
	}
	for _, tt := range tests {
		got, set := firstSetting(tt.config, "passwordauthentication", drop)
		if got != tt.want || set != tt.set {
			t.Errorf("%q: got %q %v, want %q %v", tt.config, got, set, tt.want, tt.set)
		}
	}
}

// TestFailedReadNamedOnce: two reads of one value that both fail name the
// probe once, and the check's reads list it once.
func TestFailedReadNamedOnce(t *testing.T) {
	src := strings.Replace(fmt.Sprintf(twoReads, "{all: [{read: a, min: 1}, {read: c, equals: 1}]}", "yes"),
		`registry: {key: 'HKLM\SOFTWARE\T', value: C, type: text}`, `registry: {key: 'HKLM\SOFTWARE\T', value: A}`, 1)
	c := compileOne(t, src)
	j := c.Judge(&machine{answers: map[string]probe.Observation{keyA: failed(probe.AccessDenied)}})
	if len(j.Failed) != 1 || j.Failed[0].Key != keyA {
		t.Errorf("failed %v, want %s once", j.Failed, keyA)
	}
	if q := c.Queries(); len(q) != 2 {
		t.Errorf("queries %v, want A and B once each", q)
	}
}
