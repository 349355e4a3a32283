package main

import (
	"cmp"
	"time"
)

// The bounds of the numeric flags. Beyond them a value is a slip of the
// keyboard; a day count beyond about 106,751 days would also overflow a
// time.Duration and turn negative.
const (
	maxStaleDays       = 36500 // a hundred years
	maxProbeTimeout    = time.Hour
	maxDownloadTimeout = time.Hour
)

// inRange is a usage error unless lo <= v <= hi.
func inRange[T cmp.Ordered](flag string, v, lo, hi T) error {
	if v < lo || v > hi {
		return usagef("--%s must be between %v and %v, got %v", flag, lo, hi, v)
	}
	return nil
}
