package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"
)

// The release artefacts, proven by .ci/release-check, which builds a release
// and names its folder, version and test certificate here.
func releaseDir(t *testing.T) (dir, version string) {
	dir, version = os.Getenv("DSPT_AUDIT_RELEASE_DIR"), os.Getenv("DSPT_AUDIT_RELEASE_VERSION")
	if dir == "" || version == "" {
		t.Skip("set DSPT_AUDIT_RELEASE_DIR and DSPT_AUDIT_RELEASE_VERSION (bash .ci/release-check does)")
	}
	return dir, version
}

func runTool(t *testing.T, name string, args ...string) []byte {
	t.Helper()
	out, err := exec.Command(name, args...).Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("%s %s: %v\n%s%s", name, strings.Join(args, " "), err, out, stderr)
	}
	return out
}

// headCommit is the commit the release was built from (.ci/release-check
// pins it), else HEAD.
func headCommit(t *testing.T) string {
	if rev := os.Getenv("DSPT_RELEASE_REV"); rev != "" {
		return rev
	}
	return strings.TrimSpace(string(runTool(t, "git", "rev-parse", "HEAD")))
}

func TestReleaseChecksums(t *testing.T) {
	dir, version := releaseDir(t)
	sums, err := os.ReadFile(filepath.Join(dir, "SHA256SUMS"))
	if err != nil {
		t.Fatal(err)
	}
	var listed []string
	sc := bufio.NewScanner(bytes.NewReader(sums))
	for sc.Scan() {
		sum, name, ok := strings.Cut(sc.Text(), "  ")
		if !ok {
			t.Fatalf("SHA256SUMS line %q is not HASH  NAME", sc.Text())
		}
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if got := sha256.Sum256(b); hex.EncodeToString(got[:]) != sum {
			t.Errorf("%s: SHA-256 %x, SHA256SUMS says %s", name, got, sum)
		}
		listed = append(listed, name)
	}
	want := []string{
		"dspt-audit-" + version + "-linux-amd64", "dspt-audit-" + version + "-linux-arm64",
		"dspt-audit-" + version + "-windows-386.exe", "dspt-audit-" + version + "-windows-386.msi",
		"dspt-audit-" + version + "-windows-amd64.exe", "dspt-audit-" + version + "-windows-amd64.msi",
		"dspt-audit-" + version + "-windows-arm64.exe", "dspt-audit-" + version + "-windows-arm64.msi",
		"dspt-audit-" + version + ".cdx.json", "dspt-audit_" + version + "_amd64.deb", "dspt-audit_" + version + "_arm64.deb",
	}
	slices.Sort(want)
	slices.Sort(listed)
	if !slices.Equal(listed, want) {
		t.Errorf("SHA256SUMS lists\n%q\nwant\n%q", listed, want)
	}
}

