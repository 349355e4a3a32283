package standards

import (
	"fmt"
	"strconv"
	"time"
)

// Date is a calendar day, written as 2006-01-02. Lifecycle facts are days,
// not instants; a day ends at midnight UTC at its close.
type Date struct{ time.Time }

// ParseDate reads a 2006-01-02 day.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("date %q is not of the form YYYY-MM-DD", s)
	}
	return Date{t}, nil
}

// MustDate is ParseDate for constants in tests and tables.
func MustDate(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// DayOf is the calendar day (in UTC) of an instant.
func DayOf(t time.Time) Date {
	y, m, d := t.UTC().Date()
	return Date{time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
}

func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return d.Format(time.DateOnly)
}

// DaysUntil is the number of whole days from d to e (negative when e is earlier).
func (d Date) DaysUntil(e Date) int { return int(e.Sub(d.Time).Hours() / 24) }

// MarshalText writes the day as 2006-01-02.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads a 2006-01-02 day.
func (d *Date) UnmarshalText(b []byte) error {
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// PatchTuesday is the second Tuesday of the month of d, when Microsoft
// releases its monthly security updates (shared/windows-facts.md section 3).
func PatchTuesday(year int, month time.Month) Date {
	first := time.Date(year, month, 1, 0, 0, 0, 0, time.UTC)
	offset := (int(time.Tuesday) - int(first.Weekday()) + 7) % 7
	return Date{first.AddDate(0, 0, offset+7)}
}

// NextPatchTuesday is the first Patch Tuesday strictly after d.
func NextPatchTuesday(d Date) Date {
	pt := PatchTuesday(d.Year(), d.Month())
	if pt.After(d.Time) {
		return pt
	}
	next := d.AddDate(0, 1, 1-d.Day())
	return PatchTuesday(next.Year(), next.Month())
}

// MarshalJSON writes the day as a JSON string; without it the embedded
// time.Time's would write an instant.
func (d Date) MarshalJSON() ([]byte, error) { return []byte(`"` + d.String() + `"`), nil }

// UnmarshalJSON reads a "2006-01-02" JSON string.
func (d *Date) UnmarshalJSON(b []byte) error {
	s, err := strconv.Unquote(string(b))
	if err != nil {
		return fmt.Errorf("date %s is not a string", b)
	}
	return d.UnmarshalText([]byte(s))
}
