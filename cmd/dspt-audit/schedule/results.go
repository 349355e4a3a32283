package schedule

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/nhs-dspt/dspt-audit/report"
)

// HistoryDir is the folder, inside the results folder, holding each host's
// last results. 'fleet' reads it only with --recursive.
const HistoryDir = "history"

// historyName is a history file's name: the scan time in UTC, so names
// sort by time.
const historyName = "20060102T150405Z"

var historyFile = regexp.MustCompile(`^\d{8}T\d{6}Z\.json$`)

// FileName is the host's result file name: HOST.json, with anything a
// share or a file system could object to replaced.
func FileName(host string) string {
	safe := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			return r
		}
		return '_'
	}, strings.TrimSpace(host))
	safe = strings.Trim(safe, ".")
	if safe == "" {
		safe = "unnamed-host"
	}
	return safe + ".json"
}

// WriteResult writes one scan result into dir as HOST.json, atomically, and
// a copy into history/HOST/, keeping the newest keep copies there. It
// returns the path of HOST.json. A history failure does not undo HOST.json:
// the newest result matters most.
func WriteResult(dir, host string, scannedAt time.Time, keep int, write func(io.Writer) error) (string, error) {
	path := filepath.Join(dir, FileName(host))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("cannot create the results folder: %w", err)
	}
	if err := report.WriteFileAtomic(path, write); err != nil {
		return "", err
	}
	if keep == 0 {
		return path, nil
	}
	hist := filepath.Join(dir, HistoryDir, strings.TrimSuffix(FileName(host), ".json"))
	if err := os.MkdirAll(hist, 0o755); err != nil {
		return path, fmt.Errorf("result written to %s, but not to its history: %w", path, err)
	}
	copyPath := filepath.Join(hist, scannedAt.UTC().Format(historyName)+".json")
	if err := report.WriteFileAtomic(copyPath, write); err != nil {
		return path, fmt.Errorf("result written to %s, but not to its history: %w", path, err)
	}
	return path, prune(hist, keep)
}

// prune removes all but the newest keep history files. Only files named as
// WriteResult names them are touched.
func prune(dir string, keep int) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("cannot tidy %s: %w", dir, err)
	}
	var names []string
	for _, e := range entries {
		if e.Type().IsRegular() && historyFile.MatchString(e.Name()) {
			names = append(names, e.Name())
		}
	}
	slices.Sort(names)
	for _, name := range names[:max(0, len(names)-keep)] {
		if err := os.Remove(filepath.Join(dir, name)); err != nil {
			return fmt.Errorf("cannot tidy %s: %w", dir, err)
		}
	}
	return nil
}
