package checks

import (
	"context"
	"testing"
	"time"

	"github.com/nhs-dspt/dspt-audit/checks/probe"
)

// BenchmarkReplayScan judges the largest profile: the cost of scan --from
// without file reading and rendering.
func BenchmarkReplayScan(b *testing.B) {
	data := loadData(b)
	snap := loadProfile(b, "win10-1607-wannacry-era")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Run(context.Background(), probe.NewReplay(snap), Options{Checks: All(), Data: data, Clock: func() time.Time { return snap.CollectedAt }}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLiveScan scans the machine the benchmark runs on.
func BenchmarkLiveScan(b *testing.B) {
	data := loadData(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Run(context.Background(), probe.Live{}, Options{Checks: All(), Data: data}); err != nil {
			b.Fatal(err)
		}
	}
}
