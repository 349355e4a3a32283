//go:build unix

package fleet

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Attack: a FIFO planted in the share (or named) hung the roll-up,
// /dev/zero named as a file grew without end, and links and devices in a
// folder were silently ignored.
func TestSpecialFilesAreListedNeverOpened(t *testing.T) {
	dir := tempDir(t)
	writeHost(t, filepath.Join(dir, "PC-1.json"), "PC-1", genNow, nil)
	fifo := filepath.Join(dir, "fifo.json")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("no FIFOs here: %v", err)
	}
	outside := filepath.Join(tempDir(t), "elsewhere.json")
	writeHost(t, outside, "PC-9", genNow, nil)
	link := filepath.Join(dir, "link.json")
	if err := os.Symlink(outside, link); err != nil {
		t.Fatal(err)
	}
	paths := []string{dir, fifo, link}
	want := map[string]string{fifo: "a FIFO (named pipe), not opened", link: "a symbolic link, not followed"}
	if _, err := os.Stat("/dev/zero"); err == nil {
		paths = append(paths, "/dev/zero")
		want["/dev/zero"] = "a device, not read"
	}

	done := make(chan *Rollup)
	go func() { done <- rollUp(t, paths, false) }()
	var roll *Rollup
	select {
	case roll = <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("the roll-up hangs")
	}
	if len(roll.Hosts) != 1 || roll.Hosts[0].Name != "PC-1" {
		t.Errorf("%d hosts", len(roll.Hosts))
	}
	for path, reason := range want {
		if n := strings.Count(skippedAll(roll, path), reason); n < 1 {
			t.Errorf("%s: skipped for %q, want %q", path, skippedAll(roll, path), reason)
		}
	}
	// In the folder and named as arguments: listed twice.
	if n := strings.Count(skippedAll(roll, fifo), "FIFO"); n != 2 {
		t.Errorf("the FIFO is listed %d times", n)
	}
}

func skippedAll(roll *Rollup, path string) string {
	var reasons []string
	for _, s := range roll.Skipped {
		if s.Path == path {
			reasons = append(reasons, s.Reason)
		}
	}
	return strings.Join(reasons, "; ")
}
