package sign

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/nhs-dspt/dspt-audit/report"
)

const golden = "../../testdata/golden/win10-1607-wannacry-era.report.json"
const goldenHostID = "4c4c4544-0014393-0447-8058-b7c04f4d3232"

func key(t *testing.T, seed byte) ed25519.PrivateKey {
	t.Helper()
	return ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, ed25519.SeedSize))
}

func signedGolden(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	signed, err := Append(b, key(t, 1), goldenHostID)
	if err != nil {
		t.Fatal(err)
	}
	return signed
}

func TestSignedResultVerifies(t *testing.T) {
	signed := signedGolden(t)
	who, err := Verify(signed, goldenHostID)
	if err != nil {
		t.Fatal(err)
	}
	pub := key(t, 1).Public().(ed25519.PublicKey)
	if !who.PublicKey.Equal(pub) || who.KeyID != KeyID(pub) || who.HostID != goldenHostID {
		t.Errorf("signer %+v", who)
	}
	if !strings.HasPrefix(who.KeyID, "SHA256:") || len(who.KeyID) != len("SHA256:")+43 {
		t.Errorf("key ID %q is not an ssh-style SHA-256 fingerprint", who.KeyID)
	}
}

// TestOlderReadersReadSignedResults: the signature is one more member of
// the same document, so report.Read (what 'report convert' and the OCSF
// pass use, and what older versions have) and jq-like readers see the same
// result.
func TestOlderReadersReadSignedResults(t *testing.T) {
	signed := signedGolden(t)
	rep, err := report.Read(bytes.NewReader(signed))
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := os.ReadFile(golden)
	want, _ := report.Read(bytes.NewReader(plain))
	if rep.Outcome != want.Outcome || rep.Host != want.Host || len(rep.Results) != len(want.Results) {
		t.Errorf("signed result reads as %s %+v, unsigned as %s %+v", rep.Outcome, rep.Host, want.Outcome, want.Host)
	}
	var generic map[string]any
	if err := json.Unmarshal(signed, &generic); err != nil || generic["signature"] == nil {
		t.Errorf("signed file is not one JSON document with a signature member: %v", err)
	}
}

func TestTamperedResultsDoNotVerify(t *testing.T) {
	signed := signedGolden(t)
	other := key(t, 2)
	plain, _ := os.ReadFile(golden)
	resigned, err := Append(plain, other, goldenHostID)
	if err != nil {
		t.Fatal(err)
	}
	otherPub := other.Public().(ed25519.PublicKey)
	tests := []struct {
		name string
		file []byte
		want string
	}{
		{"outcome edited", bytes.Replace(signed, []byte(`"outcome": "Standards Not Met"`), []byte(`"outcome": "Standards Met"    `), 1), "does not match"},
		{"key appended after the signature", append(bytes.TrimSuffix(signed, []byte(tail)), []byte(",\n  \"OUTCOME\": \"Standards Met\"\n}\n")...), "bytes after the signature"},
		{"another key swapped in", bytes.Replace(signed, []byte(EncodePublicKey(key(t, 1).Public().(ed25519.PublicKey))), []byte(EncodePublicKey(otherPub)), 1), "key ID is not"},
		{"another key and its ID swapped in", bytes.Replace(bytes.Replace(signed, []byte(EncodePublicKey(key(t, 1).Public().(ed25519.PublicKey))), []byte(EncodePublicKey(otherPub)), 1),
			[]byte(KeyID(key(t, 1).Public().(ed25519.PublicKey))), []byte(KeyID(otherPub)), 1), "does not match"},
		{"host ID of another machine", bytes.Replace(signed, []byte(`"host_id":"`+goldenHostID), []byte(`"host_id":"other`), 1), "signed for host ID"},
		{"cut short", signed[:len(signed)-3], "bytes after the signature"},
	}
	for _, tc := range tests {
		if bytes.Equal(tc.file, signed) {
			t.Fatalf("%s: the attack changed nothing", tc.name)
		}
		_, err := Verify(tc.file, goldenHostID)
		if err == nil || errors.Is(err, ErrUnsigned) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
	// A file re-signed by another key is validly signed, by that key: the
	// trust store, not the signature, says whether that key is the host's.
	if who, err := Verify(resigned, goldenHostID); err != nil || !who.PublicKey.Equal(otherPub) {
		t.Errorf("re-signed: %v, %v", who.KeyID, err)
	}
}

func TestUnsignedResult(t *testing.T) {
	plain, _ := os.ReadFile(golden)
	if _, err := Verify(plain, goldenHostID); !errors.Is(err, ErrUnsigned) {
		t.Errorf("unsigned golden: %v", err)
	}
	moved := bytes.Replace(plain, []byte("{\n  \"schema_version\""), []byte("{\"signature\": {}, \"schema_version\""), 1)
	if _, err := Verify(moved, goldenHostID); err == nil || errors.Is(err, ErrUnsigned) {
		t.Errorf("signature member out of place: %v, want an error other than unsigned", err)
	}
}

func BenchmarkVerify(b *testing.B) {
	plain, _ := os.ReadFile(golden)
	signed, _ := Append(plain, ed25519.NewKeyFromSeed(make([]byte, 32)), goldenHostID)
	b.SetBytes(int64(len(signed)))
	for b.Loop() {
		if _, err := Verify(signed, goldenHostID); err != nil {
			b.Fatal(err)
		}
	}
}
