// Package declared loads checks written as data (YAML checks files): the
// custom checks a practice or its IT supplier adds without a rebuild, and
// the built-in checks that are plain policy reads. A declared check runs in
// the same engine as a Go check: it declares its reads, judges only from
// observations, and says unknown or needs_admin when a read fails.
package declared

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"

	"github.com/nhs-dspt/dspt-audit/checks"
	"github.com/nhs-dspt/dspt-audit/checks/checkfile"
	"github.com/nhs-dspt/dspt-audit/standards"
)

// Pack is what loading a set of folders found.
type Pack struct {
	// Checks are the checks loaded, in file order, each with Origin set.
	Checks []*checks.Check
	// Files are the checks files read, loaded or not.
	Files []File
	// Problems say why a file, or a check in it, was not loaded.
	Problems []Problem
}

// File is one checks file read.
type File struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
	// Loaded are the IDs of the checks loaded from it.
	Loaded []string `json:"loaded"`
}

// Problem is why a file, or one check in it, was not loaded.
type Problem struct {
	Path string `json:"path"`
	Line int    `json:"line,omitempty"`
	// ID is the check not loaded; empty when the whole file was not.
	ID      string `json:"id,omitempty"`
	Message string `json:"message"`
}

// Error is the problem on one line: "FILE:LINE: MESSAGE".
func (p Problem) Error() string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", p.Path, p.Line, p.Message)
	}
	return fmt.Sprintf("%s: %s", p.Path, p.Message)
}

// MaxChecks is the most custom checks loaded from all files together; a
// file that would take the total past it is not loaded.
const MaxChecks = 2000

// LoadDirs reads every checks file (*.yaml, *.yml) in each folder, in
// name order, refusing IDs that clash with builtin or with each other. A
// folder that does not exist is skipped; one that cannot be read is a
// Problem. A bad file never stops the others from loading.
func LoadDirs(dirs []string, builtin []*checks.Check) *Pack {
	l := newLoader(builtin)
	for _, dir := range dirs {
		l.dir(dir, true)
	}
	return l.pack
}

// LoadPaths loads checks files and folders of them, as `checks validate`
// does: a path that does not exist is a Problem.
func LoadPaths(paths []string, builtin []*checks.Check) *Pack {
	l := newLoader(builtin)
	for _, p := range paths {
		info, err := os.Stat(p)
		switch {
		case err != nil:
			l.problem(p, 0, "", "%s", fileErr(err))
		case info.IsDir():
			l.dir(p, false)
		default:
			l.file(p)
		}
	}
	return l.pack
}

// LoadFile loads one checks file's contents as custom checks; path names
// it in the pack.
func LoadFile(path string, data []byte, builtin []*checks.Check) *Pack {
	l := newLoader(builtin)
	l.add(path, data)
	return l.pack
}

// loader gathers a pack, file by file.
type loader struct {
	pack    *Pack
	builtin map[string]bool
	taken   map[string]string // custom check ID -> FILE:LINE that loaded it
	opts    checkfile.Options
}

func newLoader(builtin []*checks.Check) *loader {
	l := &loader{
		pack:    &Pack{},
		builtin: map[string]bool{},
		taken:   map[string]string{},
		opts:    checkfile.Options{Custom: true, Prefix: checks.CustomPrefix, Items: builtinItems()},
	}
	for _, c := range builtin {
		l.builtin[c.ID] = true
	}
	l.opts.Builtin = l.builtin
	return l
}

// builtinItems is the toolkit's item list a custom check's DSPT items are
// checked against: the built-in one, decoded once.
var builtinItems = sync.OnceValue(func() *standards.DSPTItemFile {
	d, err := standards.Load()
	if err != nil {
		return nil
	}
	return &d.DSPT
})

// maxMessage bounds a problem's message, which may quote the file: a
// result records it (report's limit is 2,048 bytes).
const maxMessage = 512

func (l *loader) problem(path string, line int, id, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if len(msg) > maxMessage {
		msg = strings.ToValidUTF8(msg[:maxMessage-3], "") + "..."
	}
	l.pack.Problems = append(l.pack.Problems, Problem{Path: path, Line: line, ID: id, Message: msg})
}

