//go:build unix

package declared_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nhs-dspt/dspt-audit/checks/declared"
)

// oneCheck is a checks file of one valid custom check.
func oneCheck(id string) string {
	return fmt.Sprintf(`dspt_audit_checks: 1
checks:
  - id: custom-%s
    title: Check %s
    severity: low
    platforms: [linux]
    mappings: {ndg: [9], dspt_items: ["8.4.3"]}
    remediation: {linux: "fix"}
    about: the thing
    reads:
      - name: f
        file: {path: /etc/f}
    verdicts:
      - when: {read: f, exists: true}
        status: pass
        summary: "ok"
    otherwise: {status: fail, summary: "no"}
`, id, id)
}

func writeFile(t *testing.T, path, body string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// problemsByPath is each problem's message by the file it is about.
func problemsByPath(pack *declared.Pack) map[string]string {
	out := map[string]string{}
	for _, p := range pack.Problems {
		out[filepath.Base(p.Path)] = p.Error()
	}
	return out
}

// TestFolderOddFilesNeverBlockOrLeak: a FIFO, a link to a secret, a
// dangling link and a folder named *.yaml are each refused with a plain
// reason, nothing blocks, nothing of a link's target is quoted, and the
// good file still loads.
func TestFolderOddFilesNeverBlockOrLeak(t *testing.T) {
	dir := tempDir(t)
	secret := filepath.Join(tempDir(t), "shadow")
	writeFile(t, secret, "root:$y$j9T$secrethash:20228:0:99999:7:::\n")
	writeFile(t, filepath.Join(dir, "good.yaml"), oneCheck("good"))
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo.yaml"), 0o644); err != nil {
		t.Fatal(err)
	}
	must(t, os.Symlink(secret, filepath.Join(dir, "link.yaml")))
	must(t, os.Symlink(filepath.Join(dir, "gone"), filepath.Join(dir, "dangling.yaml")))
	must(t, os.Mkdir(filepath.Join(dir, "sub.yaml"), 0o755))

	done := make(chan *declared.Pack)
	go func() { done <- declared.LoadDirs([]string{dir}, nil) }()
	var pack *declared.Pack
	select {
	case pack = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("loading a folder with a FIFO in it did not return")
	}
	want := map[string]string{
		"fifo.yaml":     filepath.Join(dir, "fifo.yaml") + ": is a named pipe (FIFO), not a checks file",
		"link.yaml":     filepath.Join(dir, "link.yaml") + ": is a link: put the file itself in the folder",
		"dangling.yaml": filepath.Join(dir, "dangling.yaml") + ": is a link to a file that does not exist: put the file itself in the folder",
	}
	got := problemsByPath(pack)
	for name, w := range want {
		if got[name] != w {
			t.Errorf("%s: got %q, want %q", name, got[name], w)
		}
	}
	if len(pack.Problems) != len(want) {
		t.Errorf("problems %v, want %d", pack.Problems, len(want))
	}
	for _, p := range pack.Problems {
		if strings.Contains(p.Error(), "root") || strings.Contains(p.Error(), "secret") {
			t.Errorf("a problem quotes the link's target: %s", p.Error())
		}
	}
	if len(pack.Checks) != 1 || pack.Checks[0].ID != "custom-good" {
		t.Errorf("loaded %d checks, want custom-good alone", len(pack.Checks))
	}
}

// TestValidatePathsPlainReasons: files named to checks validate that are
// not there, or are a FIFO, get a plain reason, never a system error.
func TestValidatePathsPlainReasons(t *testing.T) {
	dir := tempDir(t)
	fifo := filepath.Join(dir, "f.yaml")
	must(t, syscall.Mkfifo(fifo, 0o644))
	missing := filepath.Join(dir, "missing.yaml")
	pack := declared.LoadPaths([]string{fifo, missing}, nil)
	got := problemsByPath(pack)
	if w := fifo + ": is a named pipe (FIFO), not a checks file"; got["f.yaml"] != w {
		t.Errorf("got %q, want %q", got["f.yaml"], w)
	}
	if w := missing + ": does not exist"; got["missing.yaml"] != w {
		t.Errorf("got %q, want %q", got["missing.yaml"], w)
	}
}

// TestTotalChecksLimit: past MaxChecks custom checks in all, a file is not
// loaded, with the reason, and the checks before it are.
func TestTotalChecksLimit(t *testing.T) {
	dir := tempDir(t)
	for i := range declared.MaxChecks + 2 {
		writeFile(t, filepath.Join(dir, fmt.Sprintf("c%05d.yaml", i)), oneCheck(fmt.Sprint(i)))
	}
	pack := declared.LoadDirs([]string{dir}, nil)
	if len(pack.Checks) != declared.MaxChecks {
		t.Errorf("%d checks loaded, want %d", len(pack.Checks), declared.MaxChecks)
	}
	if len(pack.Problems) != 2 {
		t.Fatalf("%d problems, want 2", len(pack.Problems))
	}
	want := filepath.Join(dir, "c02000.yaml") + ": not loaded: its checks would take the custom checks past 2000 in all (2000 are loaded already)"
	if got := pack.Problems[0].Error(); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestProblemMessageBounded: a long value quoted into a problem is cut, so
// that no problem carries a file's contents at length.
func TestProblemMessageBounded(t *testing.T) {
	body := strings.Replace(oneCheck("long"), "severity: low", "severity: "+strings.Repeat("é", 5000), 1)
	pack := declared.LoadFile("f.yaml", []byte(body), nil)
	if len(pack.Problems) != 1 {
		t.Fatalf("problems %v", pack.Problems)
	}
	if m := pack.Problems[0].Message; len(m) > 512 || !strings.HasPrefix(m, `severity "éé`) || !strings.HasSuffix(m, "...") {
		t.Errorf("message of %d bytes: %.80s", len(m), m)
	}
}
