package schedule

import (
	"cmp"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/nhs-dspt/dspt-audit/report"
	"github.com/nhs-dspt/dspt-audit/report/history"
)

// HistoryDir is the folder, inside the results folder, holding each host's
// last results. 'fleet' reads it only with --recursive.
const HistoryDir = "history"

// historyName is a history file's name: the scan time in UTC. Pruning goes
// by when a file was written, not by this claimed time.
const historyName = "20060102T150405Z"

var historyFile = regexp.MustCompile(`^\d{8}T\d{6}Z\.json$`)

// FileName is the host's result file name, HOST.json. Every byte of the
// name a share or a file system could object to is written %XX, so that
// distinct hosts get distinct files (GABINET-Ł1 and GABINET-Ś1, PC 1 and
// PC_1) and the name reads back (HostOfFileName). Letters, digits, - and _
// stay as they are, and so does a dot inside the name: a plain host name
// keeps the file name earlier versions gave it.
func FileName(host string) string {
	host = strings.TrimSpace(host)
	if host == "" {
		return "unnamed-host.json"
	}
	var b strings.Builder
	for i := range len(host) {
		c := host[i]
		if plain(c) || c == '.' && i > 0 && i < len(host)-1 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	name := b.String()
	if report.IsWindowsDeviceName(name) {
		name = fmt.Sprintf("%%%02X", name[0]) + name[1:]
	}
	if len(name) > maxNameLen {
		sum := sha256.Sum256([]byte(host))
		cut := maxNameLen - 20
		if i := strings.LastIndexByte(name[:cut], '%'); i >= cut-2 {
			cut = i // not inside a %XX
		}
		name = name[:cut] + "~" + hex.EncodeToString(sum[:8])
	}
	return name + ".json"
}

// maxNameLen keeps a file name (with .json, and a history folder's
// temporary files) within the 255 characters file systems allow. A longer
// host name gets a cut name and a hash, which still tells hosts apart.
const maxNameLen = 200

func plain(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_'
}

// HostOfFileName is the host name FileName wrote as name.
func HostOfFileName(name string) (string, bool) {
	stem, ok := strings.CutSuffix(name, ".json")
	if !ok {
		return "", false
	}
	var b strings.Builder
	for i := 0; i < len(stem); i++ {
		if stem[i] != '%' {
			b.WriteByte(stem[i])
			continue
		}
		if i+2 >= len(stem) {
			return "", false
		}
		v, err := hex.DecodeString(stem[i+1 : i+3])
		if err != nil {
			return "", false
		}
		b.WriteByte(v[0])
		i += 2
	}
	host := b.String()
	return host, FileName(host) == name
}

// FileNames are the names the host's result may have in a results folder:
// FileName's, then the one earlier versions wrote (non-ASCII, spaces and
// punctuation as _), which is still read.
func FileNames(host string) []string {
	return slices.Compact([]string{FileName(host), legacyFileName(host)})
}

func legacyFileName(host string) string {
	safe := strings.Map(func(r rune) rune {
		if r < 0x80 && plain(byte(r)) || r == '.' {
			return r
		}
		return '_'
	}, strings.TrimSpace(host))
	return cmp.Or(strings.Trim(safe, "."), "unnamed-host") + ".json"
}

// WriteResult writes one scan result into dir as HOST.json, atomically, and
// a copy into history/HOST/, keeping the last keep copies written there. It
// returns the path of HOST.json. A history failure does not undo HOST.json:
// the newest result matters most.
//
// Others may write into dir, so nothing planted there is followed: HOST.json
// is replaced only if it is a regular file, history/ and history/HOST/ must
// be real folders (a link or junction there is refused, naming it), every
// file is reached through an os.Root that cannot leave dir, and only
// regular files named as WriteResult names them are pruned.
func WriteResult(dir, host string, scannedAt time.Time, keep int, write func(io.Writer) error) (string, error) {
	name := FileName(host)
	path := filepath.Join(dir, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("cannot create the results folder: %w", err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return "", fmt.Errorf("cannot open the results folder: %w", err)
	}
	defer root.Close()
	if err := writeIn(root, name, write); err != nil {
		return "", err
	}
	if keep == 0 {
		return path, nil
	}
	hist, err := historyFolder(root, strings.TrimSuffix(name, ".json"))
	if err != nil {
		return path, fmt.Errorf("result written to %s, but not to its history: %w", path, err)
	}
	defer hist.Close()
	if err := writeIn(hist, scannedAt.UTC().Format(historyName)+".json", write); err != nil {
		return path, fmt.Errorf("result written to %s, but not to its history: %w", path, err)
	}
	return path, prune(hist, keep)
}

// historyFolder opens history/HOST inside root, creating what is missing.
func historyFolder(root *os.Root, host string) (*os.Root, error) {
	history, err := subfolder(root, HistoryDir)
	if err != nil {
		return nil, err
	}
	defer history.Close()
	return subfolder(history, host)
}

// subfolder opens the folder name inside root, creating it if missing.
// Only a real folder will do: a link or a junction is refused, never
// followed.
func subfolder(root *os.Root, name string) (*os.Root, error) {
	path := filepath.Join(root.Name(), name)
	if err := root.Mkdir(name, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("cannot create %s: %w", path, err)
	}
	info, err := root.Lstat(name)
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %w", path, err)
	}
	if info.Mode().Type() != fs.ModeDir {
		return nil, fmt.Errorf("%s is not a real folder (%s): refused, nothing written through it", path, report.DescribeMode(info.Mode()))
	}
	sub, err := root.OpenRoot(name)
	if err != nil {
		return nil, fmt.Errorf("cannot open %s: %w", path, err)
	}
	return sub, nil
}

// writeIn writes name inside root through a temporary file renamed into
// place. An existing name that is not a regular file is refused.
func writeIn(root *os.Root, name string, write func(io.Writer) error) (err error) {
	path := filepath.Join(root.Name(), name)
	info, err := root.Lstat(name)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return fmt.Errorf("cannot write %s: %w", path, err)
	case !info.Mode().IsRegular():
		return fmt.Errorf("cannot write %s: it is not a regular file (%s): refused, left as it is", path, report.DescribeMode(info.Mode()))
	}
	tmp := "." + name + ".tmp-" + rand.Text()[:12]
	f, err := report.TrackTemp(func() (*os.File, error) {
		return root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	})
	if err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			f.Close()
			removeIn(root, tmp)
		}
		report.ForgetTemp(f.Name())
	}()
	if err = write(f); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err = root.Chmod(tmp, 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err = renameIn(root, tmp, name); err != nil {
		return fmt.Errorf("cannot replace %s: %w", path, err)
	}
	return nil
}

