package declared_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nhs-dspt/dspt-audit/checks"
	"github.com/nhs-dspt/dspt-audit/checks/declared"
	"github.com/nhs-dspt/dspt-audit/checks/probe"
	"github.com/nhs-dspt/dspt-audit/standards"
)

const profileDir = "../../testdata/profiles"

func loadData(t testing.TB) *standards.Data {
	t.Helper()
	d, err := standards.Load()
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func profiles(t testing.TB) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(profileDir, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no profiles in %s: %v", profileDir, err)
	}
	var names []string
	for _, f := range files {
		names = append(names, strings.TrimSuffix(filepath.Base(f), ".json"))
	}
	return names
}

func loadProfile(t testing.TB, name string) *probe.Snapshot {
	t.Helper()
	f, err := os.Open(filepath.Join(profileDir, name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s, err := probe.ReadSnapshot(f)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return s
}

func replay(t testing.TB, s *probe.Snapshot, data *standards.Data, list []*checks.Check) *checks.Scan {
	t.Helper()
	scan, err := checks.Run(context.Background(), probe.NewReplay(s), checks.Options{Checks: list, Data: data, Clock: func() time.Time { return s.CollectedAt }})
	if err != nil {
		t.Fatal(err)
	}
	return scan
}

func loadPack(t testing.TB, dir string) *declared.Pack {
	t.Helper()
	pack := declared.LoadDirs([]string{dir}, checks.All())
	for _, p := range pack.Problems {
		t.Errorf("%s", p.Error())
	}
	return pack
}

var update = flag.Bool("update", false, "rewrite testdata/pack/expected.txt from this run")

// TestTenCheckPack replays the custom pack over every profile and compares
// each verdict with testdata/pack/expected.txt, written out per profile:
// "PROFILE CHECK STATUS | SUMMARY".
func TestTenCheckPack(t *testing.T) {
	pack := loadPack(t, "testdata/pack")
	if len(pack.Checks) != 12 || len(pack.Files) != 2 {
		t.Fatalf("loaded %d checks from %d files, want the ten and the two unrecorded ones from two", len(pack.Checks), len(pack.Files))
	}
	data := loadData(t)
	var got strings.Builder
	for _, name := range profiles(t) {
		for _, r := range replay(t, loadProfile(t, name), data, pack.Checks).Results {
			fmt.Fprintf(&got, "%s %s %s | %s\n", name, r.Check.ID, r.Verdict.Status, r.Verdict.Summary)
			if origin := filepath.ToSlash(r.Check.Origin); origin != "testdata/pack/ten.yaml" && origin != "testdata/pack/unrecorded.yaml" || !r.Check.Custom() {
				t.Errorf("%s: origin %q", r.Check.ID, r.Check.Origin)
			}
			for _, o := range r.Evidence {
				if checks.Undeclared(o) {
					t.Errorf("%s read %s without declaring it", r.Check.ID, o.Query)
				}
			}
		}
	}
	const golden = "testdata/pack/expected.txt"
	if *update {
		if err := os.WriteFile(golden, []byte(got.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	wantLines, gotLines := strings.Split(string(want), "\n"), strings.Split(got.String(), "\n")
	for i := range max(len(wantLines), len(gotLines)) {
		var w, g string
		if i < len(wantLines) {
			w = wantLines[i]
		}
		if i < len(gotLines) {
			g = gotLines[i]
		}
		if w != g {
			t.Errorf("line %d:\n got %s\nwant %s", i+1, g, w)
		}
	}
}

// TestPackNeverPassesOnFailedReads replays every profile with every probe
// but the host denied, then timed out: every custom check then says
// needs_admin, then unknown, naming what it could not read.
func TestPackNeverPassesOnFailedReads(t *testing.T) {
	pack := loadPack(t, "testdata/pack")
	data := loadData(t)
	for _, class := range []probe.ErrorClass{probe.AccessDenied, probe.Timeout} {
		want := map[probe.ErrorClass]standards.Status{probe.AccessDenied: standards.NeedsAdmin, probe.Timeout: standards.Unknown}[class]
		for _, name := range profiles(t) {
			snap := loadProfile(t, name)
			src := failingSource{snap: probe.NewReplay(snap), class: class}
			scan, err := checks.Run(context.Background(), src, checks.Options{Checks: pack.Checks, Data: data, Clock: func() time.Time { return snap.CollectedAt }})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range scan.Results {
				if r.Verdict.Status != want || !strings.HasPrefix(r.Verdict.Summary, "Could not tell ") || !strings.Contains(r.Verdict.Summary, "("+string(class)+")") {
					t.Errorf("%s with every probe %s: %s is %s: %s", name, class, r.Check.ID, r.Verdict.Status, r.Verdict.Summary)
				}
				if len(r.Evidence) == 0 {
					t.Errorf("%s: %s has no evidence", name, r.Check.ID)
				}
			}
		}
	}
}

// failingSource answers the host from the snapshot and fails everything else.
type failingSource struct {
	snap  *probe.Replay
	class probe.ErrorClass
}

func (f failingSource) Read(ctx context.Context, q probe.Query) (any, error) {
	if q.Kind == probe.Host {
		return f.snap.Read(ctx, q)
	}
	return nil, probe.Errorf(f.class, "planted failure")
}

// TestREADMEExamples: the README's two complete examples are the files in
// testdata/examples, word for word, and they load and judge.
func TestREADMEExamples(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"usb-storage-policy", "browser-version-floor"} {
		b, err := os.ReadFile("testdata/examples/" + name + ".yaml")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(readme), "```yaml\n"+string(b)+"```\n") {
			t.Errorf("the README does not show testdata/examples/%s.yaml as it is", name)
		}
	}
	pack := loadPack(t, "testdata/examples")
	want := map[string]standards.Status{
		"win11-pro-25h2-public-firewall-off-by-gpo custom-chrome-142":      standards.Pass,
		"win11-enterprise-24h2-non-admin custom-chrome-142":                standards.Pass,
		"win10-1607-wannacry-era custom-chrome-142":                        standards.NotApplicable,
		"win11-enterprise-24h2-non-admin custom-usb-storage-denied":        standards.Fail,
		"win11-enterprise-24h2-probes-timed-out custom-usb-storage-denied": standards.Unknown,
	}
	data := loadData(t)
	for key, status := range want {
		profile, id, _ := strings.Cut(key, " ")
		found := false
		for _, r := range replay(t, loadProfile(t, profile), data, pack.Checks).Results {
			if r.Check.ID != id {
				continue
			}
			found = true
			if r.Verdict.Status != status {
				t.Errorf("%s: %s is %s, want %s: %s", profile, id, r.Verdict.Status, status, r.Verdict.Summary)
			}
		}
		if !found {
			t.Errorf("%s: no result of %s", profile, id)
		}
	}
}
