//go:build race

package fleet

// raceDetector is true when the tests run under -race.
const raceDetector = true
