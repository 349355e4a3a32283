package declared_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nhs-dspt/dspt-audit/checks"
	"github.com/nhs-dspt/dspt-audit/checks/declared"
	"github.com/nhs-dspt/dspt-audit/checks/probe"
	"github.com/nhs-dspt/dspt-audit/standards"
)

// FuzzLoad loads arbitrary bytes as a checks file. Loading never panics,
// every problem is one line naming the file, and a check that loads never
// passes, warns or fails on a machine where every read is denied.
func FuzzLoad(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*/*.yaml")
	seeds = append(seeds, "../builtin/hardening.yaml")
	for _, s := range seeds {
		b, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	builtin := checks.All()
	host := probe.HostInfo{Hostname: "PC1", OS: checks.Windows}
	f.Fuzz(func(t *testing.T, b []byte) {
		pack := declared.LoadFile("f.yaml", b, builtin)
		for _, p := range pack.Problems {
			if s := p.Error(); !strings.HasPrefix(s, "f.yaml:") || strings.ContainsAny(s, "\n\r") {
				t.Fatalf("problem not one line naming the file: %q", s)
			}
		}
		if len(pack.Checks) == 0 {
			return
		}
		for _, c := range pack.Checks {
			if !strings.HasPrefix(c.ID, checks.CustomPrefix) || c.Origin != "f.yaml" {
				t.Fatalf("loaded %s from %q", c.ID, c.Origin)
			}
		}
		for _, os := range []string{checks.Windows, checks.Linux} {
			host.OS = os
			scan, err := checks.Run(context.Background(), deniedSource{host}, checks.Options{Checks: pack.Checks, Data: &standards.Data{}, Clock: func() time.Time { return time.Unix(0, 0) }})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range scan.Results {
				if r.Verdict.Status.Determined() {
					t.Fatalf("%s is %s with every read denied: %s", r.Check.ID, r.Verdict.Status, r.Verdict.Summary)
				}
			}
		}
	})
}

// deniedSource knows the host and is denied everything else.
type deniedSource struct{ host probe.HostInfo }

func (d deniedSource) Read(_ context.Context, q probe.Query) (any, error) {
	if q.Kind == probe.Host {
		return d.host, nil
	}
	return nil, probe.Errorf(probe.AccessDenied, "denied")
}
