package checks

import (
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/nhs-dspt/dspt-audit/checks/probe"
)

// AssetFacts are what an asset register (DSPT 7.1.1) records of a machine.
// They are facts, not a verdict: they never enter scoring. Each fact holds
// its value or, when it could not be read, the probe's classified error.
type AssetFacts struct {
	Manufacturer Fact `json:"manufacturer"`
	Model        Fact `json:"model"`
	Serial       Fact `json:"serial"`
	BIOSVersion  Fact `json:"bios_version"`
	BIOSDate     Fact `json:"bios_date"`
	CPU          Fact `json:"cpu"`
	Memory       Fact `json:"memory"`
	Disks        Fact `json:"disks"`
	Chassis      Fact `json:"chassis"`
	TPM          Fact `json:"tpm"`
	// LastUser is read only when the scan was asked to (Options.RecordLastUser).
	LastUser *Fact `json:"last_user,omitempty"`
	// Software is the installed programs or packages; SoftwareUnread says
	// why the list is missing or incomplete.
	Software       []Program    `json:"software,omitempty"`
	SoftwareUnread *probe.Error `json:"software_unread,omitempty"`
}

// Fact is one register fact: a value, or why it could not be read.
type Fact struct {
	Value  string       `json:"value,omitempty"`
	Unread *probe.Error `json:"unread,omitempty"`
}

// Program is one installed program or package.
type Program struct {
	Name        string `json:"name"`
	Version     string `json:"version,omitempty"`
	Publisher   string `json:"publisher,omitempty"`
	InstallDate string `json:"install_date,omitempty"`
}

// Bounds on what a machine can put into its facts.
const (
	maxFactLen  = 200
	maxPrograms = 5000
)

func known(s string) Fact {
	s = strings.Join(strings.Fields(s), " ")
	if s == "" {
		return Fact{Unread: probe.Errorf(probe.NotFound, "the value is empty")}
	}
	return Fact{Value: bounded(s)}
}

func unread(o probe.Observation) Fact { return Fact{Unread: o.Error} }

func unreadf(class probe.ErrorClass, format string, args ...any) Fact {
	return Fact{Unread: probe.Errorf(class, format, args...)}
}

