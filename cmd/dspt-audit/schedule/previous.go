package schedule

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/nhs-dspt/dspt-audit/report"
)

// ReadPrevious reads the host's result that dir holds (HOST.json, or the
// name earlier versions gave it) before a run replaces it. It returns an
// error wrapping fs.ErrNotExist when there is none. Others may write into
// dir, so the file is reached through an os.Root that cannot leave it, a
// link or anything but a regular file is refused, and at most limit bytes
// are read.
func ReadPrevious(dir, host string, limit int64) (body []byte, path string, err error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, "", err
	}
	defer root.Close()
	for _, name := range FileNames(host) {
		path = filepath.Join(dir, name)
		info, err := root.Lstat(name)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, path, err
		}
		if !info.Mode().IsRegular() {
			return nil, path, fmt.Errorf("%s is not a regular file (%s)", path, report.DescribeMode(info.Mode()))
		}
		f, err := root.Open(name)
		if err != nil {
			return nil, path, err
		}
		defer f.Close()
		body, err = io.ReadAll(io.LimitReader(f, limit+1))
		if err != nil {
			return nil, path, err
		}
		if int64(len(body)) > limit {
			return nil, path, fmt.Errorf("%s is larger than %s, the most a result is read to", path, report.SizeText(limit))
		}
		return body, path, nil
	}
	return nil, "", fmt.Errorf("no earlier result of %s in %s: %w", host, dir, fs.ErrNotExist)
}

// ReadLocalPrevious reads this machine's last result from the state
// folder, where the runs keep their own copies: HOST.json when it is one
// accept takes, otherwise (the first run after a rename) the newest result
// there that accept takes. accept says whether a result (its bytes and
// what they decode to) is this machine's: on Windows users can create
// files in a folder under ProgramData, so it must not take the folder's
// word. It returns an error wrapping fs.ErrNotExist when there is none.
func ReadLocalPrevious(stateDir, host string, limit int64, accept func([]byte, *report.Report) bool) (body []byte, path string, err error) {
	ofThisMachine := func(b []byte) (*report.Report, bool) {
		rep, err := report.Decode(b)
		return rep, err == nil && accept(b, rep)
	}
	if b, p, err := ReadPrevious(stateDir, host, limit); err == nil {
		if _, ok := ofThisMachine(b); ok {
			return b, p, nil
		}
	}
	entries, err := os.ReadDir(stateDir)
	if err != nil {
		return nil, "", fmt.Errorf("no earlier result in %s: %w", stateDir, fs.ErrNotExist)
	}
	var newest time.Time
	for _, e := range entries {
		other, ok := HostOfFileName(e.Name())
		if !ok || !e.Type().IsRegular() {
			continue
		}
		b, p, err := ReadPrevious(stateDir, other, limit)
		if err != nil {
			continue
		}
		if rep, ok := ofThisMachine(b); ok && (body == nil || rep.ScannedAt.After(newest)) {
			body, path, newest = b, p, rep.ScannedAt
		}
	}
	if body == nil {
		return nil, "", fmt.Errorf("no earlier result of this machine in %s: %w", stateDir, fs.ErrNotExist)
	}
	return body, path, nil
}