// The stamped version reaches `version`, the JSON report, OCSF and the
// nightly event.
func TestReleaseVersionEverywhere(t *testing.T) {
	dir, version := releaseDir(t)
	exe := filepath.Join(dir, "dspt-audit-"+version+"-linux-amd64")
	commit := headCommit(t)
	out := string(runTool(t, exe, "version"))
	for _, want := range []string{"dspt-audit " + version + "\n", "commit:    " + commit, "built:     20"} {
		if !strings.Contains(out, want) {
			t.Errorf("version says\n%s\nwithout %q", out, want)
		}
	}
	if strings.Contains(out, "development build") {
		t.Errorf("a release build calls itself a development build:\n%s", out)
	}

	profile := filepath.Join("..", "..", "testdata", "profiles", "win10-1607-wannacry-era.json")
	var rep struct {
		Tool struct {
			Version, Commit string
			BuildDate       string `json:"build_date"`
			Development     bool
		}
	}
	if err := json.Unmarshal(runTool(t, exe, "scan", "--from", profile, "--format", "json", "-o", "-"), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Tool.Version != version || rep.Tool.Commit != commit || rep.Tool.BuildDate == "" || rep.Tool.Development {
		t.Errorf("report tool = %+v, want version %s commit %s, a build date, not development", rep.Tool, version, commit)
	}
	ocsf := string(runTool(t, exe, "scan", "--from", profile, "--format", "ocsf", "-o", "-"))
	if !strings.Contains(ocsf, `"product":{"name":"dspt-audit","vendor_name":"dspt-audit","version":"`+version+`"`) {
		t.Errorf("OCSF metadata.product does not carry version %s: %.400s", version, ocsf)
	}

	results, state := t.TempDir(), t.TempDir()
	cmd := exec.Command(exe, "schedule", "run", "--from", profile, "--results-dir", results, "--state-dir", state, "--keep", "0")
	events, _ := cmd.Output() // exit 3: standards not met
	if !strings.Contains(string(events), "(dspt-audit "+version+")") {
		t.Errorf("the nightly event does not name release %s:\n%s", version, events)
	}
}

// Every field of the .exe's version resource, its manifest and its icon.
func TestReleaseWindowsResources(t *testing.T) {
	dir, version := releaseDir(t)
	if _, err := exec.LookPath("wrestool"); err != nil {
		t.Skip("wrestool (icoutils) is not installed")
	}
	numeric, _, _ := strings.Cut(version, "-")
	for _, arch := range []string{"amd64", "386", "arm64"} {
		exe := filepath.Join(dir, "dspt-audit-"+version+"-windows-"+arch+".exe")
		raw := runTool(t, "wrestool", "-x", "--raw", "--type=16", exe)
		fixed, strs := parseVersionInfo(t, raw)
		if fixed != numeric+".0" {
			t.Errorf("%s: fixed file version %s, want %s.0", arch, fixed, numeric)
		}
		want := map[string]string{
			"FileVersion": version, "ProductVersion": version, "CompanyName": "dspt-audit",
			"FileDescription": "dspt-audit: NHS DSPT machine audit", "OriginalFilename": "dspt-audit.exe",
			"ProductName": "dspt-audit", "InternalName": "dspt-audit",
		}
		for k, v := range want {
			if strs[k] != v {
				t.Errorf("%s: %s = %q, want %q", arch, k, strs[k], v)
			}
		}
		if c := headCommit(t); !strings.Contains(strs["Comments"], c) {
			t.Errorf("%s: Comments %q do not name commit %s", arch, strs["Comments"], c)
		}
		manifest := string(runTool(t, "wrestool", "-x", "--raw", "--type=24", exe))
		if !strings.Contains(manifest, `level="asInvoker"`) {
			t.Errorf("%s: manifest does not ask for asInvoker:\n%s", arch, manifest)
		}
		if icons := runTool(t, "wrestool", "-l", "--type=14", exe); len(bytes.TrimSpace(icons)) == 0 {
			t.Errorf("%s: no icon group", arch)
		}
	}
}

// parseVersionInfo reads VS_FIXEDFILEINFO's file version and the
// StringFileInfo strings of a raw VS_VERSIONINFO resource.
func parseVersionInfo(t *testing.T, b []byte) (fixed string, strs map[string]string) {
	t.Helper()
	i := bytes.Index(b, []byte{0xBD, 0x04, 0xEF, 0xFE}) // VS_FIXEDFILEINFO signature
	if i < 0 || len(b) < i+16 {
		t.Fatalf("no VS_FIXEDFILEINFO in %d bytes", len(b))
	}
	ms, ls := binary.LittleEndian.Uint32(b[i+8:]), binary.LittleEndian.Uint32(b[i+12:])
	fixed = strings.Join([]string{itoa(ms >> 16), itoa(ms & 0xffff), itoa(ls >> 16), itoa(ls & 0xffff)}, ".")
	strs = map[string]string{}
	// Each String is wLength, wValueLength, wType, szKey (UTF-16, NUL),
	// padding to 32 bits, then the value (UTF-16, NUL).
	for _, key := range []string{"Comments", "CompanyName", "FileDescription", "FileVersion", "InternalName", "OriginalFilename", "ProductName", "ProductVersion", "LegalCopyright"} {
		k := utf16Bytes(key + "\x00")
		j := bytes.Index(b, k)
		if j < 6 {
			continue
		}
		valueLen := int(binary.LittleEndian.Uint16(b[j-4:])) // in WCHARs, with the NUL
		v := j + len(k)
		v = (v + 3) &^ 3
		if valueLen == 0 || v+2*valueLen > len(b) {
			continue
		}
		u := make([]uint16, valueLen-1)
		for n := range u {
			u[n] = binary.LittleEndian.Uint16(b[v+2*n:])
		}
		strs[key] = string(utf16.Decode(u))
	}
	return fixed, strs
}

func utf16Bytes(s string) []byte {
	var out []byte
	for _, u := range utf16.Encode([]rune(s)) {
		out = binary.LittleEndian.AppendUint16(out, u)
	}
	return out
}

func itoa(v uint32) string { return strconv.FormatUint(uint64(v), 10) }

// The test certificate's signature verifies on every .exe and .msi.
func TestReleaseSignatures(t *testing.T) {
	dir, version := releaseDir(t)
	cert := os.Getenv("DSPT_AUDIT_RELEASE_CERT")
	if cert == "" {
		t.Skip("set DSPT_AUDIT_RELEASE_CERT to the test signing certificate (bash .ci/release-check does)")
	}
	for _, arch := range []string{"amd64", "386", "arm64"} {
		for _, ext := range []string{".exe", ".msi"} {
			file := filepath.Join(dir, "dspt-audit-"+version+"-windows-"+arch+ext)
			out, err := exec.Command("osslsigncode", "verify", "-CAfile", cert, "-in", file).CombinedOutput()
			if err != nil || !strings.Contains(string(out), "Signature verification: ok") {
				t.Errorf("osslsigncode verify %s: %v\n%s", filepath.Base(file), err, out)
			}
		}
	}
}

// The installers' tables: where the .exe goes, the upgrade code, the
// properties of an unattended install and the task's custom actions.
func TestReleaseMSITables(t *testing.T) {
	dir, version := releaseDir(t)
	numeric, _, _ := strings.Cut(version, "-")
	for arch, programFiles := range map[string]string{"amd64": "ProgramFiles64Folder", "386": "ProgramFilesFolder", "arm64": "ProgramFiles64Folder"} {
		msi := filepath.Join(dir, "dspt-audit-"+version+"-windows-"+arch+".msi")
		tables := string(runTool(t, "msiinfo", "tables", msi))
		for _, table := range []string{"File", "Component", "CustomAction", "Upgrade", "Property", "Directory"} {
			if !slices.Contains(strings.Fields(tables), table) {
				t.Errorf("%s: no %s table", arch, table)
			}
		}
		rows := func(table string) string { return string(runTool(t, "msiinfo", "export", msi, table)) }
		if f := rows("File"); !strings.Contains(f, "dspt-audit.exe") {
			t.Errorf("%s: File table has no dspt-audit.exe:\n%s", arch, f)
		}
		if d := rows("Directory"); !strings.Contains(d, "INSTALLDIR\t"+programFiles+"\tdspt-audit") {
			t.Errorf("%s: INSTALLDIR is not dspt-audit under %s:\n%s", arch, programFiles, d)
		}
		if u := rows("Upgrade"); !strings.Contains(u, "{6B1F3C2E-5A4D-4E8B-9C71-2D0E8F4A7B13}") {
			t.Errorf("%s: Upgrade table lacks the UpgradeCode:\n%s", arch, u)
		}
		props := rows("Property")
		for _, want := range []string{"ProductVersion\t" + numeric, "SCHEDULE\t02:00", "UpgradeCode\t{6B1F3C2E-5A4D-4E8B-9C71-2D0E8F4A7B13}", "SecureCustomProperties\tRESULTSDIR;SCHEDULE;DATADIR;PRACTICE;TASKOPTIONS;"} {
			if !strings.Contains(props, want) {
				t.Errorf("%s: Property table lacks %q:\n%s", arch, want, props)
			}
		}
		ca := rows("CustomAction")
		for _, want := range []string{`schedule install --daily "[SCHEDULE]" --results-dir "[RESULTSDIR]"`, "schedule remove"} {
			if !strings.Contains(ca, want) {
				t.Errorf("%s: CustomAction table lacks %q:\n%s", arch, want, ca)
			}
		}
		if seq := rows("InstallExecuteSequence"); !strings.Contains(seq, "RegisterNightlyTask\tRESULTSDIR AND NOT REMOVE") ||
			!strings.Contains(seq, "RemoveNightlyTask\tREMOVE=\"ALL\" AND NOT UPGRADINGPRODUCTCODE") {
			t.Errorf("%s: the task actions are not conditioned as designed:\n%s", arch, seq)
		}
	}
}

// The SBOM lists every module built into a release binary (as Go's own
// build information in each binary records it) with its version and
// licence, and nothing that is not a module of the build (`go list -m all`,
// which also holds test-only and graph-only modules that never ship).
func TestReleaseSBOM(t *testing.T) {
	dir, version := releaseDir(t)
	b, err := os.ReadFile(filepath.Join(dir, "dspt-audit-"+version+".cdx.json"))
	if err != nil {
		t.Fatal(err)
	}
	var bom struct {
		BOMFormat  string `json:"bomFormat"`
		Components []struct {
			Name, Version string
			Evidence      struct{ Licenses []json.RawMessage }
		}
	}
	if err := json.Unmarshal(b, &bom); err != nil || bom.BOMFormat != "CycloneDX" {
		t.Fatalf("not a CycloneDX document (%v)", err)
	}
	inSBOM := map[string]bool{}
	for _, c := range bom.Components {
		inSBOM[c.Name+"@"+c.Version] = true
		if len(c.Evidence.Licenses) == 0 {
			t.Errorf("SBOM: no licence for %s@%s", c.Name, c.Version)
		}
	}
	build := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(string(runTool(t, "go", "list", "-m", "all"))), "\n")[1:] {
		build[strings.Replace(line, " ", "@", 1)] = true
	}
	for m := range inSBOM {
		if !build[m] {
			t.Errorf("SBOM lists %s, which is not a module of this build", m)
		}
	}
	shipped := 0
	for _, name := range []string{"linux-amd64", "linux-arm64", "windows-amd64.exe", "windows-386.exe", "windows-arm64.exe"} {
		for _, line := range strings.Split(string(runTool(t, "go", "version", "-m", filepath.Join(dir, "dspt-audit-"+version+"-"+name))), "\n") {
			f := strings.Fields(line)
			if len(f) >= 3 && f[0] == "dep" {
				shipped++
				if !inSBOM[f[1]+"@"+f[2]] {
					t.Errorf("%s ships %s@%s, which the SBOM does not list", name, f[1], f[2])
				}
			}
		}
	}
	if shipped == 0 {
		t.Error("go version -m found no modules in the release binaries")
	}
	t.Logf("SBOM: %d modules; go list -m all: %d (the rest are test-only or never built)", len(inSBOM), len(build))
}

// The .deb holds the Linux binary byte for byte, under /usr/bin.
func TestReleaseDebianPackages(t *testing.T) {
	dir, version := releaseDir(t)
	for _, arch := range []string{"amd64", "arm64"} {
		deb := filepath.Join(dir, "dspt-audit_"+version+"_"+arch+".deb")
		fields := string(runTool(t, "dpkg-deb", "-f", deb, "Package", "Version", "Architecture"))
		if want := "Package: dspt-audit\nVersion: " + version + "\nArchitecture: " + arch + "\n"; fields != want {
			t.Errorf("%s control fields:\n%s\nwant\n%s", arch, fields, want)
		}
		x := t.TempDir()
		runTool(t, "dpkg-deb", "-x", deb, x)
		inDeb, err := os.ReadFile(filepath.Join(x, "usr", "bin", "dspt-audit"))
		if err != nil {
			t.Fatal(err)
		}
		plain, err := os.ReadFile(filepath.Join(dir, "dspt-audit-"+version+"-linux-"+arch))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(inDeb, plain) {
			t.Errorf("%s: /usr/bin/dspt-audit in the .deb differs from the plain binary", arch)
		}
	}
}
