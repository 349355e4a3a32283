package main

import "testing"

// underRace says whether this test binary was built with -race, where a
// test that calls it runs smaller, or not at all: the race detector slows
// parsing about tenfold, and a command that starts no goroutine of its own
// has nothing for it to find. .ci/test runs every test that calls
// underRace a second time without -race, in full.
func underRace(t *testing.T) bool {
	t.Helper()
	if raceDetector {
		t.Log("built with -race: run smaller here; .ci/test runs this test in full without -race")
	}
	return raceDetector
}
