package schedule

import (
	"errors"
	"fmt"
	"time"
)

// ErrNotInstalled is Status's and Remove's answer when there is no task.
var ErrNotInstalled = errors.New("the nightly scan is not installed (dspt-audit schedule install sets it up)")

// Status is what the installed schedule says of itself.
type Status struct {
	Name       string // the task path or unit names
	Enabled    bool
	State      string
	Command    string
	Schedule   string
	LastRun    time.Time // zero: never ran
	LastResult string    // the exit code and what it means
	NextRun    time.Time
}

// ExitMeaning says what a scheduled run's exit code means (README: Exit
// codes). Task Scheduler shows it as the Last Run Result.
func ExitMeaning(code int64) string {
	switch code {
	case 0:
		return "0: result written, Standards Met"
	case 1:
		return "1: the scan or writing its result failed (see event 200 in the Application log)"
	case 2:
		return "2: the task's command line is wrong (reinstall with 'dspt-audit schedule install')"
	case 3:
		return "3: result written, standards not met (see the result, or event 101-103)"
	case 0x41303:
		return "the task has not run yet"
	case 0x41301:
		return "the task is running now"
	}
	return fmt.Sprintf("0x%X: the run did not finish normally (stopped, or killed at the %s limit)", uint32(code), RunTimeLimit)
}

// NotElevatedError is returned when installing or removing needs rights
// the caller does not have.
type NotElevatedError struct{ What string }

func (e NotElevatedError) Error() string { return e.What }
