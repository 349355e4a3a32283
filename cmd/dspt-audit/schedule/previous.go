package schedule

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/nhs-dspt/dspt-audit/report"
)

// EventRegressed is the ID of the event a run writes, besides its outcome
// event, when a check is worse than in the previous result of the machine.
const EventRegressed = 104 // Warning: checks regressed or newly fail since the previous scan

// maxEventIDs is how many check IDs one event names; the rest are counted.
const maxEventIDs = 20

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

// RegressionEvent is the event of a run that found checks worse than in
// the machine's previous result, naming them, so that Event Forwarding or
// a SIEM can alert the morning after.
func RegressionEvent(host string, since time.Time, regressed, newFailures []string, path string) Event {
	var parts []string
	if len(regressed) > 0 {
		parts = append(parts, fmt.Sprintf("%d regressed: %s", len(regressed), idList(regressed)))
	}
	if len(newFailures) > 0 {
		parts = append(parts, fmt.Sprintf("%d newly failing: %s", len(newFailures), idList(newFailures)))
	}
	msg := fmt.Sprintf("dspt-audit scheduled scan of %s: checks worse than at the previous scan (%s): %s. Result: %s",
		host, since.UTC().Format("2006-01-02 15:04 UTC"), strings.Join(parts, "; "), path)
	return Event{ID: EventRegressed, Level: Warning, Message: report.Sanitize(msg)}
}

// idList names at most maxEventIDs checks, each cut to 60 characters, and
// counts the rest.
func idList(ids []string) string {
	shown := make([]string, 0, min(len(ids), maxEventIDs))
	for _, id := range ids[:min(len(ids), maxEventIDs)] {
		shown = append(shown, report.Truncate(id, 60))
	}
	list := strings.Join(shown, ", ")
	if more := len(ids) - len(shown); more > 0 {
		list += fmt.Sprintf(" and %d more", more)
	}
	return list
}
