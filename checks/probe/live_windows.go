//go:build windows

package probe

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/go-ole/go-ole"
	"github.com/yusufpapurcu/wmi"
	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/registry"
)

// On Windows the tool never runs commands: their output is translated, and
// everything it needs is in the registry, WMI or an API.
const commandsForbidden = true

var registryRoots = map[string]registry.Key{
	"HKLM":               registry.LOCAL_MACHINE,
	"HKEY_LOCAL_MACHINE": registry.LOCAL_MACHINE,
	"HKU":                registry.USERS,
	"HKEY_USERS":         registry.USERS,
	"HKCU":               registry.CURRENT_USER,
	"HKEY_CURRENT_USER":  registry.CURRENT_USER,
}

// readRegistry reads a value in the 64-bit view, so that a 32-bit build sees
// what a 64-bit one does and not the stale WOW6432Node copy
// (shared/windows-facts.md section 0.1).
func readRegistry(q Query) (any, error) {
	rootName, path, _ := strings.Cut(q.Path, `\`)
	root, ok := registryRoots[strings.ToUpper(rootName)]
	if !ok {
		return nil, Errorf(Other, "unknown registry root %q", rootName)
	}
	k, err := registry.OpenKey(root, path, registry.QUERY_VALUE|registry.WOW64_64KEY)
	if err != nil {
		return nil, registryError(err, fmt.Sprintf("key %s (for value %s)", q.Path, q.Name))
	}
	defer k.Close()
	size, typ, err := k.GetValue(q.Name, nil)
	if err != nil {
		return nil, registryError(err, "value "+q.String())
	}
	v, err := regValue(k, q.Name, typ, size)
	if err != nil {
		return nil, registryError(err, "value "+q.String())
	}
	return v, nil
}

// regValue reads a value of size bytes within the bounds of
// registry_limits.go.
func regValue(k registry.Key, name string, typ uint32, size int) (any, error) {
	if size > MaxRegistryBytes {
		return typed(RegSZ, oversizedRegistryValue(uint32(size))), nil
	}
	switch typ {
	case registry.SZ, registry.EXPAND_SZ:
		s, _, err := k.GetStringValue(name)
		return typed(regTypeName(typ), capRegistryString(s)), err
	case registry.DWORD, registry.QWORD:
		n, _, err := k.GetIntegerValue(name)
		return typed(regTypeName(typ), n), err
	case registry.MULTI_SZ:
		s, _, err := k.GetStringsValue(name)
		return typed(RegMultiSZ, capRegistryStrings(s)), err
	default:
		b, _, err := k.GetBinaryValue(name)
		return typed(RegBinary, hex.EncodeToString(b)), err
	}
}

// typed packs a value as the RegValue every reader decodes.
func typed(t string, v any) RegValue {
	data, _ := json.Marshal(v) // strings, numbers and string slices always encode
	return RegValue{Type: t, Data: data}
}

func regTypeName(t uint32) string {
	switch t {
	case registry.SZ:
		return RegSZ
	case registry.EXPAND_SZ:
		return RegExpandSZ
	case registry.DWORD:
		return RegDWORD
	case registry.QWORD:
		return RegQWORD
	}
	return RegBinary
}

// registryError classifies a registry failure on thing, a key or a value.
func registryError(err error, thing string) error {
	switch {
	case errors.Is(err, registry.ErrNotExist):
		return Errorf(NotFound, "registry %s does not exist", thing)
	case errors.Is(err, windows.ERROR_ACCESS_DENIED):
		return Errorf(AccessDenied, "reading registry %s needs more rights; run elevated", thing)
	}
	return Errorf(Other, "reading registry %s failed: %v", thing, err)
}

// readWMI runs one query on a connection of its own. yusufpapurcu/wmi's
// package-level Query holds one global lock and cannot be cancelled, so a
// single hung query would block every later one (shared/windows-facts.md
// section 0.9). A per-query SWbemServices has its own COM thread: when it
// hangs, the Recorder's timeout abandons it and later queries carry on.
func readWMI(ctx context.Context, q Query) (any, error) {
	if q.newRows == nil {
		return nil, Errorf(Other, "WMI query %s has no row type", q)
	}
	rows := q.newRows()
	done := make(chan error, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- fmt.Errorf("WMI panicked: %v", p)
			}
		}()
		svc, err := wmi.InitializeSWbemServices(&wmi.Client{PtrNil: true})
		if err != nil {
			done <- err
			return
		}
		// "." is the local machine, as in winmgmts:\\.\root\cimv2. The
		// library's usual nil server works on Windows but Wine rejects it
		// (DISP_E_TYPEMISMATCH), which would hide the rest of the WMI path
		// from the Wine stage (.ci/wine).
		err = svc.Query(q.Name, rows, ".", q.Path)
		svc.Close()
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			return nil, wmiError(q, err)
		}
		if n := emptyRows(rows); n > 0 {
			return nil, Errorf(Other, "%d row(s) came back with every property empty, which working WMI never returns: the WMI repository or provider is broken", n)
		}
		return rows, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// WMI error codes (wbemcli.h; shared/windows-facts.md section 6).
const (
	wbemAccessDenied     = 0x80041003
	wbemInvalidNamespace = 0x8004100E
	wbemInvalidClass     = 0x80041010
	wbemNotFound         = 0x80041002
	eAccessDenied        = 0x80070005
)

// hresultNames names the codes a WMI query is known to fail with, so that
// evidence says which failure it was (FormatMessage has no text for most).
var hresultNames = map[uint32]string{
	0x80010106:           "RPC_E_CHANGED_MODE",
	0x80020005:           "DISP_E_TYPEMISMATCH",
	0x80020009:           "DISP_E_EXCEPTION",
	0x80041001:           "WBEM_E_FAILED",
	wbemNotFound:         "WBEM_E_NOT_FOUND",
	wbemAccessDenied:     "WBEM_E_ACCESS_DENIED",
	wbemInvalidNamespace: "WBEM_E_INVALID_NAMESPACE",
	wbemInvalidClass:     "WBEM_E_INVALID_CLASS",
	0x80041017:           "WBEM_E_INVALID_QUERY",
	eAccessDenied:        "E_ACCESSDENIED",
}

// wmiError classifies a failed query. The query itself is the observation's
// key, so the detail says only what went wrong.
func wmiError(q Query, err error) error {
	var mismatch *wmi.ErrFieldMismatch
	if errors.As(err, &mismatch) {
		// Seen under Wine: rows come back with no readable properties.
		return Errorf(Other, "rows came back without the property %s, which working WMI always returns: the WMI repository or provider is broken", mismatch.FieldName)
	}
	code := hresult(err)
	switch code {
	case wbemAccessDenied, eAccessDenied:
		return Errorf(AccessDenied, "access denied (%s); run elevated", describeCode(code))
	case wbemInvalidNamespace:
		return Errorf(MissingClass, "namespace %s does not exist here (%s)", q.Path, describeCode(code))
	case wbemInvalidClass:
		return Errorf(MissingClass, "the class does not exist here (%s)", describeCode(code))
	case wbemNotFound:
		return Errorf(NotFound, "not found (%s)", describeCode(code))
	}
	return Errorf(Other, "failed: %s", oleDetail(err, code))
}

func describeCode(code uint32) string {
	if name, ok := hresultNames[code]; ok {
		return fmt.Sprintf("0x%08X %s", code, name)
	}
	return fmt.Sprintf("0x%08X", code)
}

// oleDetail describes a COM failure by its code and, where Windows gives
// one, its description; go-ole's own text asks FormatMessage, which has no
// message for most WBEM and dispatch codes.
func oleDetail(err error, code uint32) string {
	var oe *ole.OleError
	if !errors.As(err, &oe) || code == 0 {
		return err.Error()
	}
	if ei, ok := oe.SubError().(ole.EXCEPINFO); ok && !strings.HasPrefix(ei.Error(), "<nil>") {
		return fmt.Sprintf("%s (%s)", describeCode(code), ei.Error())
	}
	return describeCode(code)
}

// hresult digs the WBEM code out of a go-ole error: SWbem failures arrive as
// DISP_E_EXCEPTION with the real code in EXCEPINFO.scode.
func hresult(err error) uint32 {
	var oe *ole.OleError
	if !errors.As(err, &oe) {
		return 0
	}
	if ei, ok := oe.SubError().(ole.EXCEPINFO); ok && ei.SCODE() != 0 {
		return ei.SCODE()
	}
	return uint32(oe.Code())
}
