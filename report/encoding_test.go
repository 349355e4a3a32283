package report

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"testing"
	"unicode/utf16"
)

func windowsEncodings(b []byte) map[string][]byte {
	le := []byte{0xff, 0xfe}
	for _, u := range utf16.Encode([]rune(string(b))) {
		le = binary.LittleEndian.AppendUint16(le, u)
	}
	return map[string][]byte{"UTF-8 BOM": append([]byte{0xef, 0xbb, 0xbf}, b...), "UTF-16 LE": le}
}

func TestReadAcceptsWindowsEncodings(t *testing.T) {
	rep := buildProfile(t, "win10-1607-wannacry-era")
	rep.Host.Name = "GABINET-Ł1"
	b, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	for name, enc := range windowsEncodings(b) {
		got, err := Read(bytes.NewReader(enc))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if got.Host != rep.Host || got.Outcome != rep.Outcome || len(got.Results) != len(rep.Results) {
			t.Errorf("%s: read %+v, %s, %d results", name, got.Host, got.Outcome, len(got.Results))
		}
	}
}
