// Package sign signs a scan result and checks the signature a result
// carries. The signature travels inside the result as its last member,
// "signature", so that the file stays one JSON document of the same schema:
// readers that do not know the member ignore it. It covers every byte of
// the file before that member, which is the result exactly as 'scan -f json'
// writes it, without its closing brace.
package sign

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
)

// Algorithm is the only signature algorithm written and accepted.
const Algorithm = "ed25519"

// marker introduces the signature member; everything before it is signed.
const marker = ",\n  \"signature\": "

// tail closes the document after the signature member.
const tail = "\n}\n"

// Signature is the member a signed result ends with.
type Signature struct {
	Algorithm string `json:"algorithm"`
	// PublicKey is the signing machine's Ed25519 public key, base64.
	PublicKey string `json:"public_key"`
	// KeyID is KeyID(PublicKey), to compare by eye with a trust store.
	KeyID string `json:"key_id"`
	// HostID is the signed result's host.id: the machine the key belongs to.
	HostID string `json:"host_id"`
	// Value is the Ed25519 signature, base64.
	Value string `json:"value"`
}

// Signer is who signed a result whose signature is valid.
type Signer struct {
	PublicKey ed25519.PublicKey
	KeyID     string
	HostID    string
}

// ErrUnsigned is Verify's answer for a result that carries no signature:
// one written by an older version, or by a manual scan.
var ErrUnsigned = errors.New("unsigned")

// KeyID names a public key: "SHA256:" and the unpadded base64 of its
// SHA-256, as ssh-keygen -l prints key fingerprints.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return "SHA256:" + base64.RawStdEncoding.EncodeToString(sum[:])
}

// Append signs a result, as report.JSON wrote it, and returns the signed
// file: the same document with the signature as its last member. hostID is
// the result's host.id.
func Append(result []byte, key ed25519.PrivateKey, hostID string) ([]byte, error) {
	body := bytes.TrimRight(result, " \t\r\n")
	if !bytes.HasSuffix(body, []byte("}")) || len(body) < 2 {
		return nil, errors.New("cannot sign: the result is not a JSON object")
	}
	signed := bytes.TrimRight(body[:len(body)-1], " \t\r\n")
	if bytes.HasSuffix(signed, []byte("{")) {
		return nil, errors.New("cannot sign: the result is empty")
	}
	pub := key.Public().(ed25519.PublicKey)
	sig := Signature{
		Algorithm: Algorithm,
		PublicKey: base64.StdEncoding.EncodeToString(pub),
		KeyID:     KeyID(pub),
		HostID:    hostID,
		Value:     base64.StdEncoding.EncodeToString(ed25519.Sign(key, signed)),
	}
	member, err := json.Marshal(sig)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, len(signed)+len(marker)+len(member)+len(tail))
	out = append(out, signed...)
	out = append(out, marker...)
	out = append(out, member...)
	return append(out, tail...), nil
}

// Verify checks the signature a result file carries. hostID is the host.id
// the file's result claims (decoded by the caller): the signature must name
// the same machine. It returns ErrUnsigned when the file carries no
// signature, and another error when the signature is present but does not
// hold.
func Verify(file []byte, hostID string) (Signer, error) {
	at := bytes.LastIndex(file, []byte(marker))
	if at < 0 {
		if bytes.Contains(file, []byte(`"signature"`)) {
			return Signer{}, errors.New("a signature member not where a signed result has it (last, as written)")
		}
		return Signer{}, ErrUnsigned
	}
	sig, err := member(file[at+len(marker):])
	if err != nil {
		return Signer{}, err
	}
	pub, err := base64.StdEncoding.Strict().DecodeString(sig.PublicKey)
	if err != nil || len(pub) != ed25519.PublicKeySize {
		return Signer{}, errors.New("the public key is not an Ed25519 key")
	}
	value, err := base64.StdEncoding.Strict().DecodeString(sig.Value)
	switch {
	case sig.Algorithm != Algorithm:
		return Signer{}, fmt.Errorf("algorithm %q is not %s", sig.Algorithm, Algorithm)
	case sig.KeyID != KeyID(pub):
		return Signer{}, errors.New("the key ID is not that of the public key")
	case sig.HostID != hostID:
		return Signer{}, fmt.Errorf("signed for host ID %q, but the result is of host ID %q", sig.HostID, hostID)
	case err != nil || len(value) != ed25519.SignatureSize:
		return Signer{}, errors.New("the signature value is not an Ed25519 signature")
	case !ed25519.Verify(pub, file[:at], value):
		return Signer{}, errors.New("the signature does not match the result: it was changed after signing, or signed by another key")
	}
	return Signer{PublicKey: pub, KeyID: sig.KeyID, HostID: sig.HostID}, nil
}

// member decodes the signature member, which must be followed by the end
// of the document and nothing else.
func member(b []byte) (Signature, error) {
	rest, ok := bytes.CutSuffix(b, []byte(tail))
	if !ok {
		return Signature{}, errors.New("bytes after the signature: the file was changed after signing")
	}
	dec := json.NewDecoder(bytes.NewReader(rest))
	dec.DisallowUnknownFields()
	var sig Signature
	if err := dec.Decode(&sig); err != nil {
		return Signature{}, fmt.Errorf("the signature does not decode: %v", err)
	}
	if dec.InputOffset() != int64(len(rest)) {
		return Signature{}, errors.New("bytes after the signature: the file was changed after signing")
	}
	return sig, nil
}

// ParsePublicKey reads a public key as Signature.PublicKey writes it.
func ParsePublicKey(s string) (ed25519.PublicKey, error) {
	pub, err := base64.StdEncoding.Strict().DecodeString(s)
	if err != nil || len(pub) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("%q is not a base64 Ed25519 public key", s)
	}
	return pub, nil
}

// EncodePublicKey writes a public key as Signature.PublicKey holds it.
func EncodePublicKey(pub ed25519.PublicKey) string { return base64.StdEncoding.EncodeToString(pub) }
