//go:build unix

package report

import (
	"bufio"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func writeString(s string) func(io.Writer) error {
	return func(w io.Writer) error { _, err := io.WriteString(w, s); return err }
}

// The attack: as root, -o /dev/null renamed a regular file over the device.
func TestWriteOutputLeavesDevNullADevice(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("the attack needs root: only root can replace /dev/null")
	}
	t.Cleanup(func() { restoreDevNull(t) })
	if err := WriteOutput("/dev/null", writeString("kept?")); err != nil {
		t.Fatal(err)
	}
	info, err := os.Lstat("/dev/null")
	if err != nil || info.Mode()&fs.ModeCharDevice == 0 {
		t.Fatalf("/dev/null is now %v (%v), not a character device", info.Mode(), err)
	}
	if b, _ := os.ReadFile("/dev/null"); len(b) != 0 {
		t.Errorf("/dev/null keeps %q", b)
	}
	if temps, _ := filepath.Glob("/dev/.null.tmp-*"); len(temps) > 0 {
		t.Errorf("temporary files left in /dev: %v", temps)
	}
}

// restoreDevNull puts /dev/null back if a failing run replaced it, so one
// failure does not break the machine for everything else.
func restoreDevNull(t *testing.T) {
	if info, err := os.Lstat("/dev/null"); err == nil && info.Mode()&fs.ModeCharDevice != 0 {
		return
	}
	os.Remove("/dev/null")
	if err := syscall.Mknod("/dev/null", syscall.S_IFCHR|0o666, 1<<8|3); err != nil {
		t.Errorf("could not restore /dev/null: %v", err)
	}
	os.Chmod("/dev/null", 0o666)
}

// -o /dev/stdout: a link to the process's standard output, here a pipe.
func TestWriteOutputWritesThroughAPipe(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	stdout := fmt.Sprintf("/dev/fd/%d", w.Fd())
	if _, err := os.Stat(stdout); err != nil {
		t.Skip("no /dev/fd here")
	}
	errc := make(chan error, 1)
	go func() { errc <- WriteOutput(stdout, writeString("the report")); w.Close() }()
	got, _ := io.ReadAll(r)
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if string(got) != "the report" {
		t.Errorf("the pipe read %q", got)
	}
}

func TestWriteOutputWritesIntoAFIFO(t *testing.T) {
	dir := tempDir(t)
	fifo := filepath.Join(dir, "siem.fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip(err)
	}
	got := make(chan string, 1)
	go func() {
		f, err := os.Open(fifo)
		if err != nil {
			got <- err.Error()
			return
		}
		defer f.Close()
		b, _ := io.ReadAll(f)
		got <- string(b)
	}()
	if err := WriteOutput(fifo, writeString("events")); err != nil {
		t.Fatal(err)
	}
	if s := <-got; s != "events" {
		t.Errorf("the reader got %q", s)
	}
	if info, err := os.Lstat(fifo); err != nil || info.Mode()&fs.ModeNamedPipe == 0 {
		t.Errorf("the FIFO is now %v (%v)", info.Mode(), err)
	}
}

// WriteFileAtomic is for folders others can write to: a planted link or
// device is refused and left as it is, and what it points at is untouched.
func TestWriteFileAtomicRefusesLinksAndDevices(t *testing.T) {
	dir := tempDir(t)
	target := filepath.Join(dir, "root-owned.conf")
	if err := os.WriteFile(target, []byte("precious"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "HOST.json")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "PIPE.json")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{link, fifo, "/dev/null"} {
		err := WriteFileAtomic(path, writeString("result"))
		if err == nil || !strings.Contains(err.Error(), "left as it is") {
			t.Errorf("WriteFileAtomic(%s) = %v, want a refusal", path, err)
		}
	}
	if b, _ := os.ReadFile(target); string(b) != "precious" {
		t.Errorf("the link's target now holds %q", b)
	}
	if info, _ := os.Lstat(link); info.Mode()&fs.ModeSymlink == 0 {
		t.Errorf("the link was replaced")
	}
	if info, _ := os.Lstat("/dev/null"); info.Mode()&fs.ModeCharDevice == 0 {
		restoreDevNull(t)
		t.Errorf("/dev/null was replaced")
	}
}

// The attack: a write interrupted by a signal left .NAME.tmp-* behind.
// The test binary runs itself as the writer, blocked halfway through.
func TestSignalsRemoveTemporaryFiles(t *testing.T) {
	if dir := os.Getenv("DSPT_AUDIT_WRITE_HELPER"); dir != "" {
		interruptedWriter(dir)
		return
	}
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP} {
		t.Run(sig.String(), func(t *testing.T) {
			dir := tempDir(t)
			cmd := exec.Command(os.Args[0], "-test.run=^TestSignalsRemoveTemporaryFiles$")
			cmd.Env = append(os.Environ(), "DSPT_AUDIT_WRITE_HELPER="+dir)
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			line, _ := bufio.NewReader(out).ReadString('\n')
			if line != "writing\n" {
				cmd.Process.Kill()
				cmd.Wait()
				t.Fatalf("the writer said %q", line)
			}
			if temps, _ := filepath.Glob(filepath.Join(dir, ".report.json.tmp-*")); len(temps) != 1 {
				t.Fatalf("no write in flight: %v", temps)
			}
			cmd.Process.Signal(sig)
			cmd.Wait()
			if code, want := cmd.ProcessState.ExitCode(), 128+int(sig); code != want {
				t.Errorf("exit code %d (%v), want %d", code, cmd.ProcessState, want)
			}
			if left, _ := os.ReadDir(dir); len(left) != 0 {
				t.Errorf("left behind: %v", left)
			}
		})
	}
}

func interruptedWriter(dir string) {
	RemoveTempFilesOnSignal(os.Exit)
	WriteFileAtomic(filepath.Join(dir, "report.json"), func(w io.Writer) error {
		io.WriteString(w, "half a rep")
		fmt.Println("writing")
		select {}
	})
}
