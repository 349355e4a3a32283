package fleet

import (
	"bytes"
	"cmp"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/nhs-dspt/dspt-audit/report"
	"github.com/nhs-dspt/dspt-audit/report/sign"
)

// TrustKind marks a trust store file.
const TrustKind = "dspt-audit trust store"

// maxTrustFile bounds what is read of a trust store: an entry is ~250
// bytes, so this holds some 60,000 hosts.
const maxTrustFile = 16 << 20

// Pin is one host's pinned public key.
type Pin struct {
	// HostID is the machine ID the results carry; results without one
	// are pinned by host name.
	HostID    string    `json:"host_id,omitempty"`
	HostName  string    `json:"host_name"`
	PublicKey string    `json:"public_key"`
	KeyID     string    `json:"key_id"`
	PinnedAt  time.Time `json:"pinned_at"`
	// File is the result the key was first accepted from.
	File string `json:"first_seen_in"`
	// RetiredAt, when set (fleet --retire), says the machine was replaced,
	// renamed or taken out of use then: its results up to that time still
	// count in the trend, where its series ends; it is not expected in the
	// roll-up, and its name is free for another machine's key.
	RetiredAt time.Time `json:"retired_at,omitzero"`
}

func (p Pin) identity() string { return identity(p.HostID, p.HostName) }

// identity is what a pin is keyed by: the host ID and the host name. The
// name is part of it because machine IDs are cloned with disk images in
// practice, and the name is what the roll-up groups results by.
func identity(hostID, name string) string {
	return strings.ToLower(hostID) + "|" + strings.ToLower(strings.TrimSpace(name))
}

// Trust is the roll-up's trust store: the public key pinned for each host.
// A result counts only when it is signed by the key pinned for the host it
// claims to be.
type Trust struct {
	// AcceptNew pins the key of each host seen for the first time (fleet
	// --trust-new); without it such hosts are listed and not counted.
	AcceptNew bool
	pins      map[string]Pin
	names     map[string]Pin // by lower-case host name
	keys      map[string]Pin // by key ID
	retired   []Pin
}

type trustFile struct {
	Kind  string `json:"kind"`
	Hosts []Pin  `json:"hosts"`
}

// NewTrust is an empty trust store.
func NewTrust() *Trust {
	return &Trust{pins: map[string]Pin{}, names: map[string]Pin{}, keys: map[string]Pin{}}
}

// LoadTrust reads a trust store; a file that does not exist yet is an
// empty store.
func LoadTrust(path string) (*Trust, error) {
	t := NewTrust()
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return t, nil
	}
	if err != nil {
		return nil, fmt.Errorf("cannot read the trust store: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxTrustFile+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read the trust store %s: %w", path, err)
	}
	if len(b) > maxTrustFile {
		return nil, fmt.Errorf("trust store %s is larger than %d MB: not one dspt-audit wrote", path, maxTrustFile>>20)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var tf trustFile
	if err := dec.Decode(&tf); err != nil || tf.Kind != TrustKind {
		return nil, fmt.Errorf("trust store %s is not a dspt-audit trust store (%v)", path, cmp.Or[any](err, "kind "+tf.Kind))
	}
	for _, p := range tf.Hosts {
		pub, err := sign.ParsePublicKey(p.PublicKey)
		if err != nil || sign.KeyID(pub) != p.KeyID {
			return nil, fmt.Errorf("trust store %s: host %s: the public key and key ID do not match", path, p.HostName)
		}
		if !p.RetiredAt.IsZero() {
			t.retired = append(t.retired, p)
			continue
		}
		if _, dup := t.pins[p.identity()]; dup {
			return nil, fmt.Errorf("trust store %s: host %s is pinned twice", path, p.HostName)
		}
		t.pin(p)
	}
	return t, nil
}

func (t *Trust) pin(p Pin) {
	t.pins[p.identity()] = p
	t.names[strings.ToLower(strings.TrimSpace(p.HostName))] = p
	t.keys[p.KeyID] = p
}

// Pins are the pinned hosts in use (not retired), by name.
func (t *Trust) Pins() []Pin {
	pins := make([]Pin, 0, len(t.pins))
	for _, p := range t.pins {
		pins = append(pins, p)
	}
	slices.SortFunc(pins, func(a, b Pin) int {
		return cmp.Or(cmp.Compare(strings.ToLower(a.HostName), strings.ToLower(b.HostName)), cmp.Compare(a.HostID, b.HostID))
	})
	return pins
}

// Save writes the trust store atomically.
func (t *Trust) Save(path string) error {
	return report.WriteFileAtomic(path, func(w io.Writer) error {
		return report.JSON(w, trustFile{Kind: TrustKind, Hosts: append(t.Pins(), t.Retired()...)})
	})
}

// Retired are the retired pins, by name and retirement.
func (t *Trust) Retired() []Pin {
	out := slices.Clone(t.retired)
	slices.SortFunc(out, func(a, b Pin) int {
		return cmp.Or(cmp.Compare(strings.ToLower(a.HostName), strings.ToLower(b.HostName)), a.RetiredAt.Compare(b.RetiredAt))
	})
	return out
}

