//go:build windows

package probe

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"time"

	"github.com/go-ole/go-ole"
	"github.com/go-ole/go-ole/oleutil"
)

// Bounds on what is kept of the agent's answer: it comes from another
// program, so nothing it returns is taken unbounded.
const (
	wuaMaxUpdates    = 500
	wuaMaxHistory    = 200
	wuaMaxCategories = 32
	wuaMaxKBs        = 16
	wuaMaxText       = 512
)

// wuaCriteria asks for what a person would see as "updates available":
// software updates not installed and not hidden.
const wuaCriteria = "IsInstalled=0 and IsHidden=0 and Type='Software'"

// History entry codes (wuapi.h UpdateOperation, OperationResultCode).
const (
	wuaOperationInstall = 1
	wuaResultSucceeded  = 2
)

// readWindowsUpdateAgent asks the agent on a goroutine of its own: a COM
// search cannot be cancelled, so when ctx ends the answer is abandoned and
// the goroutine finishes on its own.
func readWindowsUpdateAgent(ctx context.Context) (WindowsUpdateAgent, error) {
	type answer struct {
		agent WindowsUpdateAgent
		err   error
	}
	done := make(chan answer, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- answer{err: Errorf(Other, "the Windows Update Agent call panicked: %v", p)}
			}
		}()
		a, err := askWindowsUpdateAgent(ctx)
		done <- answer{a, err}
	}()
	select {
	case a := <-done:
		return a.agent, a.err
	case <-ctx.Done():
		return WindowsUpdateAgent{}, ctx.Err()
	}
}

// askWindowsUpdateAgent runs on one locked OS thread, as COM requires.
// The dates are optional; the search is not.
func askWindowsUpdateAgent(ctx context.Context) (WindowsUpdateAgent, error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if err := ole.CoInitializeEx(0, ole.COINIT_MULTITHREADED); err != nil {
		var oe *ole.OleError
		if !errors.As(err, &oe) || oe.Code() != sFalse {
			return WindowsUpdateAgent{}, wuaError("CoInitializeEx", err)
		}
	}
	defer ole.CoUninitialize()

	a := WindowsUpdateAgent{Missing: []WUAUpdate{}}
	if search, install, err := autoUpdateResults(); err != nil {
		a.ResultsError = wuaError("Microsoft.Update.AutoUpdate Results", err).Error()
	} else {
		a.LastSearchSuccess, a.LastInstallSuccess = search, install
	}
	if ctx.Err() != nil {
		return a, ctx.Err()
	}
	session, err := createDispatch("Microsoft.Update.Session")
	if err != nil {
		return a, wuaError("Microsoft.Update.Session", err)
	}
	defer session.Release()
	_, _ = oleutil.PutProperty(session, "ClientApplicationID", "dspt-audit")
	searcher, err := dispatchOf(oleutil.CallMethod(session, "CreateUpdateSearcher"))
	if err != nil {
		return a, wuaError("CreateUpdateSearcher", err)
	}
	defer searcher.Release()
	if err := putOffline(searcher); err != nil {
		return a, wuaError("IUpdateSearcher.Online", err)
	}
	if a.Missing, err = searchMissing(searcher); err != nil {
		return a, wuaError("IUpdateSearcher.Search", err)
	}
	if ctx.Err() != nil {
		return a, ctx.Err()
	}
	if a.LastSecurityInstall, a.HistoryRead, err = lastSecurityInstall(searcher); err != nil {
		a.HistoryError = wuaError("IUpdateSearcher.QueryHistory", err).Error()
	}
	return a, nil
}

const sFalse = 1 // CoInitializeEx: already initialised on this thread

// putOffline makes the search use the catalogue cached by the agent's last
// online scan: no network, seconds rather than minutes.
func putOffline(searcher *ole.IDispatch) error {
	v, err := oleutil.PutProperty(searcher, "Online", false)
	if err == nil {
		v.Clear()
	}
	return err
}