// renameIn renames inside root, trying again for a moment while Windows
// refuses because another process has the target open.
func renameIn(root *os.Root, from, to string) error {
	err := root.Rename(from, to)
	for try := 1; err != nil && renameContended(err) && try < 20; try++ {
		time.Sleep(time.Duration(try) * 10 * time.Millisecond)
		err = root.Rename(from, to)
	}
	return err
}

// removeIn removes a file inside root.
func removeIn(root *os.Root, name string) error {
	err := root.Remove(name)
	if removeUnsupported(err) {
		// name is a plain file name inside root, checked by the caller.
		return os.Remove(filepath.Join(root.Name(), name))
	}
	return err
}

// removeFile removes a file inside root; tests make it race.
var removeFile = removeIn

// prune removes all but the keep history files written last. Only regular
// files named as WriteResult names them are touched; the order is the
// order of writing (modification time), since the time in a name is only
// what a scan claimed. A file another run removed first is not an error.
func prune(hist *os.Root, keep int) error {
	entries, err := fs.ReadDir(hist.FS(), ".")
	if err != nil {
		return fmt.Errorf("cannot tidy %s: %w", hist.Name(), err)
	}
	type written struct {
		name string
		at   time.Time
	}
	var files []written
	for _, e := range entries {
		if !historyFile.MatchString(e.Name()) {
			continue
		}
		info, err := hist.Lstat(e.Name())
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("cannot tidy %s: %w", hist.Name(), err)
		}
		if info.Mode().IsRegular() {
			files = append(files, written{e.Name(), info.ModTime()})
		}
	}
	slices.SortFunc(files, func(a, b written) int {
		return cmp.Or(a.at.Compare(b.at), strings.Compare(a.name, b.name))
	})
	for _, f := range files[:max(0, len(files)-keep)] {
		if err := removeFile(hist, f.name); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("cannot tidy %s: %w", hist.Name(), err)
		}
	}
	return nil
}

// HistoryFileName is the host's compact history file in history/:
// HOST.HOSTID.history.jsonl (HOST.history.jsonl for a host without an ID),
// each written as FileName writes it. The host ID is in the name so that a
// replaced PC given the old one's name does not overwrite the old machine's
// file: its records stay readable until they age out.
func HistoryFileName(host, hostID string) string {
	name := strings.TrimSuffix(FileName(host), ".json")
	if hostID = strings.ToLower(strings.TrimSpace(hostID)); hostID != "" {
		name += "." + strings.TrimSuffix(FileName(hostID), ".json")
	}
	return name + history.Suffix
}

