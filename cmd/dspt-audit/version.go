package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"

	"github.com/nhs-dspt/dspt-audit/report"
	"github.com/spf13/cobra"
)

// Set at link time by .ci/release:
//
//	-ldflags "-X main.buildVersion=1.2.3 -X main.buildCommit=<sha> -X main.buildDate=2026-11-27T10:00:00Z"
var (
	buildVersion = ""
	buildCommit  = ""
	buildDate    = ""
)

// version is the release version, or "dev" (with the commit where Go
// recorded one) for a development build.
func version() string {
	if buildVersion != "" {
		return buildVersion
	}
	if c := commit(); c != "" {
		return "dev-" + c[:min(12, len(c))]
	}
	return "dev"
}

// commit is the stamped commit, or the one Go's VCS stamping recorded.
func commit() string {
	if buildCommit != "" {
		return buildCommit
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" {
			return s.Value
		}
	}
	return ""
}

// developmentBuild is true for any binary not built by .ci/release.
func developmentBuild() bool { return buildVersion == "" }

// tool names this program in every report it writes.
func tool() report.Tool {
	return report.Tool{Name: "dspt-audit", Version: version(), Commit: commit(), BuildDate: buildDate,
		Development: developmentBuild(), SHA256: programHash()}
}

// programHash is the SHA-256 of this program's file, so a report names the
// exact binary that wrote it; empty when the file cannot be read.
var programHash = sync.OnceValue(func() string {
	exe, err := os.Executable()
	if err != nil {
		return ""
	}
	f, err := os.Open(exe)
	if err != nil {
		return ""
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return ""
	}
	return hex.EncodeToString(h.Sum(nil))
})

func newVersionCommand(s *streams) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version, commit, build date and signature state of dspt-audit",
		Long: `Print what this binary is: its release version (or "dev" for a development
build, whose reports say "development build (not for evidence)"), the commit
and date it was built from, the Go toolchain and platform, and on Windows
whether the .exe carries a valid Authenticode signature.`,
		Args: noArgs,
		RunE: runE(func(*cobra.Command, []string) error {
			return printVersion(s.Out)
		}),
	}
}

func printVersion(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "dspt-audit %s\n", version())
	if developmentBuild() {
		fmt.Fprintf(&b, "  build:     development build (not for evidence)\n")
	}
	if c := commit(); c != "" {
		fmt.Fprintf(&b, "  commit:    %s\n", c)
	}
	if buildDate != "" {
		fmt.Fprintf(&b, "  built:     %s\n", buildDate)
	}
	fmt.Fprintf(&b, "  go:        %s %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	fmt.Fprintf(&b, "  signature: %s\n", signatureState())
	_, err := io.WriteString(w, b.String())
	return err
}
