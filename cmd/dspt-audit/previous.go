package main

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"

	"github.com/nhs-dspt/dspt-audit/cmd/dspt-audit/schedule"
	"github.com/nhs-dspt/dspt-audit/report"
	"github.com/nhs-dspt/dspt-audit/report/diff"
	"github.com/nhs-dspt/dspt-audit/report/sign"
)

// comparePrevious compares a nightly result with the machine's previous
// one, before it is replaced, and records in rep.Previous what it found.
// The previous result is first the state folder's copy (stateDir: this
// machine's own, which no other PC can delete or replace; found after a
// rename too); only when there is none, the one the results folder dir
// holds ("": none). Either is compared only when it is of this machine's
// host ID and signed with its key. The share's is bytes any PC could have written: when it is not
// this machine's, rep.Previous.Note says why not. rejudge
// judges its verdicts again as this run judged rep's. It returns the
// comparison, or nil when there was none; nothing in the earlier file can
// stop the new result being written.
func comparePrevious(stateDir, dir, keyDir string, rep *report.Report, rejudge func(*report.Report) error) *diff.Diff {
	ours := func(b []byte, prev *report.Report) bool {
		return prev.Host.ID != "" && prev.Host.ID == rep.Host.ID && signedByThisMachine(b, prev.Host.ID, keyDir) == nil
	}
	if b, _, err := schedule.ReadLocalPrevious(stateDir, rep.Host.Name, report.MaxSize, ours); err == nil {
		if prev, err := report.Decode(b); err == nil && rejudge(prev) == nil {
			return compared(prev, rep, b)
		}
	}
	if dir == "" {
		return nil
	}
	b, path, err := schedule.ReadPrevious(dir, rep.Host.Name, report.MaxSize)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	notCompared := func(format string, args ...any) *diff.Diff {
		rep.Previous = &report.Previous{Note: report.Sanitize(fmt.Sprintf(format, args...)) + "; not compared."}
		return nil
	}
	if err != nil {
		return notCompared("The previous result could not be read: %v", err)
	}
	prev, err := report.Decode(b)
	if err != nil {
		return notCompared("The previous result %s could not be read: %v", path, err)
	}
	if prev.Host.ID == "" || prev.Host.ID != rep.Host.ID {
		return notCompared("The previous result %s is of another machine (host ID %q; this machine's is %q): a PC replaced, or a name reused",
			path, report.Truncate(prev.Host.ID, 80), rep.Host.ID)
	}
	if err := signedByThisMachine(b, prev.Host.ID, keyDir); err != nil {
		return notCompared("The previous result %s is not vouched for by this machine: %v", path, err)
	}
	if err := rejudge(prev); err != nil {
		return notCompared("The previous result %s could not be judged again: %v", path, err)
	}
	return compared(prev, rep, b)
}

// compared is the comparison of rep with prev, read from the bytes b.
func compared(prev, rep *report.Report, b []byte) *diff.Diff {
	sum := sha256.Sum256(b)
	prev.ResultSHA256 = hex.EncodeToString(sum[:])
	d := diff.Compare(prev, rep)
	rep.Previous = d.Previous()
	return d
}

// signedByThisMachine says why b was not signed with this machine's key.
func signedByThisMachine(b []byte, hostID, keyDir string) error {
	key, _, err := schedule.EnsureKey(keyDir)
	if err != nil {
		return fmt.Errorf("this machine's key cannot be had: %w", err)
	}
	signer, err := sign.Verify(b, hostID)
	switch {
	case errors.Is(err, sign.ErrUnsigned):
		return errors.New("it is unsigned")
	case err != nil:
		return fmt.Errorf("its signature does not hold: %w", err)
	case !signer.PublicKey.Equal(key.Public().(ed25519.PublicKey)):
		return fmt.Errorf("it is signed with key %s, not this machine's", signer.KeyID)
	}
	return nil
}