func (l *loader) dir(dir string, missingOK bool) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		if !(missingOK && errors.Is(err, fs.ErrNotExist)) {
			l.problem(dir, 0, "", "%s", fileErr(err))
		}
		return
	}
	for _, e := range entries {
		ext := strings.ToLower(filepath.Ext(e.Name()))
		if !e.IsDir() && (ext == ".yaml" || ext == ".yml") {
			l.file(filepath.Join(dir, e.Name()))
		}
	}
}

func (l *loader) file(path string) {
	data, msg := readBounded(path)
	if msg != "" {
		l.problem(path, 0, "", "%s", msg)
		return
	}
	l.add(path, data)
}

// readBounded reads a regular file of at most one byte more than a checks
// file may have, so that an oversized one is refused with its line. It
// refuses links, FIFOs and devices before opening, and again after (a file
// swapped in between), so that nothing in a checks folder can block a scan
// or lead the loader to a file elsewhere. The message says why, plainly.
func readBounded(path string) ([]byte, string) {
	info, err := os.Lstat(path)
	if err != nil {
		return nil, fileErr(err)
	}
	if msg := notRegular(path, info); msg != "" {
		return nil, msg
	}
	f, err := openNoBlock(path)
	if err != nil {
		return nil, fileErr(err)
	}
	defer f.Close()
	info, err = f.Stat()
	if err != nil {
		return nil, fileErr(err)
	}
	if !info.Mode().IsRegular() {
		return nil, "is not a regular file (it changed while being read)"
	}
	data, err := io.ReadAll(io.LimitReader(f, checkfile.MaxSize+1))
	if err != nil {
		return nil, fileErr(err)
	}
	return data, ""
}

// notRegular says why a file that is not a regular file is refused.
func notRegular(path string, info fs.FileInfo) string {
	mode := info.Mode()
	switch {
	case mode.IsRegular():
		return ""
	case mode&fs.ModeSymlink != 0:
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			return "is a link to a file that does not exist: put the file itself in the folder"
		}
		return "is a link: put the file itself in the folder"
	case mode&fs.ModeNamedPipe != 0:
		return "is a named pipe (FIFO), not a checks file"
	case mode&fs.ModeSocket != 0:
		return "is a socket, not a checks file"
	case mode&fs.ModeDevice != 0:
		return "is a device, not a checks file"
	case mode.IsDir():
		return "is a folder, not a checks file"
	}
	return "is not a regular file"
}

// fileErr says plainly why a file or folder could not be read, never with
// the raw error of the system.
func fileErr(err error) string {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "does not exist"
	case errors.Is(err, fs.ErrPermission):
		return "cannot be read: permission denied"
	case errors.Is(err, syscall.ELOOP):
		return "is a link: put the file itself in the folder"
	}
	return "cannot be read"
}

func (l *loader) add(path string, data []byte) {
	sum := sha256.Sum256(data)
	file := File{Path: path, SHA256: hex.EncodeToString(sum[:]), Loaded: []string{}}
	specs, problems := checkfile.Parse(data, l.opts)
	if n := len(l.pack.Checks); n+len(specs) > MaxChecks {
		l.problem(path, 0, "", "not loaded: its checks would take the custom checks past %d in all (%d are loaded already)", MaxChecks, n)
		l.pack.Files = append(l.pack.Files, file)
		return
	}
	for _, p := range problems {
		l.problem(path, p.Line, p.ID, "%s", p.Msg)
	}
	for _, s := range specs {
		if at, dup := l.taken[s.ID]; dup {
			l.problem(path, s.Line, s.ID, "id %s is taken by the check at %s", s.ID, at)
		} else {
			l.taken[s.ID] = fmt.Sprintf("%s:%d", path, s.Line)
			l.pack.Checks = append(l.pack.Checks, checks.FromFile(s, path))
			file.Loaded = append(file.Loaded, s.ID)
		}
	}
	l.pack.Files = append(l.pack.Files, file)
}
