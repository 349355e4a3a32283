package standards

// StatusChange is how one check's verdict moved between two results of a
// machine. The diff, the nightly regression event and the fleet trend all
// classify with ClassifyChange, so they never disagree.
type StatusChange int

// The kinds of change, from the reader's point of view.
const (
	Unchanged  StatusChange = iota
	Fixed                   // warn or fail before, pass now
	Improved                // fail before, warn now
	NewFailure              // unknown, n/a or absent before, warn or fail now
	Regressed               // pass before, warn or fail now; warn before, fail now; determined before, unknown now
	Added                   // absent before, pass, n/a or unknown now
	Removed                 // present before, absent now
	Other                   // any other move (pass to n/a, unknown to needs admin)
	// NowKnown is unknown or needs admin before, pass now: the tool can now
	// see a setting that may have been right all along, so it is no
	// improvement to show an inspector.
	NowKnown
)

var changeNames = [...]string{
	Unchanged:  "unchanged",
	Fixed:      "fixed",
	Improved:   "improved",
	NewFailure: "new_failure",
	Regressed:  "regressed",
	Added:      "added",
	Removed:    "removed",
	Other:      "other",
	NowKnown:   "now_known",
}

func (c StatusChange) String() string {
	if int(c) >= 0 && int(c) < len(changeNames) {
		return changeNames[c]
	}
	return "change(?)"
}

// MarshalText writes the change as its name.
func (c StatusChange) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// Worse reports whether the change is one a person must look at: a
// regression or a new failure.
func (c StatusChange) Worse() bool { return c == Regressed || c == NewFailure }

// Better reports whether the change is an improvement to show an inspector.
func (c StatusChange) Better() bool { return c == Fixed || c == Improved }

// ClassifyChange says how a check moved from before to after; had says
// whether each side had the check at all.
func ClassifyChange(before, after Status, hadBefore, hadAfter bool) StatusChange {
	switch {
	case !hadBefore && !hadAfter:
		return Unchanged
	case !hadAfter:
		return Removed
	case !hadBefore:
		if after == Warn || after == Fail {
			return NewFailure
		}
		return Added
	case before == after:
		return Unchanged
	}
	failing := func(s Status) bool { return s == Warn || s == Fail }
	switch {
	case before == Pass && failing(after), before == Warn && after == Fail:
		return Regressed
	case before.Determined() && !after.Determined() && after != NotApplicable:
		return Regressed
	case failing(before) && after == Pass:
		return Fixed
	case before == Fail && after == Warn:
		return Improved
	case !before.Determined() && failing(after):
		return NewFailure
	case (before == Unknown || before == NeedsAdmin) && after == Pass:
		return NowKnown
	}
	return Other
}
