package standards

import "testing"

func TestPatchTuesday(t *testing.T) {
	// Dates from Microsoft's update history (shared/windows-facts.md 3a).
	for _, want := range []string{"2024-01-09", "2024-02-13", "2025-01-14", "2025-10-14", "2026-09-08", "2026-10-13", "2026-11-10", "2026-12-08"} {
		d := MustDate(want)
		if got := PatchTuesday(d.Year(), d.Month()); got != d {
			t.Errorf("PatchTuesday(%d, %s) = %s, want %s", d.Year(), d.Month(), got, want)
		}
	}
}

func TestNextPatchTuesday(t *testing.T) {
	tests := []struct{ from, want string }{
		{"2026-09-08", "2026-10-13"}, // on a Patch Tuesday: the next one
		{"2026-09-07", "2026-09-08"},
		{"2026-07-18", "2026-08-11"}, // an out-of-band date
		{"2026-12-31", "2027-01-12"},
	}
	for _, tt := range tests {
		if got := NextPatchTuesday(MustDate(tt.from)); got.String() != tt.want {
			t.Errorf("NextPatchTuesday(%s) = %s, want %s", tt.from, got, tt.want)
		}
	}
}
