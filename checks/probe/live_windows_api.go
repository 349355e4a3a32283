//go:build windows

package probe

import (
	"context"
	"strings"
	"unsafe"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/registry"
)

// readRegistryKeys walks a pattern such as `HKU\*\Control Panel\Desktop`
// segment by segment in the 64-bit view.
func readRegistryKeys(q Query) (any, error) {
	rootName, rest, _ := strings.Cut(q.Path, `\`)
	root, ok := registryRoots[strings.ToUpper(rootName)]
	if !ok {
		return nil, Errorf(Other, "unknown registry root %q", rootName)
	}
	segments := strings.Split(rest, `\`)
	fixed := 0
	for fixed < len(segments) && segments[fixed] != "*" {
		fixed++
	}
	base := strings.Join(segments[:fixed], `\`)
	k, err := registry.OpenKey(root, base, registry.QUERY_VALUE|registry.ENUMERATE_SUB_KEYS|registry.WOW64_64KEY)
	if err != nil {
		return nil, registryError(err, "key "+rootName+`\`+base)
	}
	k.Close()
	out := []RegKey{}
	walkKeys(root, rootName+`\`+base, base, segments[fixed:], q.Args, &out)
	return out, nil
}

// walkKeys expands the remaining segments below path; keys that vanish or
// cannot be opened below the fixed part are skipped, as a listing would.
func walkKeys(root registry.Key, display, path string, rest, values []string, out *[]RegKey) {
	if len(rest) == 0 {
		if key, ok := readKeyValues(root, display, path, values); ok {
			*out = append(*out, key)
		}
		return
	}
	if rest[0] != "*" {
		walkKeys(root, display+`\`+rest[0], path+`\`+rest[0], rest[1:], values, out)
		return
	}
	k, err := registry.OpenKey(root, path, registry.ENUMERATE_SUB_KEYS|registry.WOW64_64KEY)
	if err != nil {
		return
	}
	names, _ := k.ReadSubKeyNames(-1)
	k.Close()
	for _, n := range names {
		walkKeys(root, display+`\`+n, path+`\`+n, rest[1:], values, out)
	}
}

func readKeyValues(root registry.Key, display, path string, values []string) (RegKey, bool) {
	k, err := registry.OpenKey(root, path, registry.QUERY_VALUE|registry.WOW64_64KEY)
	if err != nil {
		return RegKey{}, false
	}
	defer k.Close()
	key := RegKey{Path: display}
	for _, name := range values {
		size, typ, err := k.GetValue(name, nil)
		if err != nil {
			continue
		}
		if v, err := regValue(k, name, typ, size); err == nil {
			if key.Values == nil {
				key.Values = map[string]RegValue{}
			}
			key.Values[name] = v.(RegValue)
		}
	}
	return key, true
}

// callAPI runs one of the API readers. Each exists because the registry
// and WMI do not hold the answer: the SAM and LSA policy are not readable
// from the registry, and Win32_Group association queries walk the domain.
func callAPI(ctx context.Context, q Query) (any, error) {
	switch q.Path {
	case "WindowsUpdateAgent":
		return readWindowsUpdateAgent(ctx)
	case "NetUserModalsGet":
		return passwordPolicy()
	case "NetLocalGroupGetMembers":
		if len(q.Args) != 1 {
			return nil, Errorf(Other, "NetLocalGroupGetMembers needs one group SID")
		}
		return localGroup(q.Args[0])
	case "AuditQuerySystemPolicy":
		return auditPolicy(q.Args)
	}
	return nil, Errorf(Other, "no API reader %q", q.Path)
}

var (
	netapi32                    = windows.NewLazySystemDLL("netapi32.dll")
	procNetUserModalsGet        = netapi32.NewProc("NetUserModalsGet")
	procNetLocalGroupGetMembers = netapi32.NewProc("NetLocalGroupGetMembers")
	advapi32                    = windows.NewLazySystemDLL("advapi32.dll")
	procAuditQuerySystemPolicy  = advapi32.NewProc("AuditQuerySystemPolicy")
	procAuditFree               = advapi32.NewProc("AuditFree")
)

// USER_MODALS_INFO_0 and _3 (lmaccess.h).
type userModals0 struct {
	MinPasswdLen, MaxPasswdAge, MinPasswdAge, ForceLogoff, PasswordHistLen uint32
}

type userModals3 struct {
	LockoutDuration, LockoutObservationWindow, LockoutThreshold uint32
}

const timeqForever = 0xFFFFFFFF

func passwordPolicy() (PasswordPolicy, error) {
	var p PasswordPolicy
	var m0 *userModals0
	if err := netUserModalsGet(0, unsafe.Pointer(&m0)); err != nil {
		return p, err
	}
	p.MinLength, p.HistoryLength = m0.MinPasswdLen, m0.PasswordHistLen
	if m0.MaxPasswdAge != timeqForever {
		p.MaxAgeDays = m0.MaxPasswdAge / 86400
	}
	windows.NetApiBufferFree((*byte)(unsafe.Pointer(m0)))
	var m3 *userModals3
	if err := netUserModalsGet(3, unsafe.Pointer(&m3)); err != nil {
		return p, err
	}
	p.LockoutThreshold = m3.LockoutThreshold
	p.LockoutMinutes = m3.LockoutDuration / 60
	p.WindowMinutes = m3.LockoutObservationWindow / 60
	windows.NetApiBufferFree((*byte)(unsafe.Pointer(m3)))
	return p, nil
}

func netUserModalsGet(level uintptr, buf unsafe.Pointer) error {
	if err := procNetUserModalsGet.Find(); err != nil {
		return Errorf(MissingClass, "NetUserModalsGet is not available: %v", err)
	}
	r, _, _ := procNetUserModalsGet.Call(0, level, uintptr(buf))
	return netError("NetUserModalsGet", r)
}

func netError(fn string, r uintptr) error {
	switch windows.Errno(r) {
	case 0:
		return nil
	case windows.ERROR_ACCESS_DENIED:
		return Errorf(AccessDenied, "%s: access denied; run elevated", fn)
	}
	return Errorf(Other, "%s failed: %v (%d)", fn, windows.Errno(r), r)
}

// localGroup finds a group by its well-known SID, so the localised name
// ("Administratoren", "Administrateurs") never matters, and lists its
// members as SIDs, resolving names where the SID resolves.
func localGroup(sidText string) (LocalGroup, error) {
	g := LocalGroup{SID: sidText, Members: []GroupMember{}}
	sid, err := windows.StringToSid(sidText)
	if err != nil {
		return g, Errorf(Other, "bad SID %q: %v", sidText, err)
	}
	name, _, _, err := sid.LookupAccount("")
	if err != nil {
		return g, Errorf(NotFound, "no local group has SID %s: %v", sidText, err)
	}
	g.Name = name
	if err := procNetLocalGroupGetMembers.Find(); err != nil {
		return g, Errorf(MissingClass, "NetLocalGroupGetMembers is not available: %v", err)
	}
	groupName, _ := windows.UTF16PtrFromString(name)
	var buf *byte
	var read, total uint32
	r, _, _ := procNetLocalGroupGetMembers.Call(0, uintptr(unsafe.Pointer(groupName)), 0,
		uintptr(unsafe.Pointer(&buf)), 0xFFFFFFFF, uintptr(unsafe.Pointer(&read)), uintptr(unsafe.Pointer(&total)), 0)
	if err := netError("NetLocalGroupGetMembers", r); err != nil {
		return g, err
	}
	defer windows.NetApiBufferFree(buf)
	// LOCALGROUP_MEMBERS_INFO_0 is one PSID per member.
	for _, p := range unsafe.Slice((**windows.SID)(unsafe.Pointer(buf)), read) {
		m := GroupMember{SID: p.String()}
		if n, d, _, err := p.LookupAccount(""); err == nil {
			m.Name, m.Domain = n, d
		}
		g.Members = append(g.Members, m)
	}
	return g, nil
}

// AUDIT_POLICY_INFORMATION (ntsecapi.h).
type auditPolicyInformation struct {
	Subcategory windows.GUID
	Info        uint32
	Category    windows.GUID
}

const (
	auditSuccess = 0x1
	auditFailure = 0x2
)

// auditPolicy reads the effective advanced audit policy for subcategories
// given by GUID. It needs SeSecurityPrivilege, which an elevated process
// holds but must enable.
func auditPolicy(guids []string) ([]AuditSetting, error) {
	if err := procAuditQuerySystemPolicy.Find(); err != nil {
		return nil, Errorf(MissingClass, "AuditQuerySystemPolicy is not available: %v", err)
	}
	ids := make([]windows.GUID, len(guids))
	for i, g := range guids {
		id, err := windows.GUIDFromString(g)
		if err != nil {
			return nil, Errorf(Other, "bad GUID %q", g)
		}
		ids[i] = id
	}
	enableSecurityPrivilege()
	var info *auditPolicyInformation
	r, _, callErr := procAuditQuerySystemPolicy.Call(uintptr(unsafe.Pointer(&ids[0])), uintptr(len(ids)), uintptr(unsafe.Pointer(&info)))
	if r == 0 {
		if callErr == windows.ERROR_ACCESS_DENIED || callErr == windows.ERROR_PRIVILEGE_NOT_HELD {
			return nil, Errorf(AccessDenied, "AuditQuerySystemPolicy: %v; run elevated", callErr)
		}
		return nil, Errorf(Other, "AuditQuerySystemPolicy failed: %v", callErr)
	}
	defer procAuditFree.Call(uintptr(unsafe.Pointer(info)))
	var out []AuditSetting
	for i, p := range unsafe.Slice(info, len(ids)) {
		out = append(out, AuditSetting{GUID: guids[i], Success: p.Info&auditSuccess != 0, Failure: p.Info&auditFailure != 0})
	}
	return out, nil
}

func enableSecurityPrivilege() {
	var token windows.Token
	if windows.OpenProcessToken(windows.CurrentProcess(), windows.TOKEN_ADJUST_PRIVILEGES|windows.TOKEN_QUERY, &token) != nil {
		return
	}
	defer token.Close()
	var luid windows.LUID
	name, _ := windows.UTF16PtrFromString("SeSecurityPrivilege")
	if windows.LookupPrivilegeValue(nil, name, &luid) != nil {
		return
	}
	tp := windows.Tokenprivileges{PrivilegeCount: 1}
	tp.Privileges[0] = windows.LUIDAndAttributes{Luid: luid, Attributes: windows.SE_PRIVILEGE_ENABLED}
	_ = windows.AdjustTokenPrivileges(token, false, &tp, 0, nil, nil)
}
