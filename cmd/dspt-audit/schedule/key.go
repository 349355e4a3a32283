package schedule

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// KeyFile is the machine's Ed25519 private key, PKCS #8 in PEM (as
// 'openssl pkey' reads it), inside the key folder.
const KeyFile = "private.pem"

// maxKeyFile bounds what is read of a key file: a PEM Ed25519 key is 119
// bytes.
const maxKeyFile = 4096

// KeyDir is the folder holding the machine's signing key, inside the state
// folder: /var/lib/dspt-audit/key, %ProgramData%\dspt-audit\key.
func KeyDir(stateDir string) string { return filepath.Join(stateDir, "key") }

// EnsureKey returns the machine's signing key from dir, creating the
// folder (readable by SYSTEM and Administrators, or root, only) and the key
// when they do not exist yet. An existing key is kept: results signed
// before a reinstall still verify against the key the roll-up pinned. A
// folder or key file this account did not make, or a link or junction in
// their place, is refused rather than used.
func EnsureKey(dir string) (key ed25519.PrivateKey, created bool, err error) {
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return nil, false, err
	}
	if err := secureDir(dir); err != nil {
		return nil, false, fmt.Errorf("key folder %s: %w", dir, err)
	}
	path := filepath.Join(dir, KeyFile)
	key, err = loadKey(path)
	if !errors.Is(err, fs.ErrNotExist) {
		return key, false, err
	}
	_, key, err = ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, false, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, false, err
	}
	if err := writeKey(path, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})); err != nil {
		return nil, false, fmt.Errorf("cannot write the signing key %s: %w", path, err)
	}
	return key, true, nil
}

// LoadKey reads the machine's signing key from dir, refusing a folder or
// file with the wrong owner or access, or a link.
func LoadKey(dir string) (ed25519.PrivateKey, error) {
	if err := checkDir(dir); err != nil {
		return nil, fmt.Errorf("key folder %s: %w", dir, err)
	}
	return loadKey(filepath.Join(dir, KeyFile))
}

func loadKey(path string) (ed25519.PrivateKey, error) {
	if err := checkKeyFile(path); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		return nil, fmt.Errorf("signing key %s: %w", path, err)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxKeyFile))
	if err != nil {
		return nil, err
	}
	block, _ := pem.Decode(b)
	if block == nil || block.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("signing key %s is not a PEM private key", path)
	}
	parsed, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("signing key %s: %w", path, err)
	}
	key, ok := parsed.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("signing key %s is not an Ed25519 key", path)
	}
	return key, nil
}

// writeKey writes the key through a new temporary file in the key folder
// (created afresh, so it takes the folder's access), renamed into place.
func writeKey(path string, pemBytes []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".private.pem.tmp-*")
	if err != nil {
		return err
	}
	_, err = tmp.Write(pemBytes)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = restrictFile(tmp.Name())
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}
