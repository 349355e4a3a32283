package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"testing"

	"github.com/nhs-dspt/dspt-audit/checks"
	"github.com/nhs-dspt/dspt-audit/checks/probe"
	"github.com/nhs-dspt/dspt-audit/standards"
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

// manyCustom is n custom checks, one in three failing, spread over the
// standards, as a large checks folder gives them.
func manyCustom(n int) []*checks.Check {
	q := probe.RegistryValue(`HKLM\SYSTEM\CurrentControlSet\Services\mrxsmb10`, "Start")
	out := make([]*checks.Check, n)
	for i := range out {
		status := standards.Pass
		if i%3 == 0 {
			status = standards.Fail
		}
		out[i] = &checks.Check{
			ID: fmt.Sprintf("custom-bulk-%04d", i), Title: fmt.Sprintf("Bulk custom check %d", i), Severity: standards.High,
			Platforms: []string{checks.Windows}, Mappings: standards.Mappings{NDG: []int{i%10 + 1}, DSPTItems: []string{"9.2.1"}}, Reads: []probe.Query{q}, Origin: customFile,
			Remediation: "Fix it.",
			Evaluate: func(e *checks.Env) checks.Verdict {
				e.Observe(q)
				return checks.Verdict{Status: status, Summary: "Bulk."}
			},
		}
	}
	return out
}

// BenchmarkCustomChecksReport builds, judges with a practice file, recounts
// and renders a report with 1,000 and 2,000 custom checks: its time should
// double, not quadruple, from one to the other.
// Run: go test -run '^$' -bench CustomChecksReport -benchtime 3x ./report
func BenchmarkCustomChecksReport(b *testing.B) {
	for _, n := range []int{1000, 2000} {
		custom := manyCustom(n)
		rep := buildWithCustom(b, "win10-1607-wannacry-era", custom...)
		body, err := json.Marshal(rep)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("build/%d", n), func(b *testing.B) {
			for b.Loop() {
				buildWithCustom(b, "win10-1607-wannacry-era", custom...)
			}
		})
		b.Run(fmt.Sprintf("practice/%d", n), func(b *testing.B) {
			for b.Loop() {
				r, _ := Read(bytes.NewReader(body))
				ApplyPractice(r, "practice.yaml", testPractice(), nil, practiceNow)
			}
		})
		b.Run(fmt.Sprintf("recount/%d", n), func(b *testing.B) {
			for b.Loop() {
				r, _ := Read(bytes.NewReader(body))
				if _, err := Recount(r, ndg(b)); err != nil {
					b.Fatal(err)
				}
			}
		})
		for _, format := range []string{"html", "csv", "xlsx"} {
			b.Run(fmt.Sprintf("%s/%d", format, n), func(b *testing.B) {
				for b.Loop() {
					render(b, format, rep)
				}
			})
		}
		b.Run(fmt.Sprintf("text/%d", n), func(b *testing.B) {
			for b.Loop() {
				if err := Terminal(io.Discard, rep, TerminalOptions{Width: 100}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
