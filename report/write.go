package report

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
)

// JSON writes v as indented JSON.
func JSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// WriteFileAtomic writes a file through a temporary file in the same folder
// and renames it into place, so a reader (or an earlier report) never sees
// a half-written file. On any error the temporary file is removed and the
// existing file is untouched.
//
// It creates a missing file or replaces a regular one. Anything else at
// path (a link, a device, a pipe, a folder) is refused and left as it is:
// where others can plant files, a write must neither rename over a device
// nor write through a link. A person's -o goes through WriteOutput.
func WriteFileAtomic(path string, write func(io.Writer) error) error {
	info, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return fmt.Errorf("cannot write %s: %w", path, err)
	case !info.Mode().IsRegular():
		return fmt.Errorf("cannot write %s: it is %s, not a regular file; left as it is", path, DescribeMode(info.Mode()))
	}
	return writeAtomic(path, write)
}

// WriteOutput writes where a person pointed -o. A device or a pipe
// (/dev/null, /dev/stdout, a FIFO; NUL or CON on Windows, with or without
// an extension) is written straight, as a shell's > would, and stays what
// it is; anything else is written as WriteFileAtomic writes it, except that
// a link to a regular file is replaced by the new file.
func WriteOutput(path string, write func(io.Writer) error) error {
	if windowsDevices && IsWindowsDeviceName(filepath.Base(path)) {
		return writeStraight(path, write)
	}
	info, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return fmt.Errorf("cannot write %s: %w", path, err)
	case info.IsDir():
		return fmt.Errorf("cannot write %s: it is a folder", path)
	case !info.Mode().IsRegular():
		return writeStraight(path, write)
	}
	return writeAtomic(path, write)
}

// windowsDevices says whether file names such as NUL name devices.
var windowsDevices = runtime.GOOS == "windows"

// IsWindowsDeviceName reports whether Windows takes a file name for a
// device: CON, PRN, AUX, NUL, COM0-9, LPT0-9 (and their superscript forms),
// CONIN$ or CONOUT$, in any case, with or without an extension or
// trailing spaces ("nul.txt" is the null device too).
func IsWindowsDeviceName(name string) bool {
	if i := strings.IndexAny(name, ".:"); i >= 0 {
		name = name[:i]
	}
	name = strings.ToUpper(strings.TrimRight(name, " "))
	switch name {
	case "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$":
		return true
	}
	if rest, ok := strings.CutPrefix(name, "COM"); ok {
		name = rest
	} else if rest, ok := strings.CutPrefix(name, "LPT"); ok {
		name = rest
	} else {
		return false
	}
	switch name {
	case "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "¹", "²", "³":
		return true
	}
	return false
}

// DescribeMode names the kind of a file that is not a regular file, as a
// person reads it in an error: "a link", "a pipe".
func DescribeMode(m fs.FileMode) string {
	switch {
	case m&fs.ModeSymlink != 0:
		return "a link"
	case m&fs.ModeIrregular != 0:
		return "a junction or other reparse point"
	case m.IsDir():
		return "a folder"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m&fs.ModeNamedPipe != 0:
		return "a pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	}
	return "not a regular file (" + m.Type().String() + ")"
}

// writeStraight writes into an existing device or pipe.
func writeStraight(path string, write func(io.Writer) error) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	if err := write(f); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

func writeAtomic(path string, write func(io.Writer) error) (err error) {
	tmp, err := createTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("cannot write %s: %w", path, withoutPath(err, ""))
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
		temps.forget(tmp.Name())
	}()
	if err = write(tmp); err != nil {
		return fmt.Errorf("writing %s: %w", path, withoutPath(err, tmp.Name()))
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("writing %s: %w", path, withoutPath(err, tmp.Name()))
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, withoutPath(err, tmp.Name()))
	}
	if err = os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", path, withoutPath(err, tmp.Name()))
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("cannot replace %s: %w", path, withoutPath(err, tmp.Name()))
	}
	return nil
}

// withoutPath is err without the temporary file's name, which the user
// never gave and cannot act on: the operating system's reason is kept. An
// empty name matches any path (creating the temporary file).
func withoutPath(err error, name string) error {
	var pathErr *fs.PathError
	if errors.As(err, &pathErr) && (name == "" || pathErr.Path == name) {
		return pathErr.Err
	}
	var linkErr *os.LinkError
	if errors.As(err, &linkErr) {
		return linkErr.Err
	}
	return err
}

// temps are the temporary files of writes in flight, removed when the
// process is interrupted (RemoveTempFilesOnSignal).
var temps = tempFiles{names: map[string]bool{}}

type tempFiles struct {
	mu      sync.Mutex
	names   map[string]bool
	closing bool
}

var errInterrupted = errors.New("interrupted")

// createTemp is os.CreateTemp, with the file tracked until forgotten.
func createTemp(dir, pattern string) (*os.File, error) {
	return TrackTemp(func() (*os.File, error) { return os.CreateTemp(dir, pattern) })
}

// TrackTemp creates a temporary file with create and remembers it, so that
// an interruption (RemoveTempFilesOnSignal) removes it; call ForgetTemp
// with its name once it is renamed or removed. It is for writes that
// rename into place themselves. Once the process is being interrupted it
// creates nothing.
func TrackTemp(create func() (*os.File, error)) (*os.File, error) {
	temps.mu.Lock()
	defer temps.mu.Unlock()
	if temps.closing {
		return nil, errInterrupted
	}
	f, err := create()
	if err == nil {
		temps.names[f.Name()] = true
	}
	return f, err
}

// ForgetTemp says the file from TrackTemp is renamed or removed.
func ForgetTemp(name string) { temps.forget(name) }

func (t *tempFiles) forget(name string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.names, name)
}

// removeAll removes every temporary file in flight and refuses new ones.
func (t *tempFiles) removeAll() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.closing = true
	for name := range t.names {
		os.Remove(name)
	}
	clear(t.names)
}

// RemoveTempFilesOnSignal makes SIGINT, SIGTERM and SIGHUP remove the
// temporary files of writes in flight, then call exit with the
// conventional code, 128 + the signal's number (130 for Ctrl+C). stop
// returns the signals to their default.
func RemoveTempFilesOnSignal(exit func(code int)) (stop func()) {
	sigs := make(chan os.Signal, 1)
	done := make(chan struct{})
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	go func() {
		select {
		case sig := <-sigs:
			temps.removeAll()
			code := 1
			if n, ok := sig.(syscall.Signal); ok {
				code = 128 + int(n)
			}
			exit(code)
		case <-done:
		}
	}()
	return func() {
		signal.Stop(sigs)
		close(done)
	}
}
