//go:build windows

package probe

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/go-ole/go-ole"
	"golang.org/x/sys/windows/registry"
)

// These tests read the machine they run on: a real Windows PC, or Wine in
// CI (.ci/wine). They write only under HKCU and a test key of their own in
// HKLM, and remove what they wrote.

func observe(t *testing.T, q Query) Observation {
	t.Helper()
	return NewRecorder(context.Background(), Live{}, 30*time.Second).Observe(q)
}

// testKey creates a fresh key under root's Software in the given view
// (0, WOW64_64KEY or WOW64_32KEY) and deletes it after the test.
func testKey(t *testing.T, root registry.Key, view uint32) (registry.Key, string) {
	t.Helper()
	software, err := registry.OpenKey(root, "Software", registry.ALL_ACCESS|view)
	if err != nil {
		t.Skipf("cannot write under Software here: %v", err)
	}
	name := fmt.Sprintf("dspt-audit-test-%d-%s", os.Getpid(), t.Name())
	k, _, err := registry.CreateKey(software, name, registry.ALL_ACCESS|view)
	if err != nil {
		software.Close()
		t.Skipf("cannot create a test key here: %v", err)
	}
	t.Cleanup(func() {
		k.Close()
		// Relative to a handle opened in a view, so the 32-bit copy goes too.
		if err := registry.DeleteKey(software, name); err != nil {
			t.Errorf("removing test key %s: %v", name, err)
		}
		software.Close()
	})
	return k, `Software\` + name
}

func TestLiveRegistryValueTypes(t *testing.T) {
	k, path := testKey(t, registry.CURRENT_USER, 0)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(k.SetStringValue("Sz", "Windows 10 Pro"))
	must(k.SetExpandStringValue("ExpandSz", `%SystemRoot%\System32`))
	must(k.SetDWordValue("Dword", 0xFFFFFFFF))
	must(k.SetQWordValue("Qword", 1<<40))
	must(k.SetStringsValue("MultiSz", []string{"a", "b c"}))
	must(k.SetBinaryValue("Binary", []byte{0xde, 0xad, 0x00}))
	must(k.SetStringValue("Number", " 1 "))

	key := `HKCU\` + path
	tests := []struct {
		name, wantType, wantData string
	}{
		{"Sz", RegSZ, `"Windows 10 Pro"`},
		{"ExpandSz", RegExpandSZ, `"%SystemRoot%\\System32"`},
		{"Dword", RegDWORD, `4294967295`},
		{"Qword", RegQWORD, `1099511627776`},
		{"MultiSz", RegMultiSZ, `["a","b c"]`},
		{"Binary", RegBinary, `"dead00"`},
	}
	for _, tt := range tests {
		o := observe(t, RegistryValue(key, tt.name))
		if o.Error != nil {
			t.Errorf("%s: %v", tt.name, o.Error)
			continue
		}
		var v RegValue
		if err := json.Unmarshal(o.Value, &v); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if v.Type != tt.wantType || string(v.Data) != tt.wantData {
			t.Errorf("%s = %s (%s), want %s (%s)", tt.name, v.Data, v.Type, tt.wantData, tt.wantType)
		}
	}
	if n, err := observe(t, RegistryValue(key, "Dword")).RegInt(); err != nil || n != 0xFFFFFFFF {
		t.Errorf("Dword RegInt = %d, %v", n, err)
	}
	if n, err := observe(t, RegistryValue(key, "Number")).RegInt(); err != nil || n != 1 {
		t.Errorf(`REG_SZ " 1 " RegInt = %d, %v; policies stored as strings must read as numbers`, n, err)
	}
	if s, err := observe(t, RegistryValue(key, "ExpandSz")).RegString(); err != nil || s != `%SystemRoot%\System32` {
		t.Errorf("ExpandSz RegString = %q, %v; the value must be kept unexpanded", s, err)
	}
}

func TestLiveRegistryAbsence(t *testing.T) {
	_, path := testKey(t, registry.CURRENT_USER, 0)
	tests := []struct {
		desc  string
		q     Query
		class ErrorClass
		say   string
	}{
		{"missing value", RegistryValue(`HKCU\`+path, "Nope"), NotFound, `value HKCU\` + path + `\Nope does not exist`},
		{"missing key", RegistryValue(`HKCU\`+path+`\Missing`, "Start"), NotFound, `key HKCU\` + path + `\Missing (for value Start) does not exist`},
		{"unknown root", RegistryValue(`HKXX\Software`, "x"), Other, `unknown registry root "HKXX"`},
	}
	for _, tt := range tests {
		o := observe(t, tt.q)
		if !o.Is(tt.class) || !strings.Contains(o.Error.Detail, tt.say) {
			t.Errorf("%s: got %+v, want %s saying %q", tt.desc, o.Error, tt.class, tt.say)
		}
	}
}

// A 32-bit build must see what a 64-bit one does, not the WOW6432Node copy
// that feature updates leave stale (shared/windows-facts.md section 0.1).
// The amd64 binary sees the 64-bit view anyway; the windows/386 test binary
// is the one this guards, on a real 64-bit Windows (Debian's Wine 8 without
// wine32 runs 64-bit programs only).
func TestLiveRegistryReadsThe64BitView(t *testing.T) {
	k64, path := testKey(t, registry.LOCAL_MACHINE, registry.WOW64_64KEY)
	k32, path32 := testKey(t, registry.LOCAL_MACHINE, registry.WOW64_32KEY)
	if path32 != path {
		t.Fatalf("test keys differ: %s, %s", path, path32)
	}
	if err := k64.SetStringValue("CurrentBuild", "26100"); err != nil {
		t.Fatal(err)
	}
	if err := k32.SetStringValue("CurrentBuild", "19041"); err != nil {
		t.Fatal(err)
	}
	got, err := observe(t, RegistryValue(`HKLM\`+path, "CurrentBuild")).RegString()
	if err != nil || got != "26100" {
		t.Errorf("CurrentBuild = %q, %v; want the 64-bit view's 26100, not WOW6432Node's 19041", got, err)
	}
}

func TestLiveRegistryReadsTheOSVersion(t *testing.T) {
	build, err := observe(t, RegistryValue(`HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion`, "CurrentBuild")).RegString()
	if err != nil || !regexp.MustCompile(`^\d{4,5}$`).MatchString(build) {
		t.Errorf("CurrentBuild = %q, %v; want a build number", build, err)
	}
}

type osRow struct {
	Caption     *string
	BuildNumber *string
}

// WMI answers either with real values or a classified error: never rows of
// empty fields that a check could mistake for "off" or "absent". Under Wine
// the properties cannot be read; on Windows they can.
func TestLiveWMINeverAnswersWithEmptyRows(t *testing.T) {
	o := observe(t, NewWMI[osRow](`root\cimv2`, "SELECT Caption, BuildNumber FROM Win32_OperatingSystem").Query)
	if o.Error != nil {
		t.Logf("Win32_OperatingSystem: %v (expected under Wine)", o.Error)
		if o.Error.Class == "" || o.Error.Detail == "" {
			t.Errorf("unclassified WMI error: %+v", o.Error)
		}
		return
	}
	var rows []osRow
	if err := json.Unmarshal(o.Value, &rows); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].BuildNumber == nil || *rows[0].BuildNumber == "" {
		t.Errorf("Win32_OperatingSystem rows = %s; want one row with a BuildNumber", o.Value)
	}
}

func TestLiveWMIMissingNamespace(t *testing.T) {
	o := observe(t, NewWMI[osRow](`root\NoSuchNamespaceForDsptAudit`, "SELECT Caption FROM Win32_OperatingSystem").Query)
	if !o.Is(MissingClass) || !strings.Contains(o.Error.Detail, "0x8004100E") {
		t.Errorf("got %+v, want missing_class naming WBEM_E_INVALID_NAMESPACE", o.Error)
	}
}

func TestLiveHostInfo(t *testing.T) {
	h, err := observe(t, HostInfoQuery()).Host()
	if err != nil {
		t.Fatal(err)
	}
	if h.OS != "windows" || h.Hostname == "" || !regexp.MustCompile(`^10\.0\.\d+`).MatchString(h.KernelVersion) {
		t.Errorf("host = %+v; want windows, a hostname and a 10.0.<build> kernel version", h)
	}
}

func TestLiveRefusesCommands(t *testing.T) {
	o := observe(t, CommandOutput("cmd", "/c", "ver"))
	if !o.Is(Other) || !strings.Contains(o.Error.Detail, "localised") {
		t.Errorf("got %+v; commands must be refused on Windows", o)
	}
}

// The Windows Update Agent answers with a search result, or with a
// classified error naming its code: never an empty answer that a check
// could take for "nothing missing". Under Wine, whose agent is a stub, it
// is the error.
func TestLiveWindowsUpdateAgent(t *testing.T) {
	o := NewRecorder(context.Background(), Live{}, 2*time.Minute).Observe(WindowsUpdateAgentQuery())
	if o.Error != nil {
		t.Logf("Windows Update Agent: %v (expected under Wine)", o.Error)
		if o.Error.Class == "" || o.Error.Detail == "" || o.Error.Class == NotRecorded {
			t.Errorf("unclassified agent error: %+v", o.Error)
		}
		return
	}
	var a WindowsUpdateAgent
	if err := o.Decode(&a); err != nil {
		t.Fatal(err)
	}
	if a.Missing == nil {
		t.Errorf("a successful search must give a list, even an empty one: %s", o.Value)
	}
	for _, u := range a.Missing {
		if len(u.Categories) == 0 || u.Categories[0].ID == "" {
			t.Errorf("update %q has no category IDs; a check could not tell its kind", u.Title)
		}
	}
	if a.LastSearchSuccess != nil && a.LastSearchSuccess.After(time.Now().Add(24*time.Hour)) {
		t.Errorf("last search %s is in the future: the VT_DATE conversion is wrong", a.LastSearchSuccess)
	}
}

func TestWindowsUpdateAgentErrorClasses(t *testing.T) {
	tests := []struct {
		code  uintptr
		class ErrorClass
		say   string
	}{
		{0x80070422, ServiceDisabled, "0x80070422 ERROR_SERVICE_DISABLED"},
		{0x80040154, MissingClass, "0x80040154 REGDB_E_CLASSNOTREG"},
		{0x80004001, MissingClass, "0x80004001 E_NOTIMPL"},
		{0x80070005, AccessDenied, "E_ACCESSDENIED"},
		{0x80240044, AccessDenied, "WU_E_PER_MACHINE_UPDATE_ACCESS_DENIED"},
		{0x8024402C, Other, "Windows Update error 0x8024402C WU_E_PT_WINHTTP_NAME_NOT_RESOLVED"},
		{0x80240FFF, Other, "Windows Update error 0x80240FFF"},
	}
	for _, tt := range tests {
		err := wuaError("IUpdateSearcher.Search", ole.NewError(tt.code))
		if err.Class != tt.class || !strings.Contains(err.Detail, tt.say) {
			t.Errorf("0x%08X: %+v, want %s saying %q", tt.code, err, tt.class, tt.say)
		}
	}
	// Search failures arrive as DISP_E_EXCEPTION with the code in EXCEPINFO.
	wrapped := ole.NewErrorWithSubError(0x80020009, "", ole.EXCEPINFO{})
	if err := wuaError("Search", wrapped); err.Class != Other || !strings.Contains(err.Detail, "DISP_E_EXCEPTION") {
		t.Errorf("DISP_E_EXCEPTION without a code: %+v", err)
	}
}
