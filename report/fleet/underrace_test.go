package fleet

import "testing"

// underRace says whether this test binary was built with -race, where a
// test that calls it runs smaller, or not at all: the race detector slows
// JSON decoding about tenfold, and the concurrency it watches (Read's
// workers) is the same at any size. .ci/test runs every test that calls
// underRace a second time without -race, in full.
func underRace(t *testing.T) bool {
	t.Helper()
	if raceDetector {
		t.Log("built with -race: run smaller here; .ci/test runs this test in full without -race")
	}
	return raceDetector
}
