package standards

import "fmt"

// Status is the verdict of one check on one machine.
type Status int

// The verdict statuses. Unknown and NeedsAdmin mean the tool could not tell;
// they never count as a pass.
const (
	Unknown Status = iota
	Pass
	Warn
	Fail
	NotApplicable
	NeedsAdmin
)

var statusNames = [...]string{
	Unknown:       "unknown",
	Pass:          "pass",
	Warn:          "warn",
	Fail:          "fail",
	NotApplicable: "not_applicable",
	NeedsAdmin:    "needs_admin",
}

func (s Status) String() string {
	if int(s) < len(statusNames) {
		return statusNames[s]
	}
	return fmt.Sprintf("status(%d)", int(s))
}

// Label is the status as a person reads it in a report: "needs admin",
// "n/a". JSON and CSV keep String's names.
func (s Status) Label() string {
	switch s {
	case NotApplicable:
		return "n/a"
	case NeedsAdmin:
		return "needs admin"
	}
	return s.String()
}

// Determined reports whether the tool could tell pass, warn or fail.
func (s Status) Determined() bool { return s == Pass || s == Warn || s == Fail }

// MarshalText writes the status as its name.
func (s Status) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a status name.
func (s *Status) UnmarshalText(b []byte) error {
	for i, n := range statusNames {
		if n == string(b) {
			*s = Status(i)
			return nil
		}
	}
	return fmt.Errorf("unknown status %q", b)
}

// Severity says how much a failing check matters. Its weight drives scoring.
type Severity int

// The severities, lowest first.
const (
	Low Severity = iota + 1
	Medium
	High
	Critical
)

var severityNames = map[Severity]string{Low: "low", Medium: "medium", High: "high", Critical: "critical"}

func (s Severity) String() string {
	if n, ok := severityNames[s]; ok {
		return n
	}
	return fmt.Sprintf("severity(%d)", int(s))
}

// Weight is the severity's weight in a standard's score: low 1, medium 2,
// high 3, critical 4.
func (s Severity) Weight() float64 { return float64(s) }

// ParseSeverity reads a severity name such as "high".
func ParseSeverity(name string) (Severity, error) {
	for s, n := range severityNames {
		if n == name {
			return s, nil
		}
	}
	return 0, fmt.Errorf("unknown severity %q: use low, medium, high or critical", name)
}

// MarshalText writes the severity as its name.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a severity name.
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}
