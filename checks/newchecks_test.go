package checks

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/nhs-dspt/dspt-audit/checks/probe"
	"github.com/nhs-dspt/dspt-audit/standards"
)

// judgeWith replays a profile with some observations, by key, replaced (an
// error class fails the probe) and returns one check's result.
func judgeWith(t *testing.T, profile, check string, changes map[string]any) Result {
	t.Helper()
	snap := loadProfile(t, profile)
	reads := map[string]probe.Query{}
	for _, c := range All() {
		for _, q := range c.Reads {
			reads[q.Key()] = q
		}
	}
	for key, v := range changes {
		q, ok := reads[key]
		if !ok {
			t.Fatalf("no check reads %s", key)
		}
		o := probe.Observation{Key: key, Kind: q.Kind, Query: q.String()}
		if class, ok := v.(probe.ErrorClass); ok {
			o.Error = probe.Errorf(class, "planted")
		} else {
			b, err := json.Marshal(v)
			if err != nil {
				t.Fatal(err)
			}
			o.Value = b
		}
		replaced := false
		for i := range snap.Observations {
			if snap.Observations[i].Key == o.Key {
				snap.Observations[i], replaced = o, true
			}
		}
		if !replaced {
			snap.Observations = append(snap.Observations, o)
		}
	}
	for _, r := range replay(t, snap, loadData(t)).Results {
		if r.Check.ID == check {
			return r
		}
	}
	t.Fatalf("%s did not run on %s", check, profile)
	return Result{}
}

func wantVerdict(t *testing.T, r Result, status standards.Status, says ...string) {
	t.Helper()
	if r.Verdict.Status != status {
		t.Errorf("%s: %s, want %s: %s", r.Check.ID, r.Verdict.Status, status, r.Verdict.Summary)
	}
	for _, s := range says {
		if !strings.Contains(r.Verdict.Summary, s) {
			t.Errorf("%s: summary %q lacks %q", r.Check.ID, r.Verdict.Summary, s)
		}
	}
}

func dwordValue(n uint64) probe.RegValue {
	b, _ := json.Marshal(n)
	return probe.RegValue{Type: probe.RegDWORD, Data: b}
}

func stringValue(s string) probe.RegValue {
	b, _ := json.Marshal(s)
	return probe.RegValue{Type: probe.RegSZ, Data: b}
}

func fileHistoryAt(when time.Time) []probe.RegKey {
	ft := uint64(when.Unix())*1e7 + 116444736000000000
	b, _ := json.Marshal(ft)
	return []probe.RegKey{{
		Path:   `HKU\S-1-5-21-3623811015-3361044348-30300820-1001\Software\Microsoft\Windows\CurrentVersion\FileHistory`,
		Values: map[string]probe.RegValue{"ProtectedUpToTime": {Type: probe.RegQWORD, Data: b}},
	}}
}

// GP-LAPTOP-06 was collected at 2026-09-20 12:00 UTC with File History
// completing on 2026-09-19.
const laptop = "win11-pro-25h2-public-firewall-off-by-gpo"

func TestBackupsFileHistoryAge(t *testing.T) {
	collected := time.Date(2026, 9, 20, 12, 0, 0, 0, time.UTC)
	wantVerdict(t, judgeWith(t, laptop, "backups-evident", map[string]any{fileHistoryUsers.Key(): fileHistoryAt(collected.Add(-6 * 24 * time.Hour))}),
		standards.Pass, "completed a backup on 2026-09-14")
	wantVerdict(t, judgeWith(t, laptop, "backups-evident", map[string]any{fileHistoryUsers.Key(): fileHistoryAt(collected.Add(-30 * 24 * time.Hour))}),
		standards.Warn, "last completed a backup on 2026-08-21, 30 days ago")
	wantVerdict(t, judgeWith(t, laptop, "backups-evident", map[string]any{fileHistoryUsers.Key(): fileHistoryAt(collected.Add(10 * 24 * time.Hour))}),
		standards.Warn, "in the future")
	// Turned off by policy: what it recorded no longer counts.
	wantVerdict(t, judgeWith(t, laptop, "backups-evident", map[string]any{fileHistoryOff.Key(): dwordValue(1)}), standards.Fail)
	wantVerdict(t, judgeWith(t, laptop, "backups-evident", map[string]any{serviceStart("fhsvc").Key(): dwordValue(serviceDisabled)}), standards.Fail)
}

