package checks

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/nhs-dspt/dspt-audit/checks/probe"
	"github.com/nhs-dspt/dspt-audit/standards"
)

// The Go code the checks written as data replaced, kept as the reference
// they must agree with.

func goAutorun(e *Env) Verdict {
	drivesQ := probe.RegistryValue(`HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Policies\Explorer`, "NoDriveTypeAutoRun")
	noAutorunQ := probe.RegistryValue(`HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Policies\Explorer`, "NoAutorun")
	drives, noAutorun := readDWORD(e, drivesQ), readDWORD(e, noAutorunQ)
	if drives.failed || noAutorun.failed {
		return cannotTell("the AutoRun policy", failures(drives.obs, noAutorun.obs)...)
	}
	switch {
	case noAutorun.set && noAutorun.n == 1:
		return verdict(standards.Pass, "AutoRun commands are never executed (NoAutorun = 1); %s.", drives.describe())
	case drives.set && drives.n&0xFF == 0xFF:
		return verdict(standards.Pass, "AutoRun is off for all drive types (NoDriveTypeAutoRun = 0x%X).", drives.n)
	case drives.set:
		return verdict(standards.Fail, "AutoRun is off only for some drive types (NoDriveTypeAutoRun = 0x%X, not 0xFF) and NoAutorun is not 1.", drives.n)
	}
	return verdict(standards.Fail, "Neither NoDriveTypeAutoRun nor NoAutorun is set, so Windows' default applies, under which CD/DVD AutoRun still runs.")
}

func goLLMNR(e *Env) Verdict {
	d := readDWORD(e, probe.RegistryValue(`HKLM\SOFTWARE\Policies\Microsoft\Windows NT\DNSClient`, "EnableMulticast"))
	switch {
	case d.failed:
		return cannotTell("the LLMNR policy", d.obs)
	case d.set && d.n == 0:
		return verdict(standards.Pass, "LLMNR is turned off by policy (EnableMulticast = 0).")
	case d.set:
		return verdict(standards.Fail, "LLMNR is on (policy EnableMulticast = %d).", d.n)
	}
	return verdict(standards.Fail, "LLMNR is on: the policy EnableMulticast is not set, and Windows answers LLMNR by default.")
}

func goRDP(e *Env) Verdict {
	deny, denySrc := rdpDeny.read(e)
	if deny.failed {
		return cannotTell("whether Remote Desktop is on", deny.obs)
	}
	if !deny.set {
		return verdict(standards.Pass, "Remote Desktop is off: fDenyTSConnections is not set by policy or locally, and Windows refuses connections by default.")
	}
	if deny.n == 1 {
		return verdict(standards.Pass, "Remote Desktop is off (%s fDenyTSConnections = 1).", denySrc)
	}
	nla, nlaSrc := rdpNLA.read(e)
	switch {
	case nla.failed:
		return cannotTell("whether Remote Desktop requires Network Level Authentication", nla.obs)
	case nla.set && nla.n == 1:
		return verdict(standards.Pass, "Remote Desktop is ON (%s fDenyTSConnections = 0) with Network Level Authentication required (%s UserAuthentication = 1).", denySrc, nlaSrc)
	}
	return verdict(standards.Fail, "Remote Desktop is ON (%s fDenyTSConnections = 0) WITHOUT Network Level Authentication (%s).", denySrc, nla.describe())
}

// mapSource answers registry reads from a map; the host is a Windows PC.
type mapSource map[string]any

func (m mapSource) Read(_ context.Context, q probe.Query) (any, error) {
	if q.Kind == probe.Host {
		return probe.HostInfo{Hostname: "PC1", OS: Windows}, nil
	}
	v, ok := m[q.Key()]
	if !ok {
		return nil, probe.Errorf(probe.NotFound, "not set")
	}
	if class, failed := v.(probe.ErrorClass); failed {
		return nil, probe.Errorf(class, "planted")
	}
	return v, nil
}

func regSZ(s string) probe.RegValue { return stringValue(s) }