// legacyHistoryFileName is the name test builds of this release gave the
// file, HOST.history.jsonl, read once to seed the local history.
func legacyHistoryFileName(host string) string {
	return strings.TrimSuffix(FileName(host), ".json") + history.Suffix
}

// LocalHistoryFile is the machine's own compact history in the state
// folder (readable and writable by administrators only): the authoritative
// copy, which the share's file is rewritten from each run.
const LocalHistoryFile = "history.jsonl"

// ReadLocalHistory reads the compact history in the state folder; found is
// false when there is none yet.
func ReadLocalHistory(stateDir string) (recs []history.Record, st history.Stats, found bool, err error) {
	root, err := os.OpenRoot(stateDir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, st, false, nil
	}
	if err != nil {
		return nil, st, false, fmt.Errorf("cannot open the state folder: %w", err)
	}
	defer root.Close()
	f, err := openRegular(root, LocalHistoryFile)
	if err != nil || f == nil {
		return nil, st, false, err
	}
	defer f.Close()
	recs, st, err = history.Read(f)
	if err != nil {
		return nil, st, true, fmt.Errorf("cannot read %s: %w", filepath.Join(stateDir, LocalHistoryFile), err)
	}
	return recs, st, true, nil
}

// WriteLocalHistory replaces the compact history in the state folder,
// atomically.
func WriteLocalHistory(stateDir string, recs []history.Record) error {
	if err := os.MkdirAll(stateDir, 0o755); err != nil {
		return fmt.Errorf("cannot create the state folder: %w", err)
	}
	root, err := os.OpenRoot(stateDir)
	if err != nil {
		return fmt.Errorf("cannot open the state folder: %w", err)
	}
	defer root.Close()
	return writeIn(root, LocalHistoryFile, func(w io.Writer) error { return history.Write(w, recs) })
}

// ReadShareHistory reads the host's compact history in dir/history/ (the
// name HistoryFileName gives it, then the older HOST.history.jsonl), as
// bytes any PC could have written: bounded, links refused. A file that is
// not there is no error.
func ReadShareHistory(dir, host, hostID string) ([]history.Record, history.Stats, error) {
	var all []history.Record
	var total history.Stats
	root, err := os.OpenRoot(filepath.Join(dir, HistoryDir))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, total, nil
	}
	if err != nil {
		return nil, total, err
	}
	defer root.Close()
	for _, name := range slices.Compact([]string{HistoryFileName(host, hostID), legacyHistoryFileName(host)}) {
		f, err := openRegular(root, name)
		if err != nil {
			return all, total, err
		}
		if f == nil {
			continue
		}
		recs, st, err := history.Read(f)
		f.Close()
		all = append(all, recs...)
		total.Records += st.Records
		total.Corrupt += st.Corrupt
		total.TooLarge = total.TooLarge || st.TooLarge
		if err != nil {
			return all, total, err
		}
	}
	return all, total, nil
}

// WriteShareHistory replaces the host's compact history in
// dir/history/HistoryFileName with recs, atomically: a reader sees the old
// file or the new, never half of one. As with WriteResult, nothing planted
// in dir is followed.
func WriteShareHistory(dir, host, hostID string, recs []history.Record) error {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return fmt.Errorf("cannot open the results folder: %w", err)
	}
	defer root.Close()
	hist, err := subfolder(root, HistoryDir)
	if err != nil {
		return err
	}
	defer hist.Close()
	return writeIn(hist, HistoryFileName(host, hostID), func(w io.Writer) error { return history.Write(w, recs) })
}

// openRegular opens name inside root when it is a regular file; nil when
// there is none yet. Anything else is refused, never opened.
func openRegular(root *os.Root, name string) (*os.File, error) {
	path := filepath.Join(root.Name(), name)
	info, err := root.Lstat(name)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("cannot read %s: %w", path, err)
	case !info.Mode().IsRegular():
		return nil, fmt.Errorf("%s is not a regular file (%s): refused, left as it is", path, report.DescribeMode(info.Mode()))
	}
	f, err := root.Open(name)
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %w", path, err)
	}
	if info, err := f.Stat(); err != nil || !info.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("%s is not a regular file: refused, left as it is", path)
	}
	return f, nil
}
