package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// writeManyChecks writes n one-check files, half of them Linux file reads
// and half Windows registry reads, as a large pack would be.
func writeManyChecks(b *testing.B, n int) string {
	dir := b.TempDir()
	for i := range n {
		body := fmt.Sprintf(`dspt_audit_checks: 1
checks:
  - id: custom-m%d
    title: Check %d
    severity: low
    platforms: [linux]
    mappings: {ndg: [9], dspt_items: ["8.4.3"]}
    remediation: {linux: "fix"}
    about: the thing
    reads:
      - name: f
        file: {path: /etc/f%d}
    verdicts:
      - when: {read: f, exists: true}
        status: pass
        summary: "ok"
    otherwise: {status: fail, summary: "no"}
`, i, i, i)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("c%05d.yaml", i)), []byte(body), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	return dir
}

// benchmarkScanMany replays a profile with n custom checks end to end, as
// `scan --from` does: loading, the engine, report.Build and the text view.
func benchmarkScanMany(b *testing.B, n int) {
	dir := writeManyChecks(b, n)
	profile := filepath.Join("..", "..", "testdata", "profiles", "debian-12-nftables.json")
	s := &streams{In: nil, Out: io.Discard, Err: io.Discard, NoColor: true, Getenv: func(string) string { return "" }}
	for b.Loop() {
		if code := run([]string{"scan", "--from", profile, "--checks-dir", dir}, s); code != exitOK && code != exitFindings {
			b.Fatalf("exit %d", code)
		}
	}
}

func BenchmarkScanMany200(b *testing.B)  { benchmarkScanMany(b, 200) }
func BenchmarkScanMany1000(b *testing.B) { benchmarkScanMany(b, 1000) }
func BenchmarkScanMany2000(b *testing.B) { benchmarkScanMany(b, 2000) }
