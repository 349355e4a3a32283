package report

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"

	"github.com/nhs-dspt/dspt-audit/checks"
	"github.com/nhs-dspt/dspt-audit/checks/probe"
	"github.com/nhs-dspt/dspt-audit/standards"
)

func addSeedFiles(f *testing.F, patterns ...string) {
	f.Helper()
	addSeedsEvery(f, 1, patterns...)
}

// addSeedsEvery adds every nth file of each pattern as a seed.
func addSeedsEvery(f *testing.F, n int, patterns ...string) {
	f.Helper()
	for _, pattern := range patterns {
		paths, err := filepath.Glob(pattern)
		if err != nil || len(paths) == 0 {
			f.Fatalf("no seeds match %s (%v)", pattern, err)
		}
		for i, p := range paths {
			if i%n != 0 {
				continue
			}
			b, err := os.ReadFile(p)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
}

// FuzzRead reads any bytes as a JSON report, as 'report convert' does, and
// writes what it accepts in every text format: nothing panics.
func FuzzRead(f *testing.F) {
	addSeedFiles(f, "../testdata/golden/*.report.json", "../testdata/fleet/*.json")
	var custom bytes.Buffer
	if err := JSON(&custom, buildWithCustom(f, "win10-1607-wannacry-era", smb1ClientOff())); err != nil {
		f.Fatal(err)
	}
	f.Add(custom.Bytes())
	data, err := standards.Load()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		rep, err := Read(bytes.NewReader(b))
		if err != nil {
			return
		}
		defer func() { _, _ = Rescore(rep, data.NDG.Standards) }() // what fleet does with it
		for _, format := range Formats() {
			if format.Binary {
				continue // the end-to-end target writes the workbook
			}
			_ = format.Write(io.Discard, rep)
		}
		_ = Terminal(io.Discard, rep, TerminalOptions{})
	})
}

// FuzzWordWrap wraps any text at any width from 1 to 300 cells: it ends,
// every line fits unless it is a single character too wide for the width,
// and no character other than spacing is lost or added (valid UTF-8), once
// control characters are shown as their escapes.
func FuzzWordWrap(f *testing.F) {
	f.Add(`HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion\Winlogon AutoAdminLogon = "1" (REG_SZ)`, uint16(40))
	f.Add("SMBv1 is enabled on the server side: MSFT_SmbServerConfiguration.EnableSMB1Protocol = true", uint16(20))
	f.Add(strings.Repeat("x", 300), uint16(7))
	f.Add("Ω 漢字テスト 🙂🙂🙂 \x1b[31mred\x1b[0m", uint16(3))
	f.Fuzz(func(t *testing.T, text string, w uint16) {
		width := 1 + int(w)%300
		lines := wordWrap(text, width)
		for _, line := range lines {
			if ansi.StringWidth(line) > width && len([]rune(ansi.Strip(line))) > 1 {
				t.Errorf("wordWrap(%q, %d): line %q is %d cells wide", text, width, line, ansi.StringWidth(line))
			}
		}
		if !utf8.ValidString(text) {
			return // the bytes of two lines joined can make a character
		}
		var words []string
		for _, word := range strings.Fields(text) {
			words = append(words, Sanitize(word))
		}
		if got, want := withoutSpace(strings.Join(lines, "")), withoutSpace(strings.Join(words, "")); got != want {
			t.Errorf("wordWrap(%q, %d) = %q: text changed", text, width, lines)
		}
	})
}

func withoutSpace(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

// FuzzScanRender judges any snapshot with every check, as 'scan --from'
// does, and writes the report in every format and in the terminal: nothing
// panics and no output grows beyond a bound set by the input's size.
func FuzzScanRender(f *testing.F) {
	// Under -race every fourth profile: each is a second's judging and
	// writing there. .ci/fuzz runs every seed, without -race, before it
	// fuzzes, and other tests judge every profile under -race.
	every := 1
	if raceDetector {
		every = 4
	}
	addSeedsEvery(f, every, "../testdata/profiles/*.json")
	data, err := standards.Load()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		snap, err := probe.ReadSnapshot(bytes.NewReader(b))
		if err != nil {
			return
		}
		scan, err := checks.Run(context.Background(), probe.NewReplay(snap), checks.Options{Checks: checks.All(), Data: data, Clock: func() time.Time { return snap.CollectedAt }})
		if err != nil {
			return
		}
		rep := Build(scan, data, Tool{Name: "dspt-audit", Version: "fuzz"}, "snapshot")
		limit := outputBound(len(b))
		for _, format := range Formats() {
			var out bytes.Buffer
			if err := format.Write(&out, rep); err != nil {
				t.Errorf("%s: %v", format.Name, err)
			}
			if out.Len() > limit {
				t.Errorf("%s: %d bytes from a %d-byte snapshot (bound %d)", format.Name, out.Len(), len(b), limit)
			}
		}
		for _, width := range []int{60, 140} {
			var out bytes.Buffer
			if err := Terminal(&out, rep, TerminalOptions{Width: width}); err != nil {
				t.Errorf("terminal: %v", err)
			}
			if out.Len() > limit {
				t.Errorf("terminal at %d: %d bytes from a %d-byte snapshot (bound %d)", width, out.Len(), len(b), limit)
			}
		}
	})
}

// outputBound is the most a report may be from an n-byte snapshot: the
// fixed text of every check plus a multiple of what the snapshot holds
// (evidence can show a value in several places and escaped).
func outputBound(n int) int { return 2<<20 + 16*n }