// registryCases are the values each read takes in turn: not set, failed
// two ways, numbers (as DWORD and as REG_SZ).
var registryCases = []any{nil, probe.AccessDenied, probe.Timeout, regDWORD(0), regDWORD(1), regDWORD(2), regDWORD(0x7F), regDWORD(0x91), regDWORD(0xFE), regDWORD(0xFF), regDWORD(0x1FF), regSZ("1")}

// TestDataChecksAgreeWithTheirGoCode judges every combination of values of
// each migrated check's reads with the check written as data and with the
// Go code it replaced: verdicts, summaries and evidence are the same.
func TestDataChecksAgreeWithTheirGoCode(t *testing.T) {
	for _, tt := range []struct {
		check  *Check
		old    func(*Env) Verdict
		values []any
	}{
		{AutorunDisabled(), goAutorun, registryCases},
		{LLMNRDisabled(), goLLMNR, registryCases},
		{RDPSecure(), goRDP, []any{nil, probe.AccessDenied, probe.Timeout, regDWORD(0), regDWORD(1), regDWORD(2)}},
	} {
		t.Run(tt.check.ID, func(t *testing.T) {
			old := *tt.check
			old.Evaluate = tt.old
			n := 0
			for src := range combinations(tt.check.Reads, tt.values) {
				got, want := judgeOne(t, tt.check, src), judgeOne(t, &old, src)
				if !reflect.DeepEqual(got.Verdict, want.Verdict) || !reflect.DeepEqual(got.Evidence, want.Evidence) {
					t.Errorf("%v:\n got %+v %v\nwant %+v %v", src, got.Verdict, got.Evidence, want.Verdict, want.Evidence)
				}
				n++
			}
			if n < len(tt.values) {
				t.Errorf("only %d combinations", n)
			}
		})
	}
}

// TestTextWhereANumberIsNamed: a value that is not a number cannot be
// told, as the Go code said, and now names the value.
func TestTextWhereANumberIsNamed(t *testing.T) {
	src := mapSource{probe.RegistryValue(`HKLM\SOFTWARE\Policies\Microsoft\Windows NT\DNSClient`, "EnableMulticast").Key(): regSZ("off")}
	r := judgeOne(t, LLMNRDisabled(), src)
	want := `Could not tell the LLMNR policy: HKLM\SOFTWARE\Policies\Microsoft\Windows NT\DNSClient\EnableMulticast (not a number).`
	if r.Verdict.Status != standards.Unknown || r.Verdict.Summary != want {
		t.Errorf("got %s %q", r.Verdict.Status, r.Verdict.Summary)
	}
}

func combinations(reads []probe.Query, values []any) func(func(mapSource) bool) {
	return func(yield func(mapSource) bool) {
		idx := make([]int, len(reads))
		for {
			src := mapSource{}
			for i, q := range reads {
				if v := values[idx[i]]; v != nil {
					src[q.Key()] = v
				}
			}
			if !yield(src) {
				return
			}
			i := 0
			for ; i < len(idx); i++ {
				if idx[i]++; idx[i] < len(values) {
					break
				}
				idx[i] = 0
			}
			if i == len(idx) {
				return
			}
		}
	}
}

func judgeOne(t *testing.T, c *Check, src probe.Source) Result {
	t.Helper()
	scan, err := Run(context.Background(), src, Options{Checks: []*Check{c}, Data: &standards.Data{}, Clock: func() time.Time { return time.Unix(0, 0) }})
	if err != nil || len(scan.Results) != 1 {
		t.Fatalf("%v %d", err, len(scan.Results))
	}
	return scan.Results[0]
}

// TestBuiltinFilesAreInTheCatalogue: every check the embedded files define
// is in the catalogue, as a built-in (no origin), exactly once.
func TestBuiltinFilesAreInTheCatalogue(t *testing.T) {
	specs, err := loadBuiltinFiles()
	if err != nil {
		t.Fatal(err)
	}
	if len(specs) < 3 {
		t.Fatalf("%d checks in the embedded files", len(specs))
	}
	for id := range specs {
		n := 0
		for _, c := range All() {
			if c.ID == id {
				n++
				if c.Custom() {
					t.Errorf("%s has origin %q", id, c.Origin)
				}
			}
		}
		if n != 1 {
			t.Errorf("%s is in the catalogue %d times", id, n)
		}
	}
}
