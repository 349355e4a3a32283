package checks

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/nhs-dspt/dspt-audit/checks/probe"
	"github.com/nhs-dspt/dspt-audit/standards"
)

// Removable Storage Access policies (RemovableStorage.admx): Deny_All for
// every class, and per device class Deny_Write. {53f5630d-…} is Removable
// Disks; the two WPD GUIDs are phones and media players.
const removableStoragePolicy = `HKLM\SOFTWARE\Policies\Microsoft\Windows\RemovableStorageDevices`

var (
	removableDenyAll   = probe.RegistryValue(removableStoragePolicy, "Deny_All")
	removableDenyWrite = []probe.Query{
		probe.RegistryValue(removableStoragePolicy+`\{53f5630d-b6bf-11d0-94f2-00a0c91efb8b}`, "Deny_Write"),
		probe.RegistryValue(removableStoragePolicy+`\{6AC27878-A6FA-4155-BA85-F98F491D4F33}`, "Deny_Write"),
		probe.RegistryValue(removableStoragePolicy+`\{F33FDC04-D1AC-4E8E-9A30-19BBD4B108AE}`, "Deny_Write"),
	}
	// RDVDenyWriteAccess = 1: BitLocker To Go lets Windows write only to
	// removable drives it has encrypted.
	rdvDenyWrite = probe.RegistryValue(`HKLM\SOFTWARE\Policies\Microsoft\FVE`, "RDVDenyWriteAccess")
	usbStorStart = serviceStart("USBSTOR")
	enclosure    = probe.NewWMI[systemEnclosure](`root\cimv2`, "SELECT ChassisTypes FROM Win32_SystemEnclosure")

	usbStorageBlacklist = probe.FilesWithContents("/etc/modprobe.d/*.conf")
	linuxChassisType    = probe.FileContents("/sys/class/dmi/id/chassis_type")
)

type systemEnclosure struct {
	ChassisTypes *[]uint16
}

// portableChassis are the SMBIOS chassis types (DMTF DSP0134, as
// Win32_SystemEnclosure and /sys/class/dmi report them) of machines that
// leave the building: 8 portable, 9 laptop, 10 notebook, 11 hand held,
// 14 sub notebook, 30 tablet, 31 convertible, 32 detachable, and 12 docking
// station, 18 expansion and 21 peripheral chassis, which docked laptops report.
var portableChassis = []uint16{8, 9, 10, 11, 12, 14, 18, 21, 30, 31, 32}

// RemovableMediaControlled checks that data cannot simply be copied to a
// USB stick, and that laptops and tablets, which leave the building, are
// encrypted (DSPT 9.5.2).
func RemovableMediaControlled() *Check {
	return &Check{
		ID:        "removable-media-controlled",
		Title:     "Removable storage is controlled, and portable machines are encrypted",
		Severity:  standards.Medium,
		Platforms: []string{Windows, Linux},
		Mappings: standards.Mappings{
			NDG:       []int{9},
			DSPTItems: []string{"9.5.2"},
			DSPT:      []string{"B3.d (CAF)"},
			CAF:       []string{"B3.d"},
			CIS:       []string{"18.10.9.3.x (BitLocker removable data drives)", "18.9.x Removable Storage Access"},
		},
		Remediation:  "Deny write access to removable disks by Group Policy or Intune (Removable Storage Access: 'Removable Disks: Deny write access'), or require BitLocker To Go for writing ('Deny write access to removable drives not protected by BitLocker'); turn on BitLocker on every laptop and tablet.",
		Remediations: map[string]string{Linux: "Block USB storage (a file in /etc/modprobe.d with 'install usb-storage /bin/false'), and encrypt the disks of laptops and tablets with LUKS."},
		Reads: append([]probe.Query{removableDenyAll, rdvDenyWrite, usbStorStart, enclosure.Query, bitlockerVolumes.Query, usbStorageBlacklist, linuxChassisType},
			removableDenyWrite...),
		Evaluate: evaluateRemovableMedia,
	}
}

func evaluateRemovableMedia(e *Env) Verdict {
	if e.Host.OS == Linux {
		return linuxRemovableMedia(e)
	}
	portable, chassisObs, chassisKnown := windowsChassis(e)
	if !chassisKnown || portable {
		encrypted, bitlockerObs, encryptionKnown := osVolumeEncrypted(e)
		switch {
		case encryptionKnown && !encrypted && chassisKnown:
			return verdict(standards.Fail, "This is a portable machine (%s) and its OS volume is not protected by BitLocker: a lost or stolen device is a data breach.", chassisName(chassisObs))
		case encryptionKnown && !encrypted:
			return cannotTell("whether this PC, whose OS volume BitLocker does not protect, is a laptop or tablet", chassisObs)
		case !encryptionKnown && chassisKnown:
			return cannotTell("whether this portable machine is encrypted", bitlockerObs)
		case !encryptionKnown:
			return cannotTell("whether this PC is a laptop or tablet, and whether it is encrypted", chassisObs, bitlockerObs)
		}
	}
	controls, unread := removableControls(e)
	switch {
	case len(controls) > 0:
		return verdict(standards.Pass, "Removable storage is controlled: %s.%s", strings.Join(controls, "; "), encryptionNote(portable, chassisKnown))
	case len(unread) > 0:
		return cannotTell("the removable storage policies", unread...)
	}
	return verdict(standards.Warn, "Files can be copied to any USB drive: no Removable Storage Access policy denies writing, BitLocker To Go does not require encryption (RDVDenyWriteAccess not 1) and the USB storage driver is enabled.%s", encryptionNote(portable, chassisKnown))
}

