package fleet

import (
	"testing"

	"github.com/nhs-dspt/dspt-audit/report"
)

// report.IdentifyFile tells roll-ups and trust stores by the kinds this
// package writes.
func TestFileKindsMatchWhatFleetWrites(t *testing.T) {
	if Kind != report.RollupKind || TrustKind != report.TrustStoreKind {
		t.Errorf("fleet writes %q and %q; report.IdentifyFile looks for %q and %q", Kind, TrustKind, report.RollupKind, report.TrustStoreKind)
	}
}
