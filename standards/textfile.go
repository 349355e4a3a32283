package standards

// Text files as Windows tools write them: UTF-8 with or without a byte
// order mark, and UTF-16 with one (what Windows PowerShell 5.1's > and
// Out-File write). Every reader of a file from outside calls UTF8Text first.

import (
	"bytes"
	"errors"
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