func encryptionNote(portable, known bool) string {
	if known && portable {
		return " The machine is portable and its OS volume is protected by BitLocker."
	}
	return ""
}

// removableControls lists the settings that stop data being written to
// removable storage, and the settings that could not be read.
func removableControls(e *Env) (controls []string, unread []probe.Observation) {
	check := func(q probe.Query, on uint64, says string) {
		d := readDWORD(e, q)
		switch {
		case d.failed:
			unread = append(unread, d.obs)
		case d.set && d.n == on:
			controls = append(controls, fmt.Sprintf("%s (%s)", says, d.describe()))
		}
	}
	check(removableDenyAll, 1, "all removable storage classes are denied by policy")
	for _, q := range removableDenyWrite {
		check(q, 1, "writing to "+removableClass(q.Path)+" is denied by policy")
	}
	check(rdvDenyWrite, 1, "BitLocker To Go allows writing only to encrypted removable drives")
	check(usbStorStart, serviceDisabled, "the USB storage driver (USBSTOR) is disabled")
	return controls, unread
}

func removableClass(path string) string {
	if strings.Contains(path, "53f5630d") {
		return "removable disks"
	}
	return "phones and media players (WPD)"
}

// unusable marks a probe that answered without what a check needed (no
// rows, no chassis type, no OS volume), so that cannotTell names it.
func unusable(o probe.Observation, why string) probe.Observation {
	if o.Error == nil {
		o.Error = probe.Errorf(probe.Other, "%s", why)
	}
	return o
}

// windowsChassis reports whether the enclosure is a portable one.
func windowsChassis(e *Env) (portable bool, o probe.Observation, known bool) {
	rows, o := enclosure.Rows(e)
	if o.Error != nil {
		return false, o, false
	}
	seen := false
	for _, r := range rows {
		if r.ChassisTypes == nil {
			continue
		}
		for _, t := range *r.ChassisTypes {
			seen = true
			portable = portable || slices.Contains(portableChassis, t)
		}
	}
	if !seen {
		o = unusable(o, "no chassis type reported")
	}
	return portable, o, seen
}

func chassisName(o probe.Observation) string {
	var rows []systemEnclosure
	if o.Decode(&rows) != nil {
		return "chassis type unknown"
	}
	var types []string
	for _, r := range rows {
		if r.ChassisTypes != nil {
			for _, t := range *r.ChassisTypes {
				types = append(types, strconv.Itoa(int(t)))
			}
		}
	}
	return "chassis type " + strings.Join(types, ", ")
}

// osVolumeEncrypted reads what disk-encrypted reads: whether BitLocker
// protects the OS volume.
func osVolumeEncrypted(e *Env) (encrypted bool, o probe.Observation, known bool) {
	rows, o := bitlockerVolumes.Rows(e)
	if o.Error != nil {
		return false, o, false
	}
	for _, r := range rows {
		if r.VolumeType != nil && *r.VolumeType == 0 && r.ProtectionStatus != nil && *r.ProtectionStatus != 2 {
			return *r.ProtectionStatus == 1, o, true
		}
	}
	return false, unusable(o, "no OS volume with a known protection status"), false
}

// linuxRemovableMedia passes when the usb-storage module is blacklisted or
// disabled; otherwise a portable machine fails and any other warns.
func linuxRemovableMedia(e *Env) Verdict {
	o := e.Observe(usbStorageBlacklist)
	var files []probe.FileEntry
	if err := o.Decode(&files); err != nil && !o.Is(probe.NotFound) {
		return cannotTell("the kernel module settings in /etc/modprobe.d", o)
	}
	var unread []probe.Observation
	for _, f := range files {
		if f.Contents == nil {
			if f.Unreadable != "" {
				unread = append(unread, unreadableFile(o, f))
			}
			continue
		}
		if line, ok := blocksUSBStorage(*f.Contents); ok {
			return verdict(standards.Pass, "The USB storage driver is disabled: %q in %s.", line, f.Path)
		}
	}
	if len(unread) > 0 {
		return cannotTell("whether a kernel module setting disables USB storage", unread...)
	}
	c := e.Observe(linuxChassisType)
	text, err := c.Text()
	t, perr := strconv.Atoi(strings.TrimSpace(text))
	if err != nil || perr != nil {
		return cannotTell("the chassis type (a laptop without port control fails, a desktop warns)", c)
	}
	if slices.Contains(portableChassis, uint16(t)) {
		return verdict(standards.Fail, "This is a portable machine (chassis type %d) and the usb-storage module is not blacklisted in /etc/modprobe.d, so data can be copied to any USB drive.", t)
	}
	return verdict(standards.Warn, "The usb-storage module is not blacklisted in /etc/modprobe.d (chassis type %d), so data can be copied to any USB drive.", t)
}

// blocksUSBStorage finds a modprobe.d line that stops usb-storage loading:
// "blacklist usb-storage" (or usb_storage) or "install usb-storage /bin/false".
func blocksUSBStorage(text string) (string, bool) {
	for _, line := range strings.Split(text, "\n") {
		f := strings.Fields(line)
		if len(f) < 2 || strings.ReplaceAll(f[1], "_", "-") != "usb-storage" {
			continue
		}
		if f[0] == "blacklist" || f[0] == "install" && len(f) >= 3 && (strings.HasSuffix(f[2], "/false") || strings.HasSuffix(f[2], "/true")) {
			return strings.TrimSpace(line), true
		}
	}
	return "", false
}