// Retire retires the pins in use whose host name or host ID is host, as of
// at, and returns them: a replaced PC's series ends, a renamed PC's key can
// be trusted under its new name, and the name is free for a new machine.
func (t *Trust) Retire(host string, at time.Time) []Pin {
	host = strings.TrimSpace(host)
	var done []Pin
	for id, p := range t.pins {
		if !strings.EqualFold(p.HostName, host) && (p.HostID == "" || !strings.EqualFold(p.HostID, host)) {
			continue
		}
		delete(t.pins, id)
		if n := strings.ToLower(strings.TrimSpace(p.HostName)); t.names[n].identity() == id {
			delete(t.names, n)
		}
		if t.keys[p.KeyID].identity() == id {
			delete(t.keys, p.KeyID)
		}
		p.RetiredAt = at.UTC()
		t.retired = append(t.retired, p)
		done = append(done, p)
	}
	slices.SortFunc(done, func(a, b Pin) int { return cmp.Compare(a.HostID, b.HostID) })
	return done
}

// retiredKey is the retired pin whose key signed r, if any.
func (t *Trust) retiredKey(r *result) (Pin, bool) {
	for _, p := range t.retired {
		if p.KeyID == r.signer.KeyID && r.signer.PublicKey.Equal(mustKey(p.PublicKey)) {
			return p, true
		}
	}
	return Pin{}, false
}

// countsInTrend says whether the trend counts a result: one the roll-up
// counts, or one a retired machine signed before it was retired.
func (t *Trust) countsInTrend(r *result) bool {
	if t.judge(r).reason == "" {
		return true
	}
	if r.signErr != nil {
		return false
	}
	for _, p := range t.retired {
		if p.identity() == identity(r.host.ID, r.host.Name) && p.KeyID == r.signer.KeyID &&
			r.signer.PublicKey.Equal(mustKey(p.PublicKey)) && !r.scannedAt.After(p.RetiredAt) {
			return true
		}
	}
	return false
}

// Untrusted is a result the roll-up read but did not count, and why.
type Untrusted struct {
	Path     string `json:"path"`
	HostName string `json:"host"`
	HostID   string `json:"host_id,omitempty"`
	KeyID    string `json:"key_id,omitempty"`
	// New marks a host seen for the first time: accept it with --trust-new.
	New    bool   `json:"new,omitempty"`
	Reason string `json:"reason"`
	// retired: signed by a retired machine's key, so no sign that the
	// host pinned under that name now was tampered with.
	retired bool
}

// verdict is how the trust store judges one result: counted (empty
// reason), pending (a new host to pin at the end, with AcceptNew), or not
// counted with the reason.
type verdict struct {
	reason  string
	pending bool
	newHost bool
	retired bool // signed by a retired machine's key
}

func (t *Trust) judge(r *result) verdict {
	switch {
	case errors.Is(r.signErr, sign.ErrUnsigned):
		return verdict{reason: "unsigned: an older version, a manual scan or someone other than the machine's nightly task wrote it"}
	case r.signErr != nil:
		return verdict{reason: "bad signature: " + r.signErr.Error()}
	}
	name := strings.TrimSpace(r.host.Name)
	pinned, known := t.pins[identity(r.host.ID, name)]
	if known {
		if pinned.KeyID != r.signer.KeyID || !r.signer.PublicKey.Equal(mustKey(pinned.PublicKey)) {
			return verdict{reason: fmt.Sprintf("signed by key %s, not the key %s pinned for this host: a forgery, a cloned PC, or a key changed without re-trusting", r.signer.KeyID, pinned.KeyID)}
		}
		return verdict{}
	}
	old, retired := t.retiredKey(r)
	if retired && old.identity() == identity(r.host.ID, name) {
		return verdict{retired: true, reason: fmt.Sprintf("signed by the key of %s, retired %s: a retired machine's results are not counted", old.HostName, old.RetiredAt.Format(time.DateOnly))}
	}
	if other, taken := t.names[strings.ToLower(name)]; taken {
		return verdict{reason: fmt.Sprintf("claims the name %s, which is pinned to another machine (host ID %s): a forgery, a cloned PC, or a replacement; if the PC was replaced, retire the old one ('fleet --retire %s') and trust the new one ('fleet --trust-new')", name, other.HostID, name)}
	}
	if other, taken := t.keys[r.signer.KeyID]; taken {
		if other.HostID != "" && strings.EqualFold(other.HostID, r.host.ID) {
			return verdict{reason: fmt.Sprintf("signed by the key pinned for %s, with the same host ID: if %s was renamed %s, run 'fleet --retire %s' then 'fleet --trust-new'; if not, a PC imaged with another's key folder (delete its key folder and reinstall)", other.HostName, other.HostName, name, other.HostName)}
		}
		return verdict{reason: fmt.Sprintf("signed by the key pinned for %s: one PC posing as another, or a PC imaged with another's key folder (delete its key folder and reinstall)", other.HostName)}
	}
	newHost := "new, not yet trusted: accept this machine's key with 'fleet --trust-new' once you know it is the PC's own"
	if retired {
		if old.HostID == "" || !strings.EqualFold(old.HostID, r.host.ID) {
			return verdict{reason: fmt.Sprintf("signed by the key of %s, retired %s, claiming another machine: one PC posing as another", old.HostName, old.RetiredAt.Format(time.DateOnly))}
		}
		newHost = fmt.Sprintf("new, not yet trusted: signed by the key of %s (same host ID), retired %s: if that PC was renamed %s, accept it with 'fleet --trust-new'", old.HostName, old.RetiredAt.Format(time.DateOnly), name)
	}
	return verdict{pending: t.AcceptNew, newHost: true, reason: newHost}
}

// altered says the result is signed but its bytes are not what was signed.
func (r *result) altered() bool { return r.signErr != nil && !errors.Is(r.signErr, sign.ErrUnsigned) }

func mustKey(s string) ed25519.PublicKey {
	pub, _ := sign.ParsePublicKey(s)
	return pub
}
