package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/nhs-dspt/dspt-audit/cmd/dspt-audit/schedule"
	"github.com/nhs-dspt/dspt-audit/report"
	"github.com/nhs-dspt/dspt-audit/report/history"
)

// recordHistory adds the run to the host's compact history in the results
// folder, which 'fleet --trend' reads; body is the result file as written.
func recordHistory(dir string, rep *report.Report, body []byte, s *streams) error {
	sum := sha256.Sum256(body)
	st, err := schedule.WriteHistory(dir, rep.Host.Name, history.FromReport(rep, hex.EncodeToString(sum[:])), time.Now())
	if st.Corrupt > 0 || st.TooLarge {
		fmt.Fprintf(s.Err, "The history of %s had %d lines that were not records (dropped); larger than the bound: %t.\n", report.Sanitize(rep.Host.Name), st.Corrupt, st.TooLarge)
	}
	if err != nil {
		return fmt.Errorf("result written, but not to the compact history: %w", err)
	}
	return nil
}
