package standards

import (
	"bytes"
	"encoding/binary"
	"os"
	"testing"
	"unicode/utf16"
)

func utf16Bytes(s string, order binary.AppendByteOrder, bom []byte) []byte {
	b := append([]byte{}, bom...)
	for _, u := range utf16.Encode([]rune(s)) {
		b = order.AppendUint16(b, u)
	}
	return b
}

func TestUTF8Text(t *testing.T) {
	doc, err := os.ReadFile("../testdata/profiles/win10-1607-wannacry-era.json")
	if err != nil {
		t.Fatal(err)
	}
	doc = append(doc, "ŵ 🏥 Gwasanaeth"...)
	tests := map[string][]byte{
		"plain UTF-8":   doc,
		"UTF-8 BOM":     append(append([]byte{}, bomUTF8...), doc...),
		"UTF-16 LE BOM": utf16Bytes(string(doc), binary.LittleEndian, bomUTF16LE),
		"UTF-16 BE BOM": utf16Bytes(string(doc), binary.BigEndian, bomUTF16BE),
	}
	for name, in := range tests {
		got, err := UTF8Text(in)
		if err != nil || !bytes.Equal(got, doc) {
			t.Errorf("%s: got %d bytes (%v), want the %d-byte document", name, len(got), err, len(doc))
		}
	}
	if _, err := UTF8Text(append(append([]byte{}, bomUTF16LE...), 'x')); err == nil {
		t.Error("odd-length UTF-16 accepted")
	}
	if got, _ := UTF8Text([]byte{0xff, 0xfe, 0x00, 0xd8, 'a', 0}); string(got) != "\uFFFDa" {
		t.Errorf("unpaired surrogate gave %q", got)
	}
}

func FuzzUTF8Text(f *testing.F) {
	f.Add([]byte{0xff, 0xfe, 0x3d, 0xd8, 0x00, 0xde})
	f.Add([]byte{0xfe, 0xff, 0, '{', 0, '}'})
	f.Add([]byte{0xef, 0xbb, 0xbf, '{', '}'})
	f.Fuzz(func(t *testing.T, b []byte) {
		out, err := UTF8Text(b)
		if err == nil && len(out) > 2*len(b) {
			t.Errorf("%d bytes became %d", len(b), len(out))
		}
	})
}