func TestBackupsKnownFolderMoveMustBeEnforced(t *testing.T) {
	const desk = "win11-enterprise-24h2-patched"
	wantVerdict(t, judgeWith(t, desk, "backups-evident", map[string]any{kfmBlockOptOut.Key(): probe.NotFound}),
		standards.Warn, "users may move their folders back (KFMBlockOptOut is not set)")
	wantVerdict(t, judgeWith(t, desk, "backups-evident", map[string]any{kfmSilentOptIn.Key(): stringValue(" ")}), standards.Warn, "shadow copy")
	// The policy that would pass cannot be read, and nothing else passes.
	wantVerdict(t, judgeWith(t, desk, "backups-evident", map[string]any{kfmSilentOptIn.Key(): probe.AccessDenied}), standards.NeedsAdmin, "Seen: 1 volume shadow copy", "KFMSilentOptIn (access_denied)")
}

// An unreadable source only matters when it could lift the verdict: shadow
// copies can only ever warn, so with a backup agent found (warn) their
// being unreadable changes nothing; with nothing found it could.
func TestBackupsUnreadableSourceOnlyMattersIfItCouldChangeTheVerdict(t *testing.T) {
	wantVerdict(t, judgeWith(t, "win10-pro-22h2-no-esu", "backups-evident", map[string]any{shadowCopies.Query.Key(): probe.AccessDenied}),
		standards.Warn, "Veeam Agent")
	wantVerdict(t, judgeWith(t, "win10-1607-wannacry-era", "backups-evident", map[string]any{shadowCopies.Query.Key(): probe.AccessDenied}),
		standards.NeedsAdmin, "Win32_ShadowCopy (access_denied)")
	wantVerdict(t, judgeWith(t, "win10-1607-wannacry-era", "backups-evident", map[string]any{windowsServices.Key(): probe.Timeout}),
		standards.Unknown, `Services\* (values Start) (timeout)`)
	// A disabled agent cannot run and is no evidence.
	wantVerdict(t, judgeWith(t, "win10-pro-22h2-no-esu", "backups-evident", map[string]any{
		windowsServices.Key():    []probe.RegKey{{Path: `HKLM\SYSTEM\CurrentControlSet\Services\VeeamEndpointBackupSvc`, Values: map[string]probe.RegValue{"Start": dwordValue(serviceDisabled)}}},
		shadowCopies.Query.Key(): []shadowCopy{},
	}), standards.Fail)
}

func TestBackupsLinux(t *testing.T) {
	const vm = "debian-12-nftables"
	cron := []probe.FileEntry{{Path: "/etc/cron.d/practice-backup", Contents: ptr("# restic nightly\n15 1 * * * root /usr/local/bin/restic backup /srv --quiet\n")}}
	wantVerdict(t, judgeWith(t, vm, "backups-evident", map[string]any{backupCronFiles.Key(): cron}), standards.Warn, "restic is scheduled in /etc/cron.d/practice-backup")
	commented := []probe.FileEntry{{Path: "/etc/cron.d/old", Contents: ptr("#15 1 * * * root borg create ::x /srv\n")}}
	wantVerdict(t, judgeWith(t, vm, "backups-evident", map[string]any{backupCronFiles.Key(): commented}), standards.Fail)
	wantVerdict(t, judgeWith(t, vm, "backups-evident", map[string]any{backupUserCrons.Key(): probe.AccessDenied}), standards.NeedsAdmin, "/var/spool/cron/crontabs/*")
	lockedCron := []probe.FileEntry{{Path: "/var/spool/cron/crontabs/backup", Unreadable: "open /var/spool/cron/crontabs/backup: permission denied"}}
	wantVerdict(t, judgeWith(t, vm, "backups-evident", map[string]any{backupUserCrons.Key(): lockedCron}), standards.NeedsAdmin, "/var/spool/cron/crontabs/backup (access_denied)")
	wantVerdict(t, judgeWith(t, vm, "backups-evident", map[string]any{linuxProcesses.Key(): []string{"systemd", "bareos-fd"}}), standards.Warn, "Bareos file daemon (bareos-fd) is running")
}

