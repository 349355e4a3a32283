package checks

import (
	"bufio"
	"bytes"
	"errors"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
)

// versionPair is two versions and how dpkg orders them: "<", "=" or ">".
type versionPair struct{ a, rel, b string }

var relOf = map[int]string{-1: "<", 0: "=", 1: ">"}

// loadVersionTable reads testdata/debversions.txt: ordered pairs, and
// versions dpkg refuses.
func loadVersionTable(t *testing.T) (pairs []versionPair, refused []string) {
	t.Helper()
	b, err := os.ReadFile("testdata/debversions.txt")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
		f := strings.Split(line, "\t")
		switch {
		case strings.HasPrefix(line, "#"):
		case len(f) == 2 && f[0] == "!":
			refused = append(refused, f[1])
		case len(f) == 3:
			pairs = append(pairs, versionPair{f[0], f[1], f[2]})
		default:
			t.Fatalf("bad line %q", line)
		}
	}
	if len(pairs) < 250 || len(refused) < 5 {
		t.Fatalf("only %d pairs and %d refused versions", len(pairs), len(refused))
	}
	return pairs, refused
}

func TestCompareDebVersionsTable(t *testing.T) {
	pairs, refused := loadVersionTable(t)
	for _, p := range pairs {
		got, err := compareDebVersions(p.a, p.b)
		if err != nil || relOf[got] != p.rel {
			t.Errorf("%q vs %q: %s, %v; dpkg says %s", p.a, p.b, relOf[got], err, p.rel)
		}
		if back, _ := compareDebVersions(p.b, p.a); back != -got {
			t.Errorf("%q vs %q is %d but the other way round %d", p.a, p.b, got, back)
		}
	}
	for _, v := range refused {
		if _, err := parseDebVersion(v); err == nil {
			t.Errorf("%q parsed; dpkg refuses it", v)
		}
	}
}

func TestParseDebVersion(t *testing.T) {
	tests := []struct {
		in   string
		want debVersion
	}{
		{"1.0", debVersion{0, "1.0", ""}},
		{" 1:2.3-4 ", debVersion{1, "2.3", "4"}},
		{"2:1.0-1-2", debVersion{2, "1.0-1", "2"}},
		{"1:2:3", debVersion{1, "2:3", ""}},
		{"+3:1", debVersion{3, "1", ""}},
		{"-0:1", debVersion{0, "1", ""}},
		{"2147483647:1", debVersion{maxEpoch, "1", ""}},
	}
	for _, tt := range tests {
		if got, err := parseDebVersion(tt.in); err != nil || got != tt.want {
			t.Errorf("parseDebVersion(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", " ", "2147483648:1", "99999999999999999999999:1", "-99999999999999999999999:1", "1.0\x00", "1.0\n", "1\t0"} {
		if v, err := parseDebVersion(bad); err == nil {
			t.Errorf("parseDebVersion(%q) = %+v, want an error", bad, v)
		}
	}
}

// TestCompareDebVersionsAgainstDpkg asks the real dpkg --compare-versions
// about the committed table and about pairs of versions this machine has:
// each installed package's version against every version apt offers for
// it, and installed versions of neighbouring packages against each other.
func TestCompareDebVersionsAgainstDpkg(t *testing.T) {
	if _, err := exec.LookPath("dpkg"); err != nil {
		t.Skip("dpkg is not installed")
	}
	if testing.Short() {
		t.Skip("runs dpkg hundreds of times")
	}
	table, _ := loadVersionTable(t)
	machine := machineVersionPairs(t)
	if len(machine) < 100 {
		t.Errorf("only %d version pairs found on this machine", len(machine))
	}
	pairs := append(table, machine...)
	results := make([]string, len(pairs))
	var wg sync.WaitGroup
	work := make(chan int)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				results[i] = dpkgRelation(t, pairs[i].a, pairs[i].b)
			}
		}()
	}
	for i := range pairs {
		work <- i
	}
	close(work)
	wg.Wait()
	for i, p := range pairs {
		got, err := compareDebVersions(p.a, p.b)
		if err != nil || relOf[got] != results[i] {
			t.Errorf("%q vs %q: %s, %v; dpkg says %s", p.a, p.b, relOf[got], err, results[i])
		}
		if i < len(table) && p.rel != results[i] {
			t.Errorf("the table says %q %s %q; this dpkg says %s", p.a, p.rel, p.b, results[i])
		}
	}
	t.Logf("%d pairs compared with dpkg (%d from the table, %d from this machine)", len(pairs), len(table), len(machine))
}

