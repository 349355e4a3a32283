package report

import "testing"

func TestSanitize(t *testing.T) {
	tests := map[string]string{
		"plain text, dates 2026-11-27": "plain text, dates 2026-11-27",
		"Gwasanaeth Iechyd — ŵ ŷ":      "Gwasanaeth Iechyd — ŵ ŷ",
		"red \x1b[31mALERT\x1b[0m":     `red \x1b[31mALERT\x1b[0m`,
		"line\nbreak\rreturn\ttab":     `line\x0abreak\x0dreturn\x09tab`,
		"abc\u202edcba":                `abc\u202edcba`,
		"line\u2028separator":          `line\u2028separator`,
		"\u009b31m":                    `\x9b31m`,
		"bad \xff byte":                `bad \ufffd byte`,
	}
	for in, want := range tests {
		if got := Sanitize(in); got != want {
			t.Errorf("Sanitize(%q) = %q, want %q", in, got, want)
		}
	}
}