func TestRemovableMediaChassisAndEncryption(t *testing.T) {
	off := []encryptableVolume{{DriveLetter: ptr("C:"), ProtectionStatus: ptr(uint32(0)), VolumeType: ptr(uint32(0))}}
	desktop := []systemEnclosure{{ChassisTypes: &[]uint16{3}}}
	// A desktop without BitLocker is judged on port control alone.
	wantVerdict(t, judgeWith(t, "win11-enterprise-24h2-patched", "removable-media-controlled", map[string]any{bitlockerVolumes.Query.Key(): off, enclosure.Query.Key(): desktop}),
		standards.Pass, "Deny_Write = 1")
	// A detachable tablet without BitLocker fails whatever the ports.
	wantVerdict(t, judgeWith(t, "win11-enterprise-24h2-patched", "removable-media-controlled", map[string]any{bitlockerVolumes.Query.Key(): off, enclosure.Query.Key(): []systemEnclosure{{ChassisTypes: &[]uint16{32}}}}),
		standards.Fail, "chassis type 32")
	// Unencrypted, and the chassis cannot be read: a laptop would fail.
	wantVerdict(t, judgeWith(t, "win11-enterprise-24h2-patched", "removable-media-controlled", map[string]any{bitlockerVolumes.Query.Key(): off, enclosure.Query.Key(): probe.Timeout}),
		standards.Unknown, "laptop or tablet")
	// Wine's WMI answers rows without properties; a real enclosure may list none.
	wantVerdict(t, judgeWith(t, "win11-enterprise-24h2-patched", "removable-media-controlled", map[string]any{bitlockerVolumes.Query.Key(): off, enclosure.Query.Key(): []systemEnclosure{{}}}),
		standards.Unknown, "Win32_SystemEnclosure (other)")
	wantVerdict(t, judgeWith(t, "win11-enterprise-24h2-patched", "removable-media-controlled", map[string]any{bitlockerVolumes.Query.Key(): off, enclosure.Query.Key(): []systemEnclosure{{ChassisTypes: &[]uint16{}}}}),
		standards.Unknown, "Win32_SystemEnclosure (other)")
	// A laptop whose BitLocker state needs admin.
	wantVerdict(t, judgeWith(t, laptop, "removable-media-controlled", map[string]any{bitlockerVolumes.Query.Key(): probe.AccessDenied}),
		standards.NeedsAdmin, "portable machine is encrypted")
	// USBSTOR disabled is port control; a policy that cannot be read, with
	// nothing else in force, leaves it open.
	wantVerdict(t, judgeWith(t, "win11-enterprise-24h2-non-admin", "removable-media-controlled", map[string]any{usbStorStart.Key(): dwordValue(serviceDisabled), enclosure.Query.Key(): desktop}),
		standards.Pass, "USBSTOR")
	wantVerdict(t, judgeWith(t, "win11-enterprise-24h2-non-admin", "removable-media-controlled", map[string]any{rdvDenyWrite.Key(): probe.AccessDenied, enclosure.Query.Key(): desktop}),
		standards.NeedsAdmin, "RDVDenyWriteAccess (access_denied)")
}

func TestRemovableMediaLinux(t *testing.T) {
	const vm = "debian-12-nftables"
	wantVerdict(t, judgeWith(t, vm, "removable-media-controlled", map[string]any{linuxChassisType.Key(): "10\n"}), standards.Fail, "portable machine (chassis type 10)")
	wantVerdict(t, judgeWith(t, vm, "removable-media-controlled", map[string]any{linuxChassisType.Key(): probe.NotFound}), standards.Unknown, "chassis type")
	wantVerdict(t, judgeWith(t, vm, "removable-media-controlled", map[string]any{usbStorageBlacklist.Key(): probe.AccessDenied}), standards.NeedsAdmin)
	underscore := []probe.FileEntry{{Path: "/etc/modprobe.d/usb.conf", Contents: ptr("blacklist usb_storage\n")}}
	wantVerdict(t, judgeWith(t, vm, "removable-media-controlled", map[string]any{usbStorageBlacklist.Key(): underscore}), standards.Pass, "blacklist usb_storage")
	// A file that could not be read could hold the blacklist.
	locked := []probe.FileEntry{{Path: "/etc/modprobe.d/local.conf", Unreadable: "open /etc/modprobe.d/local.conf: permission denied"}}
	wantVerdict(t, judgeWith(t, vm, "removable-media-controlled", map[string]any{usbStorageBlacklist.Key(): locked}), standards.NeedsAdmin, "/etc/modprobe.d/local.conf (access_denied)")
	// An option for the module, or a commented line, does not block it.
	notBlocked := []probe.FileEntry{{Path: "/etc/modprobe.d/usb.conf", Contents: ptr("options usb-storage quirks=0bc2:2322:u\n# blacklist usb-storage\n")}}
	wantVerdict(t, judgeWith(t, vm, "removable-media-controlled", map[string]any{usbStorageBlacklist.Key(): notBlocked}), standards.Warn)
}