func bounded(s string) string {
	s = strings.ToValidUTF8(s, "�")
	if len(s) <= maxFactLen {
		return s
	}
	cut := maxFactLen
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// Windows reads (shared/windows-facts.md: WMI classes, never Win32_Product).
type computerSystem struct {
	Manufacturer        *string
	Model               *string
	TotalPhysicalMemory *uint64
}

type bios struct {
	SerialNumber      *string
	SMBIOSBIOSVersion *string
	ReleaseDate       *string // CIM datetime: yyyymmddHHMMSS.mmmmmm+UUU
}

type processor struct{ Name *string }

type diskDrive struct {
	Model *string
	Size  *uint64
}

// SystemEnclosure is the machine's case as SMBIOS describes it.
type SystemEnclosure struct {
	ChassisTypes []uint16
}

// SystemEnclosureRead reads the SMBIOS chassis types on Windows; with
// LinuxChassisTypeRead, what tells a laptop from a desktop (Portable).
var SystemEnclosureRead = probe.NewWMI[SystemEnclosure](`root\cimv2`, "SELECT ChassisTypes FROM Win32_SystemEnclosure")

// LinuxChassisTypeRead is the SMBIOS chassis type on Linux.
var LinuxChassisTypeRead = probe.FileContents("/sys/class/dmi/id/chassis_type")

var (
	computerSystemRead = probe.NewWMI[computerSystem](`root\cimv2`, "SELECT Manufacturer, Model, TotalPhysicalMemory FROM Win32_ComputerSystem")
	biosRead           = probe.NewWMI[bios](`root\cimv2`, "SELECT SerialNumber, SMBIOSBIOSVersion, ReleaseDate FROM Win32_BIOS")
	processorRead      = probe.NewWMI[processor](`root\cimv2`, "SELECT Name FROM Win32_Processor")
	diskDriveRead      = probe.NewWMI[diskDrive](`root\cimv2`, "SELECT Model, Size FROM Win32_DiskDrive")
	// LastLoggedOnUser is read only when the practice asks for it.
	lastUserRead = probe.RegistryValue(`HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Authentication\LogonUI`, "LastLoggedOnUser")
	// The installed programs with their install dates. Older snapshots hold
	// only the unsupported-software check's reads (installedPrograms).
	inventoryPrograms = []probe.Query{
		probe.RegistryKeysMatching(`HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall\*`, inventoryValues...),
		probe.RegistryKeysMatching(`HKLM\SOFTWARE\WOW6432Node\Microsoft\Windows\CurrentVersion\Uninstall\*`, inventoryValues...),
		probe.RegistryKeysMatching(`HKU\*\Software\Microsoft\Windows\CurrentVersion\Uninstall\*`, inventoryValues...),
	}
	inventoryValues = []string{"DisplayName", "DisplayVersion", "Publisher", "InstallDate", "SystemComponent"}
)

// Linux reads: the DMI files (product_serial is root-only) and /proc.
const dmiDir = "/sys/class/dmi/id/"

var (
	dmiVendor      = probe.FileContents(dmiDir + "sys_vendor")
	dmiProduct     = probe.FileContents(dmiDir + "product_name")
	dmiSerial      = probe.FileContents(dmiDir + "product_serial")
	dmiBIOSDate    = probe.FileContents(dmiDir + "bios_date")
	dmiBIOSVersion = probe.FileContents(dmiDir + "bios_version")
	cpuinfoRead    = probe.FileContents("/proc/cpuinfo")
	meminfoRead    = probe.FileContents("/proc/meminfo")
	blockDevRead   = probe.FilesMatching("/sys/block/*")
	debPackages    = probe.InstalledDebPackages()
)

// InventoryReads are the reads of the asset facts on a platform, declared
// so the engine reads them ahead beside the checks and snapshots record
// them. Disk sizes on Linux are read after the block device list.
func InventoryReads(platform string, lastUser bool) []probe.Query {
	if platform == Linux {
		return []probe.Query{dmiVendor, dmiProduct, dmiSerial, dmiBIOSDate, dmiBIOSVersion, LinuxChassisTypeRead,
			cpuinfoRead, meminfoRead, blockDevRead, linuxTPMVersion, debPackages}
	}
	reads := []probe.Query{computerSystemRead.Query, biosRead.Query, processorRead.Query, diskDriveRead.Query,
		SystemEnclosureRead.Query, windowsTPM.Query} // the TPM as tpm-present reads it (needs admin)
	reads = append(reads, inventoryPrograms...)
	if lastUser {
		reads = append(reads, lastUserRead)
	}
	return reads
}

// ReadAsset reads the asset facts through o.
func ReadAsset(o probe.Observer, platform string, lastUser bool) *AssetFacts {
	if platform == Linux {
		return linuxAsset(o)
	}
	a := &AssetFacts{}
	windowsHardware(o, a)
	a.Software, a.SoftwareUnread = windowsPrograms(o)
	if lastUser {
		f := regFact(o.Observe(lastUserRead))
		a.LastUser = &f
	}
	return a
}

func windowsHardware(o probe.Observer, a *AssetFacts) {
	if rows, obs := computerSystemRead.Rows(o); obs.Error != nil {
		a.Manufacturer, a.Model, a.Memory = unread(obs), unread(obs), unread(obs)
	} else if len(rows) == 0 {
		a.Manufacturer, a.Model, a.Memory = noRows(obs), noRows(obs), noRows(obs)
	} else {
		a.Manufacturer, a.Model = str(rows[0].Manufacturer), str(rows[0].Model)
		a.Memory = bytesFact(rows[0].TotalPhysicalMemory)
	}
	if rows, obs := biosRead.Rows(o); obs.Error != nil || len(rows) == 0 {
		a.Serial, a.BIOSVersion, a.BIOSDate = wmiFailed(obs), wmiFailed(obs), wmiFailed(obs)
	} else {
		a.Serial, a.BIOSVersion = serialFact(str(rows[0].SerialNumber)), str(rows[0].SMBIOSBIOSVersion)
		a.BIOSDate = cimDate(rows[0].ReleaseDate)
	}
	if rows, obs := processorRead.Rows(o); obs.Error != nil || len(rows) == 0 {
		a.CPU = wmiFailed(obs)
	} else {
		a.CPU = str(rows[0].Name)
	}
	if rows, obs := diskDriveRead.Rows(o); obs.Error != nil || len(rows) == 0 {
		a.Disks = wmiFailed(obs)
	} else {
		var disks []string
		for _, d := range rows {
			disks = append(disks, describeDisk(d.Size, d.Model))
		}
		a.Disks = known(strings.Join(disks, "; "))
	}
	if rows, obs := SystemEnclosureRead.Rows(o); obs.Error != nil || len(rows) == 0 {
		a.Chassis = wmiFailed(obs)
	} else {
		a.Chassis = chassisFact(rows[0].ChassisTypes)
	}
	a.TPM = windowsTPMFact(o)
}

func wmiFailed(obs probe.Observation) Fact {
	if obs.Error != nil {
		return unread(obs)
	}
	return noRows(obs)
}

func noRows(obs probe.Observation) Fact {
	return unreadf(probe.NotFound, "%s returned no rows", obs.Query)
}

func str(p *string) Fact {
	if p == nil {
		return unreadf(probe.NotFound, "the property is empty")
	}
	return known(*p)
}

// Serial numbers OEMs leave as placeholders are not serial numbers.
var placeholderSerials = []string{"to be filled by o.e.m.", "default string", "system serial number", "not specified", "none", "0", "0123456789"}

func serialFact(f Fact) Fact {
	if f.Unread == nil && slices.Contains(placeholderSerials, strings.ToLower(f.Value)) {
		return unreadf(probe.NotFound, "the firmware holds the placeholder %q, not a serial number", f.Value)
	}
	return f
}

func bytesFact(n *uint64) Fact {
	if n == nil || *n == 0 {
		return unreadf(probe.NotFound, "the property is empty")
	}
	return Fact{Value: humanBytes(*n)}
}

// humanBytes is a size as people name memory and disks: GiB with one decimal.
func humanBytes(n uint64) string {
	return strconv.FormatFloat(float64(n)/(1<<30), 'f', 1, 64) + " GiB"
}

func describeDisk(size *uint64, model *string) string {
	s := "size unknown"
	if size != nil && *size > 0 {
		s = humanBytes(*size)
	}
	if model != nil && strings.TrimSpace(*model) != "" {
		s += " (" + strings.TrimSpace(*model) + ")"
	}
	return s
}

// cimDate turns a CIM datetime (20230512000000.000000+000) into 2023-05-12.
func cimDate(p *string) Fact {
	if p == nil {
		return unreadf(probe.NotFound, "the property is empty")
	}
	s := *p
	if len(s) < 8 || strings.Trim(s[:8], "0123456789") != "" {
		return unreadf(probe.Other, "%q is not a CIM date", bounded(s))
	}
	return Fact{Value: s[:4] + "-" + s[4:6] + "-" + s[6:8]}
}

// chassisNames are SMBIOS chassis types (DMTF DSP0134 7.4.1); the portable
// ones are those a thief can carry off under an arm.
var chassisNames = map[uint16]string{
	3: "Desktop", 4: "Low Profile Desktop", 5: "Pizza Box", 6: "Mini Tower", 7: "Tower", 8: "Portable",
	9: "Laptop", 10: "Notebook", 11: "Hand Held", 12: "Docking Station", 13: "All in One", 14: "Sub Notebook",
	15: "Space-saving", 16: "Lunch Box", 17: "Main Server Chassis", 23: "Rack Mount Chassis", 24: "Sealed-case PC",
	30: "Tablet", 31: "Convertible", 32: "Detachable", 33: "IoT Gateway", 34: "Embedded PC", 35: "Mini PC", 36: "Stick PC",
}

// Portable reports whether any of the chassis types is a laptop, notebook,
// tablet or convertible.
func Portable(types []uint16) bool {
	for _, t := range types {
		if slices.Contains(portableChassis, t) {
			return true
		}
	}
	return false
}

func chassisFact(types []uint16) Fact {
	var names []string
	for _, t := range types {
		name, ok := chassisNames[t]
		if !ok {
			name = "Other"
		}
		names = append(names, fmt.Sprintf("%s (%d)", name, t))
	}
	if len(names) == 0 {
		return unreadf(probe.NotFound, "no chassis type")
	}
	return Fact{Value: strings.Join(names, ", ")}
}

func windowsTPMFact(o probe.Observer) Fact {
	rows, obs := windowsTPM.Rows(o)
	switch {
	case obs.Error != nil:
		return unread(obs)
	case len(rows) == 0:
		return Fact{Value: "none found"}
	}
	t := rows[0]
	version := "version unknown"
	if t.SpecVersion != nil && *t.SpecVersion != "" {
		version = strings.TrimSpace(strings.Split(*t.SpecVersion, ",")[0])
	}
	state := ""
	if t.IsEnabled_InitialValue != nil && !*t.IsEnabled_InitialValue {
		state = ", disabled"
	} else if t.IsActivated_InitialValue != nil && !*t.IsActivated_InitialValue {
		state = ", not activated"
	}
	return known("TPM " + version + state)
}

func regFact(obs probe.Observation) Fact {
	if obs.Error != nil {
		return unread(obs)
	}
	s, err := obs.RegString()
	if err != nil {
		return unreadf(probe.Other, "%v", err)
	}
	return known(s)
}

// windowsPrograms reads the installed programs with install dates, or from
// an older snapshot without them the unsupported-software check's list.
func windowsPrograms(o probe.Observer) ([]Program, *probe.Error) {
	programs, bad := uninstallPrograms(o, inventoryPrograms)
	if len(bad) > 0 && bad[0].Is(probe.NotRecorded) {
		programs, bad = uninstallPrograms(o, installedPrograms)
	}
	if len(bad) > 0 {
		return programs, bad[0].Error
	}
	return programs, nil
}

func uninstallPrograms(o probe.Observer, reads []probe.Query) ([]Program, []probe.Observation) {
	var out []Program
	var bad []probe.Observation
	seen := map[string]bool{}
	for _, q := range reads {
		obs := o.Observe(q)
		var keys []probe.RegKey
		if err := obs.Decode(&keys); err != nil {
			if !obs.Is(probe.NotFound) || !strings.Contains(q.Path, "WOW6432Node") {
				bad = append(bad, obs)
			}
			continue
		}
		for _, k := range keys {
			name, _ := k.String("DisplayName")
			if sys, _ := k.Int("SystemComponent"); strings.TrimSpace(name) == "" || sys == 1 {
				continue
			}
			version, _ := k.String("DisplayVersion")
			publisher, _ := k.String("Publisher")
			date, _ := k.String("InstallDate")
			p := Program{Name: bounded(strings.TrimSpace(name)), Version: bounded(strings.TrimSpace(version)),
				Publisher: bounded(strings.TrimSpace(publisher)), InstallDate: installDate(date)}
			if id := p.Name + "\x00" + p.Version; !seen[id] && len(out) < maxPrograms {
				seen[id] = true
				out = append(out, p)
			}
		}
	}
	slices.SortFunc(out, func(a, b Program) int { return strings.Compare(a.Name+"\x00"+a.Version, b.Name+"\x00"+b.Version) })
	return out, bad
}

// installDate turns the uninstall key's yyyymmdd into yyyy-mm-dd; anything
// else is dropped rather than guessed.
func installDate(s string) string {
	s = strings.TrimSpace(s)
	if len(s) != 8 || strings.Trim(s, "0123456789") != "" {
		return ""
	}
	return s[:4] + "-" + s[4:6] + "-" + s[6:]
}

func linuxAsset(o probe.Observer) *AssetFacts {
	a := &AssetFacts{
		Manufacturer: fileFact(o.Observe(dmiVendor)),
		Model:        fileFact(o.Observe(dmiProduct)),
		Serial:       serialFact(fileFact(o.Observe(dmiSerial))),
		BIOSVersion:  fileFact(o.Observe(dmiBIOSVersion)),
		BIOSDate:     dmiDate(fileFact(o.Observe(dmiBIOSDate))),
		CPU:          procField(o.Observe(cpuinfoRead), "model name"),
		Memory:       linuxMemory(o.Observe(meminfoRead)),
		Disks:        linuxDisks(o),
		TPM:          linuxTPM(o.Observe(linuxTPMVersion)),
	}
	a.Chassis = fileFact(o.Observe(LinuxChassisTypeRead))
	if a.Chassis.Unread == nil {
		n, err := strconv.ParseUint(a.Chassis.Value, 10, 16)
		if err != nil {
			a.Chassis = unreadf(probe.Other, "%q is not a chassis type", a.Chassis.Value)
		} else {
			a.Chassis = chassisFact([]uint16{uint16(n)})
		}
	}
	var pkgs []probe.DebPackage
	if obs := o.Observe(debPackages); obs.Decode(&pkgs) != nil {
		a.SoftwareUnread = obs.Error
		if obs.Error == nil {
			a.SoftwareUnread = probe.Errorf(probe.Other, "the package list does not decode")
		}
	}
	for _, p := range pkgs[:min(len(pkgs), maxPrograms)] {
		a.Software = append(a.Software, Program{Name: bounded(p.Name), Version: bounded(p.Version)})
	}
	return a
}

func fileFact(obs probe.Observation) Fact {
	s, err := obs.Text()
	if err != nil {
		return Fact{Unread: asProbeError(obs, err)}
	}
	return known(s)
}

func asProbeError(obs probe.Observation, err error) *probe.Error {
	if obs.Error != nil {
		return obs.Error
	}
	return probe.Errorf(probe.Other, "%v", err)
}

// dmiDate turns DMI's mm/dd/yyyy into yyyy-mm-dd.
func dmiDate(f Fact) Fact {
	if f.Unread != nil {
		return f
	}
	m, d, y, ok := splitDate(f.Value)
	if !ok {
		return unreadf(probe.Other, "%q is not a DMI date (mm/dd/yyyy)", f.Value)
	}
	return Fact{Value: y + "-" + m + "-" + d}
}

func splitDate(s string) (m, d, y string, ok bool) {
	parts := strings.Split(s, "/")
	if len(parts) != 3 || len(parts[0]) != 2 || len(parts[1]) != 2 || len(parts[2]) != 4 {
		return "", "", "", false
	}
	for _, p := range parts {
		if strings.Trim(p, "0123456789") != "" {
			return "", "", "", false
		}
	}
	return parts[0], parts[1], parts[2], true
}

// procField is the first "name : value" line's value in a /proc file.
func procField(obs probe.Observation, name string) Fact {
	text, err := obs.Text()
	if err != nil {
		return Fact{Unread: asProbeError(obs, err)}
	}
	for line := range strings.Lines(text) {
		key, value, ok := strings.Cut(line, ":")
		if ok && strings.TrimSpace(key) == name {
			return known(value)
		}
	}
	return unreadf(probe.NotFound, "%s has no %q line", obs.Query, name)
}

func linuxMemory(obs probe.Observation) Fact {
	f := procField(obs, "MemTotal")
	if f.Unread != nil {
		return f
	}
	kb, err := strconv.ParseUint(strings.TrimSuffix(f.Value, " kB"), 10, 64)
	if err != nil || kb > 1<<44 {
		return unreadf(probe.Other, "MemTotal %q is not a size in kB", f.Value)
	}
	return Fact{Value: humanBytes(kb * 1024)}
}

// linuxDisks reads each whole disk's size (512-byte sectors) after the
// list of block devices; loop, RAM and device-mapper devices are not disks.
func linuxDisks(o probe.Observer) Fact {
	obs := o.Observe(blockDevRead)
	var devs []probe.FileEntry
	if err := obs.Decode(&devs); err != nil {
		return Fact{Unread: asProbeError(obs, err)}
	}
	var disks []string
	for _, d := range devs {
		name := path.Base(d.Path)
		if strings.HasPrefix(name, "loop") || strings.HasPrefix(name, "ram") || strings.HasPrefix(name, "dm-") || strings.HasPrefix(name, "zram") {
			continue
		}
		size := fileFact(o.Observe(probe.FileContents("/sys/block/" + name + "/size")))
		sectors, err := strconv.ParseUint(size.Value, 10, 64)
		if size.Unread != nil || err != nil || sectors > 1<<50 {
			disks = append(disks, name+" size unknown")
			continue
		}
		disks = append(disks, name+" "+humanBytes(sectors*512))
	}
	if len(disks) == 0 {
		return unreadf(probe.NotFound, "no disks under /sys/block")
	}
	return known(strings.Join(disks, "; "))
}

func linuxTPM(obs probe.Observation) Fact {
	if obs.Is(probe.NotFound) {
		return Fact{Value: "none found"}
	}
	major, ok := fileText(obs)
	if !ok {
		return Fact{Unread: asProbeError(obs, fmt.Errorf("%s holds no readable version", obs.Query))}
	}
	return known("TPM " + strings.TrimSpace(major) + ".x")
}
