package standards

// Text files as Windows tools write them: UTF-8 with or without a byte
// order mark, and UTF-16 with one (what Windows PowerShell 5.1's > and
// Out-File write). Every reader of a file from outside calls UTF8Text first.

import (
	"bytes"
	"errors"
	"fmt"
	"unicode/utf16"
	"unicode/utf8"
)

var (
	bomUTF8    = []byte{0xef, 0xbb, 0xbf}
	bomUTF16LE = []byte{0xff, 0xfe}
	bomUTF16BE = []byte{0xfe, 0xff}
)

// UTF8Text returns b as UTF-8 without a byte order mark. UTF-8 text loses its
// mark; UTF-16 text with a mark is converted (an unpaired surrogate
// becomes U+FFFD); anything else is returned as it is, for the caller's
// decoder to judge.
func UTF8Text(b []byte) ([]byte, error) {
	switch {
	case bytes.HasPrefix(b, bomUTF8):
		return b[len(bomUTF8):], nil
	case bytes.HasPrefix(b, bomUTF16LE):
		return fromUTF16(b[2:], func(p []byte) uint16 { return uint16(p[0]) | uint16(p[1])<<8 })
	case bytes.HasPrefix(b, bomUTF16BE):
		return fromUTF16(b[2:], func(p []byte) uint16 { return uint16(p[0])<<8 | uint16(p[1]) })
	}
	return b, nil
}

func fromUTF16(b []byte, unit func([]byte) uint16) ([]byte, error) {
	if len(b)%2 != 0 {
		return nil, errors.New("UTF-16 text with an odd number of bytes (cut short?)")
	}
	out := make([]byte, 0, len(b)/2*3/2)
	for i := 0; i < len(b); i += 2 {
		r := rune(unit(b[i:]))
		if utf16.IsSurrogate(r) {
			r2 := utf8.RuneError
			if i+3 < len(b) {
				r2 = rune(unit(b[i+2:]))
			}
			if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
				r = dec
				i += 2
			} else {
				r = utf8.RuneError
			}
		}
		out = utf8.AppendRune(out, r)
	}
	return out, nil
}

// TextLineProblem finds the first line of a text file (as UTF8Text
// returns it) that a person must fix before it is parsed: one that is not
// UTF-8, holds a tab, or holds a character unsafe refuses. It returns the
// line (from 1) and the problem, or 0 and "".
func TextLineProblem(b []byte, unsafe func(rune) bool) (int, string) {
	for i, line := range bytes.Split(b, []byte("\n")) {
		line = bytes.TrimSuffix(line, []byte("\r"))
		if !utf8.Valid(line) {
			return i + 1, "not UTF-8 text (save the file as UTF-8)"
		}
		if j := bytes.IndexByte(line, '\t'); j >= 0 {
			return i + 1, fmt.Sprintf("a tab character at column %d (indent with spaces)", utf8.RuneCount(line[:j])+1)
		}
		if j := bytes.IndexFunc(line, unsafe); j >= 0 {
			r, _ := utf8.DecodeRune(line[j:])
			return i + 1, fmt.Sprintf("a control or invisible character %U at column %d", r, utf8.RuneCount(line[:j])+1)
		}
	}
	return 0, ""
}

// FlowDepthLine is the first line (from 1) at which YAML's flow brackets
// ([ and {) nest deeper than limit, or 0. The YAML parser takes time
// growing with the square of the depth, hours for a file of nothing but
// brackets. Every bracket outside a comment counts, those in text too, so
// the bound is generous rather than exact.
func FlowDepthLine(b []byte, limit int) int {
	depth := 0
	for i, line := range bytes.Split(b, []byte("\n")) {
		for j, c := range line {
			if c == '#' && (j == 0 || line[j-1] == ' ') {
				break
			}
			switch c {
			case '[', '{':
				depth++
			case ']', '}':
				depth = max(depth-1, 0)
			}
			if depth > limit {
				return i + 1
			}
		}
	}
	return 0
}
