package standards

import (
	"encoding/binary"
	"os"
	"testing"
	"unicode/utf16"
)

func TestDecodeDataFileAcceptsWindowsEncodings(t *testing.T) {
	b, err := os.ReadFile("data/windows-releases.json")
	if err != nil {
		t.Fatal(err)
	}
	want, err := DecodeDataFile(b)
	if err != nil {
		t.Fatal(err)
	}
	le := []byte{0xff, 0xfe}
	for _, u := range utf16.Encode([]rune(string(b))) {
		le = binary.LittleEndian.AppendUint16(le, u)
	}
	for name, enc := range map[string][]byte{"UTF-8 BOM": append([]byte{0xef, 0xbb, 0xbf}, b...), "UTF-16 LE": le} {
		got, err := DecodeDataFile(enc)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if *got.Meta() != *want.Meta() {
			t.Errorf("%s: read %+v, want %+v", name, got.Meta(), want.Meta())
		}
	}
}
