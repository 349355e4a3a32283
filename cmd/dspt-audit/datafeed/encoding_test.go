package datafeed

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf16"
)

// TestReadDocumentAcceptsWindowsEncodings: an endoflife.date response
// saved with Windows PowerShell 5.1's > is UTF-16 with a byte order mark.
func TestReadDocumentAcceptsWindowsEncodings(t *testing.T) {
	b, err := os.ReadFile("../../../testdata/endoflife/windows.json")
	if err != nil {
		t.Fatal(err)
	}
	le := []byte{0xff, 0xfe}
	for _, u := range utf16.Encode([]rune(string(b))) {
		le = binary.LittleEndian.AppendUint16(le, u)
	}
	dir := tempDir(t)
	for name, enc := range map[string][]byte{"bom.json": append([]byte{0xef, 0xbb, 0xbf}, b...), "utf16.json": le} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, enc, 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := readDocument(path)
		if err != nil || !bytes.Equal(got, b) {
			t.Errorf("%s: %d bytes, %v", name, len(got), err)
		}
		if kind := sniff(got); kind != "endoflife" {
			t.Errorf("%s: sniffed as %q", name, kind)
		}
	}
}
