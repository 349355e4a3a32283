package probe

import (
	"bytes"
	"encoding/binary"
	"os"
	"testing"
	"unicode/utf16"
)

// windowsEncodings are b as Windows tools write it: with a UTF-8 byte
// order mark (Out-File -Encoding utf8) and as UTF-16 LE with a mark
// (Windows PowerShell 5.1's >).
func windowsEncodings(b []byte) map[string][]byte {
	le := []byte{0xff, 0xfe}
	for _, u := range utf16.Encode([]rune(string(b))) {
		le = binary.LittleEndian.AppendUint16(le, u)
	}
	return map[string][]byte{"UTF-8 BOM": append([]byte{0xef, 0xbb, 0xbf}, b...), "UTF-16 LE": le}
}

func TestReadSnapshotAcceptsWindowsEncodings(t *testing.T) {
	b, err := os.ReadFile("../../testdata/profiles/win10-1607-wannacry-era.json")
	if err != nil {
		t.Fatal(err)
	}
	want, err := ReadSnapshot(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	for name, enc := range windowsEncodings(b) {
		got, err := ReadSnapshot(bytes.NewReader(enc))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if got.Host != want.Host || len(got.Observations) != len(want.Observations) {
			t.Errorf("%s: read %+v with %d observations", name, got.Host, len(got.Observations))
		}
	}
}
