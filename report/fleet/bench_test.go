package fleet

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/nhs-dspt/dspt-audit/report"
)

// benchShare generates a share of n hosts once and keeps it between runs
// (in the system temp folder), so that the same share can be rolled up by
// the binary too: /usr/bin/time dspt-audit fleet -r DIR -o x.xlsx.
func benchShare(b *testing.B, n int) string {
	b.Helper()
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("dspt-audit-bench-share-%d", n))
	done := filepath.Join(dir, ".complete")
	if _, err := os.Stat(done); err == nil {
		return dir
	}
	if err := os.RemoveAll(dir); err != nil {
		b.Fatal(err)
	}
	generateShare(b, dir, n)
	if err := os.WriteFile(done, nil, 0o644); err != nil {
		b.Fatal(err)
	}
	return dir
}

// BenchmarkRollup reads a generated share and writes a format: 10,000
// hosts to every format, 100,000 to the JSON and CSV summaries (the
// target: 10,000 to XLSX in under 5 s on two cores).
func BenchmarkRollup(b *testing.B) {
	for _, c := range []struct {
		hosts   int
		formats []string
	}{
		{10_000, []string{"xlsx", "json", "csv", "html"}},
		{100_000, []string{"json", "csv"}},
	} {
		for _, format := range c.formats {
			b.Run(fmt.Sprintf("%d/%s", c.hosts, format), func(b *testing.B) {
				if c.hosts > 10_000 && os.Getenv("DSPT_AUDIT_BENCH_LARGE") == "" {
					b.Skip("set DSPT_AUDIT_BENCH_LARGE=1: the share takes about 6 GB and minutes to generate")
				}
				dir := benchShare(b, c.hosts)
				f, _ := report.LookupFormat(Formats(), format)
				standards := ndgStandards(b)
				b.ResetTimer()
				for b.Loop() {
					roll, err := Read(context.Background(), []string{dir}, Options{Now: genNow, Recursive: true, Standards: standards})
					if err != nil {
						b.Fatal(err)
					}
					if err := f.Write(io.Discard, roll); err != nil {
						b.Fatal(err)
					}
					b.ReportMetric(float64(roll.ResultsRead), "results/op")
				}
			})
		}
	}
}

// BenchmarkDecodeResult reads one profile's result as the roll-up does:
// strict keys, full decode, recount.
func BenchmarkDecodeResult(b *testing.B) {
	doc := mustJSON(b, failingReport(b))
	rd := reader{ndg: ndgStandards(b), now: genNow}
	b.SetBytes(int64(len(doc)))
	for b.Loop() {
		if _, err := rd.decode(doc); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRegister builds the register of a generated share of 10,000
// hosts (each newest result read a second time for its asset facts) and
// writes it as its own workbook; the roll-up itself is read once, outside
// the timing (BenchmarkRollup measures it).
func BenchmarkRegister(b *testing.B) {
	dir := benchShare(b, 10_000)
	roll, err := Read(context.Background(), []string{dir}, Options{Now: genNow, Recursive: true, Standards: ndgStandards(b)})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		reg := BuildRegister(roll, nil, nil)
		if err := RegisterXLSX(io.Discard, reg); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(len(reg.Devices)), "devices/op")
	}
}
