package checks

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/nhs-dspt/dspt-audit/checks/probe"
	"github.com/nhs-dspt/dspt-audit/standards"
)

// encryptableVolume is BitLocker's view of a volume; it needs admin
// (shared/windows-facts.md sections 0.7 and 5). VolumeType 0 is the OS
// volume, 1 fixed data, 2 removable; ProtectionStatus 0 off (including
// suspended), 1 on, 2 unknown or locked.
type encryptableVolume struct {
	DriveLetter      *string
	ProtectionStatus *uint32
	VolumeType       *uint32
}

var (
	bitlockerVolumes = probe.NewWMI[encryptableVolume](`root\CIMV2\Security\MicrosoftVolumeEncryption`,
		"SELECT DriveLetter, ProtectionStatus, VolumeType FROM Win32_EncryptableVolume")
	blockDevices = probe.CommandOutput("lsblk", "--json", "--output", "NAME,TYPE,FSTYPE,MOUNTPOINT")
	procMounts   = probe.FileContents("/proc/self/mounts")
)

// DiskEncrypted fails a machine whose OS or fixed data volumes are not
// encrypted: a stolen laptop is then a data breach.
func DiskEncrypted() *Check {
	return &Check{
		ID:        "disk-encrypted",
		Title:     "Disks are encrypted (BitLocker on the OS and fixed data volumes; LUKS on Linux root)",
		Severity:  standards.High,
		Platforms: []string{Windows, Linux},
		Mappings: standards.Mappings{
			NDG:             []int{9},
			DSPTItems:       []string{"9.5.2"},
			DSPT:            []string{"B3.c/B3.d (CAF)"},
			CyberEssentials: nil,
			CAF:             []string{"B3.c", "B3.d"},
			CIS:             []string{"18.10.9.x (BitLocker policy settings; no 'drive is encrypted' item)"},
		},
		Remediation:  "Turn on BitLocker for the OS drive and every fixed data drive (Control Panel > BitLocker Drive Encryption, or Intune), keep the recovery key in Entra ID/AD; resume protection if it is suspended.",
		Remediations: map[string]string{Linux: "Encrypt the disks with LUKS (dm-crypt): full-disk encryption is chosen at install time, so reinstall with an encrypted root (the installer's guided 'use entire disk and set up encrypted LVM') and keep the passphrase or recovery key apart from the machine."},
		Reads:        []probe.Query{bitlockerVolumes.Query, blockDevices, procMounts},
		Evaluate:     evaluateDiskEncrypted,
	}
}

var volumeTypes = map[uint32]string{0: "OS volume", 1: "fixed data volume", 2: "removable volume"}

func evaluateDiskEncrypted(e *Env) Verdict {
	if e.Host.OS == Linux {
		return linuxDiskEncrypted(e)
	}
	rows, obs := bitlockerVolumes.Rows(e)
	if obs.Error != nil {
		v := cannotTell("BitLocker's state", obs)
		if obs.Is(probe.MissingClass) {
			v.Summary += " The BitLocker WMI namespace is missing: Windows Home has no BitLocker management."
		}
		return v
	}
	var protected, unprotected, unknown []string
	osSeen := false
	for _, r := range rows {
		vt := uint32(99)
		if r.VolumeType != nil {
			vt = *r.VolumeType
		}
		if vt == 2 {
			continue
		}
		osSeen = osSeen || vt == 0
		name := fmt.Sprintf("%s (%s)", volumeName(r.DriveLetter), volumeTypes[vt])
		switch {
		case r.ProtectionStatus == nil || *r.ProtectionStatus == 2:
			unknown = append(unknown, name)
		case *r.ProtectionStatus == 1:
			protected = append(protected, name)
		default:
			unprotected = append(unprotected, name)
		}
	}
	switch {
	case len(unprotected) > 0:
		return verdict(standards.Fail, "BitLocker protection is OFF or suspended (ProtectionStatus = 0) on %s.%s", strings.Join(unprotected, ", "), listSuffix(" Protected: ", protected))
	case !osSeen:
		return verdict(standards.Unknown, "Win32_EncryptableVolume listed %s but no OS volume, so the system drive's state cannot be told.", plural(len(rows), "volume", "volumes"))
	case len(unknown) > 0:
		return verdict(standards.Unknown, "BitLocker reports ProtectionStatus unknown (locked?) for %s.%s", strings.Join(unknown, ", "), listSuffix(" Protected: ", protected))
	}
	return verdict(standards.Pass, "BitLocker protection is on (ProtectionStatus = 1) for %s.", strings.Join(protected, ", "))
}

func volumeName(letter *string) string {
	if letter == nil || *letter == "" {
		return "a volume without a drive letter"
	}
	return *letter
}

func listSuffix(prefix string, items []string) string {
	if len(items) == 0 {
		return ""
	}
	return prefix + strings.Join(items, ", ") + "."
}

type blockDevice struct {
	Name       string        `json:"name"`
	Type       string        `json:"type"`
	FSType     *string       `json:"fstype"`
	MountPoint *string       `json:"mountpoint"`
	Children   []blockDevice `json:"children"`
}

// linuxDiskEncrypted finds the block device mounted at / and looks for a
// dm-crypt (LUKS) layer between it and the disk.
func linuxDiskEncrypted(e *Env) Verdict {
	o := e.Observe(blockDevices)
	out, err := o.Output()
	var tree struct {
		BlockDevices []blockDevice `json:"blockdevices"`
	}
	if err != nil || json.Unmarshal([]byte(out), &tree) != nil {
		return cannotTell("the block devices", o)
	}
	chain := findRoot(tree.BlockDevices, nil)
	if chain == nil {
		return rootNotOnBlockDevice(e)
	}
	var names []string
	for _, d := range chain {
		names = append(names, fmt.Sprintf("%s (%s)", d.Name, d.Type))
	}
	path := strings.Join(names, " > ")
	if slices.ContainsFunc(chain, func(d blockDevice) bool { return d.Type == "crypt" }) {
		return verdict(standards.Pass, "The root filesystem sits on an encrypted (dm-crypt/LUKS) device: %s.", path)
	}
	return verdict(standards.Fail, "The root filesystem is not encrypted: %s has no crypt layer.", path)
}

// findRoot returns the chain of devices from a disk down to the one
// mounted at /, or nil.
func findRoot(devs []blockDevice, above []blockDevice) []blockDevice {
	for _, d := range devs {
		chain := append(slices.Clone(above), d)
		if d.MountPoint != nil && *d.MountPoint == "/" {
			return chain
		}
		if found := findRoot(d.Children, chain); found != nil {
			return found
		}
	}
	return nil
}

// rootNotOnBlockDevice explains a root that lsblk does not show: an
// overlay or network root (a container), whose encryption is the host's.
func rootNotOnBlockDevice(e *Env) Verdict {
	o := e.Observe(procMounts)
	text, err := o.Text()
	if err != nil {
		return cannotTell("what the root filesystem is", o)
	}
	for _, line := range strings.Split(text, "\n") {
		f := strings.Fields(line)
		if len(f) >= 3 && f[1] == "/" {
			return verdict(standards.Unknown, "The root filesystem is %s (type %s), not a block device lsblk lists: its encryption, if any, is the host's, which this scan cannot see.", f[0], f[2])
		}
	}
	return verdict(standards.Unknown, "No filesystem is mounted at / in /proc/self/mounts.")
}
