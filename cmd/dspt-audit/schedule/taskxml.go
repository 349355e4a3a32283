package schedule

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"
)

// The Task Scheduler task definition:
// https://learn.microsoft.com/windows/win32/taskschd/task-scheduler-schema
// (windows-facts.md §7d: registered as XML, since "run as soon as possible
// after a missed start", battery and idle settings need the XML or COM).
type task struct {
	XMLName      xml.Name     `xml:"Task"`
	Version      string       `xml:"version,attr"`
	Xmlns        string       `xml:"xmlns,attr"`
	Registration registration `xml:"RegistrationInfo"`
	Triggers     triggers     `xml:"Triggers"`
	Principals   principals   `xml:"Principals"`
	Settings     settings     `xml:"Settings"`
	Actions      actions      `xml:"Actions"`
}

type registration struct {
	Author      string `xml:"Author"`
	Description string `xml:"Description"`
	URI         string `xml:"URI"`
}

type triggers struct {
	Calendar calendarTrigger `xml:"CalendarTrigger"`
}

type calendarTrigger struct {
	// The schema's sequence: triggerBaseType's elements (Enabled,
	// StartBoundary, ...), then RandomDelay, then the schedule.
	Enabled       bool   `xml:"Enabled"`
	StartBoundary string `xml:"StartBoundary"`
	RandomDelay   string `xml:"RandomDelay,omitempty"`
	DaysInterval  int    `xml:"ScheduleByDay>DaysInterval"`
}

type principals struct {
	Principal principal `xml:"Principal"`
}

type principal struct {
	ID       string `xml:"id,attr"`
	UserID   string `xml:"UserId"`
	RunLevel string `xml:"RunLevel"`
}

type settings struct {
	MultipleInstances          string `xml:"MultipleInstancesPolicy"`
	DisallowStartIfOnBatteries bool   `xml:"DisallowStartIfOnBatteries"`
	StopIfGoingOnBatteries     bool   `xml:"StopIfGoingOnBatteries"`
	AllowHardTerminate         bool   `xml:"AllowHardTerminate"`
	StartWhenAvailable         bool   `xml:"StartWhenAvailable"`
	RunOnlyIfNetworkAvailable  bool   `xml:"RunOnlyIfNetworkAvailable"`
	StopOnIdleEnd              bool   `xml:"IdleSettings>StopOnIdleEnd"`
	RestartOnIdle              bool   `xml:"IdleSettings>RestartOnIdle"`
	AllowStartOnDemand         bool   `xml:"AllowStartOnDemand"`
	Enabled                    bool   `xml:"Enabled"`
	Hidden                     bool   `xml:"Hidden"`
	RunOnlyIfIdle              bool   `xml:"RunOnlyIfIdle"`
	WakeToRun                  bool   `xml:"WakeToRun"`
	ExecutionTimeLimit         string `xml:"ExecutionTimeLimit"`
	Priority                   int    `xml:"Priority"`
}

type actions struct {
	Context string     `xml:"Context,attr"`
	Exec    execAction `xml:"Exec"`
}

type execAction struct {
	Command   string `xml:"Command"`
	Arguments string `xml:"Arguments"`
}

// TaskVersion is the task definition's schema version. [MS-TSCH] allows
// 1.0 to 1.4 (1.2 Windows 7, 1.3 Windows 8, 1.4 Windows 10); 1.3 is the
// version Microsoft's published XSD fixes, so every definition written can
// be proved valid against it, and every Windows the tool supports (10 and
// 11) reads it. The definition uses no element newer than 1.2.
const TaskVersion = "1.3"

// MaxCommand is the schema's limit (pathType) on the Exec action's Command,
// counted in characters as written: with the quotes around the path.
const MaxCommand = 260

