package checks

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/nhs-dspt/dspt-audit/checks/probe"
)

func factText(f Fact) string {
	if f.Unread != nil {
		return "unread:" + string(f.Unread.Class)
	}
	return f.Value
}

func TestAssetFactsFromProfiles(t *testing.T) {
	data := loadData(t)
	for name, want := range map[string]map[string]string{
		"win11-enterprise-24h2-patched": {
			"manufacturer": "Dell Inc.", "model": "OptiPlex 7010", "serial": "7HX2KQ3", "bios_date": "2026-03-14",
			"memory": "15.7 GiB", "disks": "476.9 GiB (PC SN740 NVMe WD 512GB)", "chassis": "Desktop (3)", "tpm": "TPM 2.0",
		},
		// Win32_Tpm needs admin; the BIOS and chassis do not.
		"win11-enterprise-24h2-non-admin": {
			"serial": "PF4XK2LM", "chassis": "Notebook (10)", "tpm": "unread:access_denied",
		},
		"ubuntu-2404-desktop-hardened": {
			"manufacturer": "LENOVO", "serial": "PF4XR7TN", "bios_date": "2026-01-08", "cpu": "13th Gen Intel(R) Core(TM) i7-1365U",
			"memory": "31.1 GiB", "disks": "nvme0n1 476.9 GiB", "chassis": "Notebook (10)",
		},
		// A virtual machine's firmware has no serial number.
		"debian-12-nftables": {"manufacturer": "QEMU", "serial": "unread:not_found", "tpm": "none found", "chassis": "Other (1)"},
		// Recorded before the register: nothing guessed.
		"win11-pro-24h2-servicing-ended": {"serial": "unread:not_recorded", "model": "unread:not_recorded", "tpm": "TPM 2.0"},
		"debian-12-container-neglected":  {"serial": "unread:not_recorded", "cpu": "unread:not_recorded"},
	} {
		t.Run(name, func(t *testing.T) {
			a := replay(t, loadProfile(t, name), data).Asset
			if a == nil {
				t.Fatal("no asset facts")
			}
			got := map[string]Fact{"manufacturer": a.Manufacturer, "model": a.Model, "serial": a.Serial, "bios_date": a.BIOSDate,
				"cpu": a.CPU, "memory": a.Memory, "disks": a.Disks, "chassis": a.Chassis, "tpm": a.TPM}
			for field, w := range want {
				if g := factText(got[field]); g != w {
					t.Errorf("%s = %q, want %q", field, g, w)
				}
			}
			if a.LastUser != nil {
				t.Error("the last user was read without being asked for")
			}
		})
	}
}

func TestAssetSoftwareList(t *testing.T) {
	data := loadData(t)
	a := replay(t, loadProfile(t, "win10-pro-22h2-no-esu"), data).Asset
	if a.SoftwareUnread != nil || len(a.Software) == 0 {
		t.Fatalf("software %v, unread %v", a.Software, a.SoftwareUnread)
	}
	for _, p := range a.Software {
		if p.Name == "" || p.InstallDate != "" {
			t.Errorf("%+v: an older snapshot has no install dates, and every program has a name", p)
		}
	}
	linux := replay(t, loadProfile(t, "ubuntu-2404-desktop-hardened"), data).Asset
	if len(linux.Software) == 0 || linux.Software[0].Version == "" {
		t.Errorf("Linux packages %v", linux.Software)
	}
}

func TestLastUserOnlyWhenAsked(t *testing.T) {
	snap := loadProfile(t, "win11-enterprise-24h2-patched")
	snap.Observations = append(snap.Observations, probe.Observation{Key: lastUserRead.Key(), Kind: probe.Registry, Query: lastUserRead.String(),
		Value: []byte(`{"type":"REG_SZ","data":"PRACTICE\\alice"}`)})
	scan, err := Run(context.Background(), probe.NewReplay(snap), Options{Checks: All(), Data: loadData(t), RecordLastUser: true,
		Clock: func() time.Time { return snap.CollectedAt }})
	if err != nil {
		t.Fatal(err)
	}
	if scan.Asset.LastUser == nil || scan.Asset.LastUser.Value != `PRACTICE\alice` {
		t.Errorf("last user %+v", scan.Asset.LastUser)
	}
}

func TestFactsAreBounded(t *testing.T) {
	long := strings.Repeat("é", 500) + "\x00"
	f := known(long)
	if len(f.Value) > maxFactLen+len("…") || !strings.HasSuffix(f.Value, "…") {
		t.Errorf("a %d-byte value kept as %d bytes", len(long), len(f.Value))
	}
	if serialFact(known("To Be Filled By O.E.M.")).Unread == nil {
		t.Error("a placeholder serial number passed as a serial number")
	}
	if !Portable([]uint16{3, 10}) || Portable([]uint16{3}) {
		t.Error("Portable misjudges chassis types")
	}
}
