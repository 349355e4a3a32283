package schedule

import (
	"fmt"
	"strings"
	"time"

	"github.com/nhs-dspt/dspt-audit/report"
	"github.com/nhs-dspt/dspt-audit/standards"
)

// EventSource is the Application log source every scheduled run writes
// as. It is registered at install with EventCreate.exe as its message file,
// which limits event IDs to 1-1000 (windows-facts.md §7e).
const EventSource = "dspt-audit"

// Level is an event's level in the Event Log (and syslog priority in the
// journal).
type Level int

// The levels.
const (
	Info Level = iota
	Warning
	Error
)

// Event IDs of a scheduled run, documented in the README for those who
// forward them (Windows Event Forwarding, a SIEM agent).
const (
	EventMet         = 100 // Information: result written; Standards Met
	EventApproaching = 101 // Warning: result written; Approaching Standards
	EventNotMet      = 102 // Warning: result written; Standards Not Met
	EventNotAssessed = 103 // Warning: result written; nothing could be assessed
	EventRegressed   = 104 // Warning: after the outcome event, checks worse than in the machine's previous result
	EventFailed      = 200 // Error: the scan, or writing its result, failed
	EventDataFailed  = 201 // Warning: --update-data could not refresh the reference data; the scan went on
	EventHistory     = 202 // Warning: after the outcome event (and 104): the compact history could not be kept; the result was written
)

// Event is the one summary entry a scheduled run writes.
type Event struct {
	ID    uint32
	Level Level
	// Message is one line; its control characters are made visible by
	// the constructors, and again by Log.
	Message string
}

// OutcomeEvent is the event of a run that wrote its result.
func OutcomeEvent(host string, outcome standards.Outcome, score *int, failing []string, path string) Event {
	id, level := uint32(EventMet), Info
	switch outcome {
	case standards.Approaching:
		id, level = EventApproaching, Warning
	case standards.NotMet:
		id, level = EventNotMet, Warning
	case standards.NotAssessed:
		id, level = EventNotAssessed, Warning
	}
	msg := fmt.Sprintf("dspt-audit scheduled scan of %s: %s", host, outcome)
	if score != nil {
		msg += fmt.Sprintf(" (score %d)", *score)
	}
	if len(failing) > 0 {
		msg += fmt.Sprintf("; %d failing: %s", len(failing), strings.Join(failing, ", "))
	}
	return Event{ID: id, Level: level, Message: report.Sanitize(msg + ". Result: " + path)}
}

// FailedEvent is the event of a run that could not scan or write.
func FailedEvent(host string, err error) Event {
	return Event{ID: EventFailed, Level: Error, Message: report.Sanitize(fmt.Sprintf("dspt-audit scheduled scan of %s failed: %v", host, err))}
}

// DataFailedEvent is the event of a run whose data refresh failed; the scan
// goes on with the data it has.
func DataFailedEvent(host string, err error) Event {
	return Event{ID: EventDataFailed, Level: Warning, Message: report.Sanitize(fmt.Sprintf("dspt-audit could not refresh the reference data on %s; the scan used the data it had: %v", host, err))}
}

// maxEventIDs is how many check IDs one event names; the rest are counted.
const maxEventIDs = 20

// RegressionEvent is the event of a run that found checks worse than in
// the machine's previous result (scanned at since; this one at now),
// naming them, so that Event Forwarding or a SIEM can alert the morning
// after. When nothing could be assessed this run (event 103), it says so
// and counts the checks no longer determined rather than naming them all.
func RegressionEvent(host string, since, now time.Time, nothingAssessed bool, regressed, newFailures []string, path string) Event {
	var parts []string
	switch {
	case nothingAssessed:
		parts = append(parts, fmt.Sprintf("nothing could be assessed this run; %d %s determined then %s now unknown",
			len(regressed), plural(len(regressed), "check", "checks"), plural(len(regressed), "is", "are")))
	case len(regressed) > 0:
		parts = append(parts, fmt.Sprintf("%d regressed: %s", len(regressed), idList(regressed)))
	}
	if len(newFailures) > 0 {
		parts = append(parts, fmt.Sprintf("%d newly failing: %s", len(newFailures), idList(newFailures)))
	}
	when := since.UTC().Format("2006-01-02 15:04 UTC")
	if since.After(now) {
		when += fmt.Sprintf(", later than this scan (%s): the clock went backwards", now.UTC().Format("2006-01-02 15:04 UTC"))
	}
	msg := fmt.Sprintf("dspt-audit scheduled scan of %s: checks worse than at the previous scan (%s): %s. Result: %s",
		host, when, strings.Join(parts, "; "), path)
	return Event{ID: EventRegressed, Level: Warning, Message: report.Sanitize(msg)}
}

// HistoryEvent is the event of a run whose compact history could not be
// kept: the result was written, and the outcome event says how it went.
func HistoryEvent(host string, err error) Event {
	return Event{ID: EventHistory, Level: Warning, Message: report.Sanitize(fmt.Sprintf(
		"dspt-audit scheduled scan of %s: the result was written, but the compact history 'fleet --trend' reads was not kept: %v", host, err))}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
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
