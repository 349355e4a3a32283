package declared_test

import (
	"bytes"
	"fmt"
	"os"
	"testing"

	"github.com/nhs-dspt/dspt-audit/checks"
	"github.com/nhs-dspt/dspt-audit/checks/declared"
	"github.com/nhs-dspt/dspt-audit/standards"
)

// twoHundredChecks is the ten-check pack twenty times over, each copy's
// IDs numbered.
func twoHundredChecks(b *testing.B) []*checks.Check {
	ten, err := os.ReadFile("testdata/pack/ten.yaml")
	if err != nil {
		b.Fatal(err)
	}
	var list []*checks.Check
	for i := range 20 {
		copied := bytes.ReplaceAll(ten, []byte("id: custom-"), fmt.Appendf(nil, "id: custom-%d-", i))
		pack := declared.LoadFile(fmt.Sprintf("pack%d.yaml", i), copied, nil)
		if len(pack.Problems) > 0 || len(pack.Checks) != 10 {
			b.Fatalf("copy %d: %d checks, problems %v", i, len(pack.Checks), pack.Problems)
		}
		list = append(list, pack.Checks...)
	}
	return list
}

// BenchmarkReplay200Custom replays one profile with 200 custom checks, as
// scan --from does: the target is under 10 ms an operation.
func BenchmarkReplay200Custom(b *testing.B) {
	list := twoHundredChecks(b)
	data, err := standards.Load()
	if err != nil {
		b.Fatal(err)
	}
	snap := loadProfile(b, "win11-enterprise-24h2-patched")
	b.ResetTimer()
	for b.Loop() {
		scan := replay(b, snap, data, list)
		if len(scan.Results) != 140 { // the 7 Windows checks of each copy
			b.Fatalf("%d results", len(scan.Results))
		}
	}
}

// BenchmarkLoad200Custom loads the 200 checks from their files.
func BenchmarkLoad200Custom(b *testing.B) {
	for b.Loop() {
		twoHundredChecks(b)
	}
}
