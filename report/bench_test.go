package report

import (
	"io"
	"testing"
)

// BenchmarkRender renders the largest profile's report in every format.
// Run: go test -run '^$' -bench Render -benchmem ./report
func BenchmarkRender(b *testing.B) {
	rep := buildProfile(b, biggestProfile)
	for _, f := range Formats() {
		b.Run(f.Name, func(b *testing.B) {
			for b.Loop() {
				if err := f.Write(io.Discard, rep); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("text", func(b *testing.B) {
		for b.Loop() {
			if err := Terminal(io.Discard, rep, TerminalOptions{Width: 100}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
