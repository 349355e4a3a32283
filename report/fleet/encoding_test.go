package fleet

import (
	"encoding/binary"
	"encoding/json"
	"testing"
	"unicode/utf16"
)

func TestDecodeAcceptsWindowsEncodings(t *testing.T) {
	rep := profileReports(t)[0]
	b, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	le := []byte{0xff, 0xfe}
	for _, u := range utf16.Encode([]rune(string(b))) {
		le = binary.LittleEndian.AppendUint16(le, u)
	}
	for name, enc := range map[string][]byte{"UTF-8 BOM": append([]byte{0xef, 0xbb, 0xbf}, b...), "UTF-16 LE": le} {
		res, err := reader{ndg: ndgStandards(t)}.decode(enc)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if res.host.Name != rep.Host.Name {
			t.Errorf("%s: host %q, want %q", name, res.host.Name, rep.Host.Name)
		}
	}
}
