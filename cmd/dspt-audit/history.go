package main

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"time"

	"github.com/nhs-dspt/dspt-audit/cmd/dspt-audit/schedule"
	"github.com/nhs-dspt/dspt-audit/report"
	"github.com/nhs-dspt/dspt-audit/report/history"
)

// recordHistory adds the run, signed with the machine's key, to its compact
// history. The authoritative copy is in the state folder, which only
// administrators can write; the share's file (shareDir/history, which
// 'fleet --trend' reads; "" when the share was not written) is rewritten
// from it each run, so nothing planted in the share can remove this
// machine's records, and the next run repairs what was. The first run
// with no local history takes the share's records that this machine's key
// signed. body is the result file as written; key is nil when the machine
// has none (the record is then unsigned, and not counted by the trend).
func recordHistory(stateDir, shareDir string, rep *report.Report, body []byte, key ed25519.PrivateKey, s *streams) error {
	sum := sha256.Sum256(body)
	rec := history.FromReport(rep, hex.EncodeToString(sum[:]))
	if key != nil {
		if err := rec.Sign(key); err != nil {
			return err
		}
	}
	recs, st, found, err := schedule.ReadLocalHistory(stateDir)
	if err != nil {
		return fmt.Errorf("this machine's own history could not be read, so neither it nor the share's copy was changed: %w", err)
	}
	if st.Corrupt > 0 || st.TooLarge {
		fmt.Fprintf(s.Err, "%d lines of this machine's history in %s could not be read and were dropped.\n", st.Corrupt, stateDir)
	}
	if key != nil {
		// On Windows users can create files in a folder under ProgramData:
		// only records this machine signed are its history.
		pub := key.Public().(ed25519.PublicKey)
		n := len(recs)
		if recs = slices.DeleteFunc(recs, func(r history.Record) bool { return r.Verify(pub) != nil }); len(recs) < n {
			fmt.Fprintf(s.Err, "%d records of this machine's history in %s were not signed with its key and were dropped.\n", n-len(recs), stateDir)
		}
	}
	if !found && shareDir != "" && key != nil {
		recs = seedHistory(shareDir, rep, key.Public().(ed25519.PublicKey), s)
	}
	recs = history.Add(ofMachine(recs, rep), rec, time.Now())
	if err := schedule.WriteLocalHistory(stateDir, recs); err != nil {
		return fmt.Errorf("this machine's own history could not be written: %w", err)
	}
	if shareDir == "" {
		return nil
	}
	if err := schedule.WriteShareHistory(shareDir, rep.Host.Name, rep.Host.ID, recs); err != nil {
		return fmt.Errorf("the share's copy could not be written (this machine keeps its own in %s, and the next run writes the share's again): %w", stateDir, err)
	}
	return nil
}

// seedHistory is the share's history of this machine, for the first run
// that keeps one locally: only records of this machine signed with its key.
func seedHistory(shareDir string, rep *report.Report, pub ed25519.PublicKey, s *streams) []history.Record {
	recs, _, err := schedule.ReadShareHistory(shareDir, rep.Host.Name, rep.Host.ID)
	if err != nil {
		fmt.Fprintf(s.Err, "This machine's history in the share could not be read (%v): it starts again from tonight's run.\n", err)
	}
	kept := slices.DeleteFunc(ofMachine(recs, rep), func(r history.Record) bool { return r.Verify(pub) != nil })
	if left := len(recs) - len(kept); left > 0 {
		fmt.Fprintf(s.Err, "Took %d records of this machine from the share's history; left out %d that were another machine's or not signed with this machine's key.\n", len(kept), left)
	}
	return kept
}

// ofMachine are the records of the machine rep is of (by host ID, or by
// name for one without).
func ofMachine(recs []history.Record, rep *report.Report) []history.Record {
	self := history.Record{HostID: rep.Host.ID, HostName: rep.Host.Name}.Identity()
	return slices.DeleteFunc(recs, func(r history.Record) bool { return r.Identity() != self })
}
