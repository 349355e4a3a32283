package checks

import (
	"context"
	"testing"
	"time"

	"github.com/nhs-dspt/dspt-audit/checks/probe"
)

// BenchmarkReplayScan judges the largest profiles: the cost of scan --from
// without file reading and rendering.
func BenchmarkReplayScan(b *testing.B) {
	for _, name := range []string{"win10-1607-wannacry-era", "win10-pro-22h2-esu-year2", "debian-12-nftables"} {
		b.Run(name, func(b *testing.B) { benchmarkReplay(b, name) })
	}
}

func benchmarkReplay(b *testing.B, name string) {
	data := loadData(b)
	snap := loadProfile(b, name)
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

// slowSource answers every probe from a snapshot after a fixed delay, like
// a PC where each WMI query and registry read is slow.
type slowSource struct {
	replay *probe.Replay
	delay  time.Duration
}

func (s slowSource) Read(ctx context.Context, q probe.Query) (any, error) {
	select {
	case <-time.After(s.delay):
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return s.replay.Read(ctx, q)
}

// BenchmarkSlowProbes shows the scan's wall time tracks its slowest probe,
// not the sum of its probes: every probe here takes 50 ms, and the whole
// catalogue makes dozens of them.
func BenchmarkSlowProbes(b *testing.B) {
	data := loadData(b)
	snap := loadProfile(b, "win10-1607-wannacry-era")
	src := slowSource{probe.NewReplay(snap), 50 * time.Millisecond}
	probes := 0
	for b.Loop() {
		scan, err := Run(context.Background(), src, Options{Checks: All(), Data: data, Clock: func() time.Time { return snap.CollectedAt }})
		if err != nil {
			b.Fatal(err)
		}
		probes = len(scan.Observations)
	}
	b.ReportMetric(float64(probes), "probes/scan")
}
