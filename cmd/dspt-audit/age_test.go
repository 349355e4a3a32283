package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestReportShowsResultAge: a result rendered 68 days after its scan says
// so, and that it is stale, on the first lines; rendered the same day it
// does not.
func TestReportShowsResultAge(t *testing.T) {
	saved := filepath.Join(tempDir(t), "pc1.json")
	if code, _, errOut := runArgs(t, "scan", "--from", profiles+"win10-1607-wannacry-era.json", "-o", saved); code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, tc := range []struct{ now, want string }{
		{"2026-11-23T18:00:00Z", "Age:      less than a day old (scanned 2026-11-23)"},
		{"2027-01-31", "Age:      STALE: 68 days old (scanned 2026-11-23)"},
	} {
		s, out, errOut := testStreams()
		s.Getenv = func(k string) string {
			if k == "DSPT_AUDIT_NOW" {
				return tc.now
			}
			return ""
		}
		if code := run([]string{"report", "convert", saved}, s); code != exitOK {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		head := strings.Join(strings.SplitN(out.String(), "\n", 8)[:7], "\n")
		if !strings.Contains(head, tc.want) {
			t.Errorf("now %s: the first lines lack %q:\n%s", tc.now, tc.want, head)
		}
	}
}