// TaskXML is the task definition for the plan, as text. The principal is
// LocalSystem by SID with the highest run level; the command is the
// executable's path in quotes, so a path with spaces cannot be read as a
// shorter program path (the unquoted service path hole, CWE-428).
func TaskXML(p Plan, today time.Time) (string, error) {
	command := quoteWindowsCommand(p.Exe)
	if n := utf8.RuneCountInString(command); n > MaxCommand {
		return "", fmt.Errorf("the executable path %s is too long for a scheduled task: %d characters with its quotes, and Task Scheduler takes at most %d; install dspt-audit in a shorter folder", p.Exe, n, MaxCommand)
	}
	t := task{
		Version: TaskVersion,
		Xmlns:   "http://schemas.microsoft.com/windows/2004/02/mit/task",
		Registration: registration{
			Author:      "dspt-audit",
			Description: fmt.Sprintf("Nightly NHS data security standards (DSPT) machine audit. Writes HOST.json to %s and an event (source dspt-audit) to the Application log.", p.ResultsDir),
			URI:         TaskPath,
		},
		Triggers: triggers{Calendar: calendarTrigger{
			StartBoundary: time.Date(today.Year(), today.Month(), today.Day(), p.Hour, p.Minute, 0, 0, time.UTC).Format("2006-01-02T15:04:05"),
			RandomDelay:   isoDuration(p.RandomDelay),
			Enabled:       true,
			DaysInterval:  1,
		}},
		Principals: principals{Principal: principal{ID: "Author", UserID: SystemSID, RunLevel: "HighestAvailable"}},
		Settings: settings{
			MultipleInstances:  "IgnoreNew",
			AllowHardTerminate: true,
			StartWhenAvailable: true, // a PC that was off at 02:00 scans when it is next on
			AllowStartOnDemand: true,
			Enabled:            true,
			ExecutionTimeLimit: isoDuration(RunTimeLimit),
			Priority:           7, // below normal: the user's work comes first
		},
		Actions: actions{Context: "Author", Exec: execAction{
			Command:   command,
			Arguments: joinWindowsArgs(p.RunArgs()),
		}},
	}
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-16"?>` + "\n")
	enc := xml.NewEncoder(&b)
	enc.Indent("", "  ")
	if err := enc.Encode(t); err != nil {
		return "", err
	}
	return b.String() + "\n", nil
}

// isoDuration writes a duration as XML Schema's PT#H#M#S; "" for zero.
func isoDuration(d time.Duration) string {
	if d <= 0 {
		return ""
	}
	d = d.Round(time.Second)
	s := "PT"
	if h := d / time.Hour; h > 0 {
		s += fmt.Sprintf("%dH", h)
	}
	if m := d % time.Hour / time.Minute; m > 0 {
		s += fmt.Sprintf("%dM", m)
	}
	if sec := d % time.Minute / time.Second; sec > 0 {
		s += fmt.Sprintf("%dS", sec)
	}
	return s
}

// UTF16 encodes the definition as Task Scheduler's own exports are: UTF-16
// little-endian with a byte-order mark, as the XML declaration says.
func UTF16(s string) []byte {
	units := utf16.Encode([]rune(s))
	b := make([]byte, 2, 2+2*len(units))
	b[0], b[1] = 0xFF, 0xFE
	for _, u := range units {
		b = append(b, byte(u), byte(u>>8))
	}
	return b
}

// quoteWindowsCommand puts the program path in quotes. A Windows path
// cannot contain a quote character, so there is nothing to escape.
func quoteWindowsCommand(exe string) string { return `"` + exe + `"` }

// joinWindowsArgs joins arguments into a command line that
// CommandLineToArgvW (and Go's own os.Args) splits back into the same
// arguments: the rules of syscall.EscapeArg, which only builds on Windows.
func joinWindowsArgs(args []string) string {
	quoted := make([]string, len(args))
	for i, a := range args {
		quoted[i] = escapeWindowsArg(a)
	}
	return strings.Join(quoted, " ")
}

func escapeWindowsArg(s string) string {
	if s == "" {
		return `""`
	}
	special := strings.ContainsAny(s, "\"\\")
	space := strings.ContainsAny(s, " \t")
	switch {
	case !special && !space:
		return s
	case !special:
		return `"` + s + `"`
	}
	var b strings.Builder
	if space {
		b.WriteByte('"')
	}
	slashes := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '\\':
			slashes++
		case '"':
			// Backslashes before a quote are doubled, and the quote escaped.
			b.WriteString(strings.Repeat(`\`, slashes+1))
			slashes = 0
		default:
			slashes = 0
		}
		b.WriteByte(c)
	}
	if space {
		// Backslashes before the closing quote are doubled too.
		b.WriteString(strings.Repeat(`\`, slashes))
		b.WriteByte('"')
	}
	return b.String()
}

// summariseXML reads an installed task's definition back into its command
// line and a sentence about when it runs.
func summariseXML(def string) (command, when string) {
	var t task
	if err := xml.Unmarshal([]byte(strings.Replace(def, `encoding="UTF-16"`, `encoding="UTF-8"`, 1)), &t); err != nil {
		return "", "(the task's definition does not parse: " + err.Error() + ")"
	}
	command = strings.TrimSpace(t.Actions.Exec.Command + " " + t.Actions.Exec.Arguments)
	c := t.Triggers.Calendar
	when = "no daily trigger"
	if start, err := time.Parse("2006-01-02T15:04:05", c.StartBoundary); err == nil {
		when = fmt.Sprintf("every %d day(s) at %s local time", max(1, c.DaysInterval), start.Format("15:04"))
		if c.RandomDelay != "" {
			when += ", random delay up to " + strings.ToLower(strings.TrimPrefix(c.RandomDelay, "PT"))
		}
	}
	return command, when
}
