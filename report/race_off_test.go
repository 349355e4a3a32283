//go:build !race

package report

// raceDetector is true when the tests run under -race.
const raceDetector = false
