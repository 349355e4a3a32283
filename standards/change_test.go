package standards

import "testing"

func TestClassifyChange(t *testing.T) {
	all := []Status{Unknown, Pass, Warn, Fail, NotApplicable, NeedsAdmin}
	for _, b := range all {
		for _, a := range all {
			got := ClassifyChange(b, a, true, true)
			rank := map[Status]int{Pass: 0, Warn: 1, Fail: 2}
			rb, okb := rank[b]
			ra, oka := rank[a]
			var want StatusChange
			switch {
			case b == a:
				want = Unchanged
			case okb && oka && ra > rb:
				want = Regressed
			case okb && oka && a == Pass:
				want = Fixed
			case okb && oka:
				want = Improved
			case okb && (a == Unknown || a == NeedsAdmin):
				want = Regressed
			case !okb && oka && a != Pass:
				want = NewFailure
			case (b == Unknown || b == NeedsAdmin) && a == Pass:
				want = NowKnown
			default:
				want = Other
			}
			if got != want {
				t.Errorf("%s -> %s: %s, want %s", b, a, got, want)
			}
		}
	}
	if got := ClassifyChange(Unknown, Fail, false, true); got != NewFailure {
		t.Errorf("absent -> fail: %s", got)
	}
	if got := ClassifyChange(Unknown, Pass, false, true); got != Added {
		t.Errorf("absent -> pass: %s", got)
	}
	if got := ClassifyChange(Fail, Unknown, true, false); got != Removed {
		t.Errorf("fail -> absent: %s", got)
	}
}