func TestRemoteAccess(t *testing.T) {
	const desk = "win11-enterprise-24h2-patched"
	forti := []probe.RegKey{{Path: `HKLM\SOFTWARE\Fortinet\FortiClient\Sslvpn\Tunnels\Practice SSL VPN`}}
	wantVerdict(t, judgeWith(t, desk, "remote-access-inventory", map[string]any{fortiClientTunnels.Key(): forti}), standards.Warn, `FortiClient VPN tunnels: "Practice SSL VPN"`)
	anydesk := []probe.RegKey{{Path: `HKU\S-1-5-21-1-2-3-1001\Software\Microsoft\Windows\CurrentVersion\Uninstall\AnyDesk`, Values: map[string]probe.RegValue{"DisplayName": stringValue("AnyDesk"), "DisplayVersion": stringValue("ad 9.0.5")}}}
	wantVerdict(t, judgeWith(t, desk, "remote-access-inventory", map[string]any{installedPrograms[2].Key(): anydesk}), standards.Warn, `AnyDesk (installed as "AnyDesk" ad 9.0.5)`)
	wantVerdict(t, judgeWith(t, desk, "remote-access-inventory", map[string]any{rdpDeny.local.Key(): dwordValue(0)}), standards.Warn, "Remote Desktop is on", "with Network Level Authentication")
	// Nothing found, and one list unreadable: it could hold a way in.
	wantVerdict(t, judgeWith(t, desk, "remote-access-inventory", map[string]any{machineVPNProfiles.Key(): probe.AccessDenied}), standards.NeedsAdmin, "rasphone.pbk")
	// Something found: the unreadable list cannot change the warning.
	wantVerdict(t, judgeWith(t, desk, "remote-access-inventory", map[string]any{fortiClientTunnels.Key(): forti, windowsServices.Key(): probe.Timeout}), standards.Warn, "Practice SSL VPN", "Could not tell the rest")
	// Linux: a WireGuard tunnel on a machine without sshd.
	wg := []probe.FileEntry{{Path: "/etc/wireguard/wg0.conf", Size: 310}}
	wantVerdict(t, judgeWith(t, "debian-12-nftables", "remote-access-inventory", map[string]any{wireguardConfigs.Key(): wg}), standards.Warn, "/etc/wireguard/wg0.conf")
	wantVerdict(t, judgeWith(t, "debian-12-nftables", "remote-access-inventory", map[string]any{wireguardConfigs.Key(): probe.AccessDenied}), standards.NeedsAdmin)
}

func TestCIMTime(t *testing.T) {
	for in, want := range map[string]string{
		"20260919230011.402311+060": "2026-09-19T22:00:11Z",
		"20261122120431.907113+000": "2026-11-22T12:04:31Z",
		"20260101003000.000000-300": "2026-01-01T05:30:00Z",
	} {
		got, ok := cimTime(in)
		if !ok || got.Format(time.RFC3339) != want {
			t.Errorf("cimTime(%q) = %s %t, want %s", in, got.Format(time.RFC3339), ok, want)
		}
	}
	for _, bad := range []string{"", "2026091923001", "20260919230011.402311*060", "2026091923xx11.402311+060", "20260919230011.402311+0x0"} {
		if _, ok := cimTime(bad); ok {
			t.Errorf("cimTime(%q) accepted", bad)
		}
	}
}

func ptr[T any](v T) *T { return &v }