func dpkgRelation(t *testing.T, a, b string) string {
	for _, rel := range []struct{ op, rel string }{{"lt", "<"}, {"eq", "="}} {
		err := exec.Command("dpkg", "--compare-versions", "--", a, rel.op, b).Run()
		var exit *exec.ExitError
		switch {
		case err == nil:
			return rel.rel
		case !errors.As(err, &exit) || exit.ExitCode() != 1:
			t.Errorf("dpkg --compare-versions %q %s %q: %v", a, rel.op, b, err)
			return "?"
		}
	}
	return ">"
}

// machineVersionPairs pairs versions from dpkg-query and apt-cache; at most
// 400, so the test stays a few seconds long.
func machineVersionPairs(t *testing.T) []versionPair {
	out, err := exec.Command("dpkg-query", "-W", "-f", "${Package}\t${Version}\n").Output()
	if err != nil {
		t.Skipf("dpkg-query: %v", err)
	}
	installed := map[string]string{}
	var names []string
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if name, version, ok := strings.Cut(line, "\t"); ok && version != "" {
			installed[name] = version
			names = append(names, name)
		}
	}
	slices.Sort(names)
	seen := map[[2]string]bool{}
	var pairs []versionPair
	add := func(a, b string) {
		if !seen[[2]string{a, b}] && len(pairs) < 400 {
			seen[[2]string{a, b}] = true
			pairs = append(pairs, versionPair{a: a, b: b})
		}
	}
	if avail, err := exec.Command("apt-cache", "dumpavail").Output(); err == nil {
		var name string
		sc := bufio.NewScanner(bytes.NewReader(avail))
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			line := sc.Text()
			if v, ok := strings.CutPrefix(line, "Package: "); ok {
				name = v
			} else if v, ok := strings.CutPrefix(line, "Version: "); ok && installed[name] != "" && installed[name] != v {
				add(installed[name], v)
			}
		}
	}
	for i := 1; i < len(names); i++ {
		add(installed[names[i-1]], installed[names[i]])
	}
	return pairs
}

// FuzzCompareDebVersions: the order is antisymmetric and reflexive, a
// trailing ~ sorts before the version it follows, and it is transitive
// across the three.
func FuzzCompareDebVersions(f *testing.F) {
	for _, seed := range [][2]string{{"1.0~rc1", "1.0"}, {"1:0.9", "2.0"}, {"1.0-1", "1.0-1+deb12u1"}, {"2.30-0ubuntu1~22.04", "2.30"}, {"a", "~"}, {"1.0", "1.0-0"}, {"00", "0"}} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		va, errA := parseDebVersion(a)
		vb, errB := parseDebVersion(b)
		if errA != nil || errB != nil {
			return
		}
		ab, ba := va.compare(vb), vb.compare(va)
		if ab != -ba || va.compare(va) != 0 {
			t.Fatalf("%q vs %q = %d, reversed %d, self %d", a, b, ab, ba, va.compare(va))
		}
		tilde, err := parseDebVersion(strings.Trim(a, " \t") + "~")
		if err != nil {
			t.Fatalf("%q~ does not parse: %v", a, err)
		}
		if tilde.compare(va) != -1 {
			t.Fatalf("%q~ is not before %q", a, a)
		}
		if tb := tilde.compare(vb); ab <= 0 && tb != -1 {
			t.Fatalf("%q~ < %q <= %q but %q~ vs %q = %d", a, a, b, a, b, tb)
		}
	})
}
