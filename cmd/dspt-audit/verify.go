package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/nhs-dspt/dspt-audit/report"
	"github.com/nhs-dspt/dspt-audit/report/sign"
)

// maxVerified bounds what 'report verify' reads of a file: a result is
// tens of kilobytes.
const maxVerified = 64 << 20

// verifyError carries 'report verify's verdict to its exit code.
type verifyError struct {
	code int
	msg  string
}

func (e verifyError) Error() string { return e.msg }

func newVerifyCommand(s *streams) *cobra.Command {
	return &cobra.Command{
		Use:   "verify RESULT.json",
		Short: "Check the signature a scheduled result carries, and say which key signed it",
		Long: `Check that a result written by the nightly task is exactly as the machine
signed it, and print one line: which host and key signed it. Exit code 0:
the signature is valid; 5: the result carries no signature (an older
version, or a manual scan); 6: the signature does not hold (the file was
changed after signing, or the signature was made for another host); 2: the
file is not a result. A valid signature says which key signed the result;
whether that key is the machine's is what 'fleet' checks against its trust
store.`,
		Example: `  dspt-audit report verify \\server\share\dspt\GP-RECEPTION-01.json`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usagef("%s takes one result file, got %d arguments", cmd.CommandPath(), len(args))
			}
			return nil
		},
		RunE: runE(func(_ *cobra.Command, args []string) error { return runVerify(args[0], s) }),
	}
}

func runVerify(path string, s *streams) error {
	f, err := os.Open(path)
	if err != nil {
		return usagef("cannot read result: %v", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxVerified+1))
	if err != nil {
		return usagef("cannot read result: %v", err)
	}
	if len(b) > maxVerified {
		return usagef("%s: larger than %d MB, not a result", path, maxVerified>>20)
	}
	rep, err := report.Read(bytes.NewReader(b))
	if err != nil {
		return usagef("%s: %v", path, err)
	}
	who, err := sign.Verify(b, rep.Host.ID)
	switch {
	case errors.Is(err, sign.ErrUnsigned):
		return verifyError{exitUnsigned, fmt.Sprintf("unsigned: %s (host %s) carries no signature: an older version or a manual scan wrote it", path, rep.Host.Name)}
	case err != nil:
		return verifyError{exitBadSignature, fmt.Sprintf("bad signature: %s (claims host %s): %v", path, rep.Host.Name, err)}
	}
	_, err = fmt.Fprintf(s.Out, "valid: %s: host %s (host ID %s), signed by key %s\n", report.Sanitize(path), report.Sanitize(rep.Host.Name), report.Sanitize(who.HostID), who.KeyID)
	return err
}