func autoUpdateResults() (search, install *time.Time, err error) {
	au, err := createDispatch("Microsoft.Update.AutoUpdate")
	if err != nil {
		return nil, nil, err
	}
	defer au.Release()
	results, err := dispatchOf(oleutil.GetProperty(au, "Results"))
	if err != nil {
		return nil, nil, err
	}
	defer results.Release()
	if search, err = propTime(results, "LastSearchSuccessDate"); err != nil {
		return nil, nil, err
	}
	if install, err = propTime(results, "LastInstallationSuccessDate"); err != nil {
		return nil, nil, err
	}
	return search, install, nil
}

// Search ResultCode values (OperationResultCode).
const wuaSearchSucceeded = 2

func searchMissing(searcher *ole.IDispatch) ([]WUAUpdate, error) {
	result, err := dispatchOf(oleutil.CallMethod(searcher, "Search", wuaCriteria))
	if err != nil {
		return nil, err
	}
	defer result.Release()
	code, err := propInt(result, "ResultCode")
	if err != nil {
		return nil, err
	}
	if code != wuaSearchSucceeded {
		return nil, fmt.Errorf("the search finished with result code %d, not 2 (succeeded), so its list may be incomplete", code)
	}
	updates, n, err := collection(result, "Updates")
	if err != nil {
		return nil, err
	}
	defer updates.Release()
	if n > wuaMaxUpdates {
		return nil, fmt.Errorf("the agent lists %d updates, more than the %d this tool reads", n, wuaMaxUpdates)
	}
	out := []WUAUpdate{}
	for i := range n {
		u, err := eachItem(updates, i, readUpdate)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, nil
}

func readUpdate(u *ole.IDispatch) (WUAUpdate, error) {
	var w WUAUpdate
	var err error
	if w.Title, err = propString(u, "Title"); err != nil {
		return w, err
	}
	if w.Severity, err = propString(u, "MsrcSeverity"); err != nil {
		return w, err
	}
	if w.Released, err = propTime(u, "LastDeploymentChangeTime"); err != nil {
		return w, err
	}
	if w.KBs, err = stringCollection(u, "KBArticleIDs", wuaMaxKBs); err != nil {
		return w, err
	}
	w.Categories, err = categories(u)
	return w, err
}

// lastSecurityInstall reads the newest history entries and keeps the newest
// successful installation classified as a security update.
func lastSecurityInstall(searcher *ole.IDispatch) (*WUAHistoryEntry, int, error) {
	total, err := intResult(oleutil.CallMethod(searcher, "GetTotalHistoryCount"))
	if err != nil || total <= 0 {
		return nil, 0, err
	}
	n := min(total, wuaMaxHistory)
	history, err := dispatchOf(oleutil.CallMethod(searcher, "QueryHistory", 0, int32(n)))
	if err != nil {
		return nil, 0, err
	}
	defer history.Release()
	count, err := propInt(history, "Count")
	if err != nil {
		return nil, 0, err
	}
	count = min(count, int64(n))
	var newest *WUAHistoryEntry
	for i := range int(count) {
		entry, err := eachItem(history, i, readInstallation)
		if err != nil {
			return nil, i, err
		}
		if entry != nil && entry.In(WUASecurityUpdates) && (newest == nil || entry.Date.After(newest.Date)) {
			newest = entry
		}
	}
	return newest, int(count), nil
}

// readInstallation reads a history entry that is a successful
// installation; any other entry is nil.
func readInstallation(h *ole.IDispatch) (*WUAHistoryEntry, error) {
	op, err := propInt(h, "Operation")
	if err != nil {
		return nil, err
	}
	code, err := propInt(h, "ResultCode")
	if err != nil || op != wuaOperationInstall || code != wuaResultSucceeded {
		return nil, err
	}
	date, err := propTime(h, "Date")
	if err != nil || date == nil {
		return nil, err
	}
	e := &WUAHistoryEntry{Date: *date}
	if e.Title, err = propString(h, "Title"); err != nil {
		return nil, err
	}
	if identity, err := dispatchOf(oleutil.GetProperty(h, "UpdateIdentity")); err == nil {
		e.UpdateID, _ = propString(identity, "UpdateID")
		identity.Release()
	}
	// Categories is IUpdateHistoryEntry2's; an older agent lacks it, and
	// the entry then cannot be shown to be a security update.
	e.Categories, _ = categories(h)
	return e, nil
}

func categories(d *ole.IDispatch) ([]WUACategory, error) {
	coll, n, err := collection(d, "Categories")
	if err != nil {
		return nil, err
	}
	defer coll.Release()
	var out []WUACategory
	for i := range min(n, wuaMaxCategories) {
		c, err := eachItem(coll, i, func(c *ole.IDispatch) (WUACategory, error) {
			id, err := propString(c, "CategoryID")
			if err != nil {
				return WUACategory{}, err
			}
			name, _ := propString(c, "Name")
			return WUACategory{ID: id, Name: name}, nil
		})
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

func stringCollection(d *ole.IDispatch, name string, limit int) ([]string, error) {
	coll, n, err := collection(d, name)
	if err != nil {
		return nil, err
	}
	defer coll.Release()
	var out []string
	for i := range min(n, limit) {
		v, err := oleutil.GetProperty(coll, "Item", i)
		if err != nil {
			return nil, err
		}
		out = append(out, bounded(v.ToString()))
		v.Clear()
	}
	return out, nil
}

// eachItem reads item i of a COM collection with read, releasing it after.
func eachItem[T any](coll *ole.IDispatch, i int, read func(*ole.IDispatch) (T, error)) (T, error) {
	var zero T
	item, err := dispatchOf(oleutil.GetProperty(coll, "Item", i))
	if err != nil {
		return zero, err
	}
	defer item.Release()
	return read(item)
}

func collection(d *ole.IDispatch, name string) (*ole.IDispatch, int, error) {
	coll, err := dispatchOf(oleutil.GetProperty(d, name))
	if err != nil {
		return nil, 0, err
	}
	n, err := propInt(coll, "Count")
	if err != nil || n < 0 {
		coll.Release()
		return nil, 0, fmt.Errorf("%s has no usable Count: %v", name, err)
	}
	return coll, int(n), nil
}

func createDispatch(progID string) (*ole.IDispatch, error) {
	unknown, err := oleutil.CreateObject(progID)
	if err != nil {
		return nil, err
	}
	defer unknown.Release()
	return unknown.QueryInterface(ole.IID_IDispatch)
}

// dispatchOf takes the object out of a call's result; the caller releases it.
func dispatchOf(v *ole.VARIANT, err error) (*ole.IDispatch, error) {
	if err != nil {
		return nil, err
	}
	if v.VT != ole.VT_DISPATCH || v.ToIDispatch() == nil {
		v.Clear()
		return nil, fmt.Errorf("the agent returned %v where an object was expected", v.VT)
	}
	return v.ToIDispatch(), nil
}

func propString(d *ole.IDispatch, name string) (string, error) {
	v, err := oleutil.GetProperty(d, name)
	if err != nil {
		return "", err
	}
	defer v.Clear()
	if v.VT == ole.VT_EMPTY || v.VT == ole.VT_NULL {
		return "", nil
	}
	return bounded(v.ToString()), nil
}

func propInt(d *ole.IDispatch, name string) (int64, error) {
	return intResult(oleutil.GetProperty(d, name))
}

func intResult(v *ole.VARIANT, err error) (int64, error) {
	if err != nil {
		return 0, err
	}
	defer v.Clear()
	switch n := v.Value().(type) {
	case int8:
		return int64(n), nil
	case int16:
		return int64(n), nil
	case int32:
		return int64(n), nil
	case int64:
		return n, nil
	case uint8:
		return int64(n), nil
	case uint16:
		return int64(n), nil
	case uint32:
		return int64(n), nil
	case int:
		return int64(n), nil
	}
	return 0, fmt.Errorf("the agent returned %v where a number was expected", v.VT)
}

// propTime reads a VT_DATE, which the agent gives in UTC; nil when empty.
func propTime(d *ole.IDispatch, name string) (*time.Time, error) {
	v, err := oleutil.GetProperty(d, name)
	if err != nil {
		return nil, err
	}
	defer v.Clear()
	switch v.VT {
	case ole.VT_EMPTY, ole.VT_NULL:
		return nil, nil
	case ole.VT_DATE:
		t, err := ole.GetVariantDate(uint64(v.Val))
		if err != nil {
			return nil, fmt.Errorf("%s is not a date: %v", name, err)
		}
		t = t.UTC()
		return &t, nil
	}
	return nil, fmt.Errorf("%s is %v, not a date", name, v.VT)
}

func bounded(s string) string {
	if len(s) > wuaMaxText {
		return s[:wuaMaxText]
	}
	return s
}

// Codes the agent is known to fail with (winerror.h, wuerror.h).
const (
	errServiceDisabled = 0x80070422
	regdbClassNotReg   = 0x80040154
	coClassString      = 0x800401F3
	eNotImpl           = 0x80004001
	dispUnknownName    = 0x80020006
	wuAccessDenied     = 0x80240044 // WU_E_PER_MACHINE_UPDATE_ACCESS_DENIED
	wuFacility         = 0x80240000
)

var wuaCodeNames = map[uint32]string{
	errServiceDisabled: "ERROR_SERVICE_DISABLED",
	regdbClassNotReg:   "REGDB_E_CLASSNOTREG",
	coClassString:      "CO_E_CLASSSTRING",
	eNotImpl:           "E_NOTIMPL",
	dispUnknownName:    "DISP_E_UNKNOWNNAME",
	eAccessDenied:      "E_ACCESSDENIED",
	wuAccessDenied:     "WU_E_PER_MACHINE_UPDATE_ACCESS_DENIED",
	0x80240001:         "WU_E_NO_SERVICE",
	0x80240016:         "WU_E_INSTALL_NOT_ALLOWED",
	0x8024001E:         "WU_E_SERVICE_STOP",
	0x80240032:         "WU_E_INVALID_CRITERIA",
	0x8024043D:         "WU_E_SERVICE_NOT_REGISTERED",
	0x8024402C:         "WU_E_PT_WINHTTP_NAME_NOT_RESOLVED",
	0x80244022:         "WU_E_PT_HTTP_STATUS_SERVICE_UNAVAIL",
	0x80072EE2:         "ERROR_INTERNET_TIMEOUT",
}

// wuaError classifies a failed step of asking the agent.
func wuaError(step string, err error) *Error {
	code := hresult(err)
	name := wuaCodeName(code)
	switch {
	case code == errServiceDisabled:
		return Errorf(ServiceDisabled, "%s: the Windows Update service (wuauserv) is disabled (%s)", step, name)
	case code == regdbClassNotReg || code == coClassString || code == eNotImpl || code == dispUnknownName:
		return Errorf(MissingClass, "%s: the Windows Update Agent does not provide this here (%s)", step, name)
	case code == eAccessDenied || code == wuAccessDenied:
		return Errorf(AccessDenied, "%s: access denied (%s); run elevated", step, name)
	case code&0xFFFF0000 == wuFacility:
		return Errorf(Other, "%s failed with Windows Update error %s", step, name)
	case code != 0:
		return Errorf(Other, "%s failed: %s", step, oleDetail(err, code))
	}
	return Errorf(Other, "%s failed: %v", step, err)
}

func wuaCodeName(code uint32) string {
	if n, ok := wuaCodeNames[code]; ok {
		return fmt.Sprintf("0x%08X %s", code, n)
	}
	return describeCode(code)
}
