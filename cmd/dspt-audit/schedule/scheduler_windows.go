//go:build windows

package schedule

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	ole "github.com/go-ole/go-ole"
	"github.com/go-ole/go-ole/oleutil"
	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/registry"
	"golang.org/x/sys/windows/svc/eventlog"

	"github.com/nhs-dspt/dspt-audit/report"
)

// Absolute is the path rule of the plans this OS installs.
var Absolute = WindowsAbs

// Elevated reports (a variable, for tests) whether this process may install a task that runs as
// SYSTEM: an elevated administrator token (or SYSTEM itself).
var Elevated = func() bool { return windows.GetCurrentProcessToken().IsElevated() }

var notElevated = NotElevatedError{"creating or removing a task that runs as SYSTEM needs an elevated prompt: " +
	"right-click Command Prompt or PowerShell, choose Run as administrator, and run this again"}

// Definition is the task XML Install registers.
func Definition(p Plan) (string, error) { return TaskXML(p, time.Now()) }

// schtasks is Windows' own tool, by absolute path so that no schtasks.exe
// earlier on PATH is run with administrator rights.
func schtasks(args ...string) error {
	exe := filepath.Join(os.Getenv("SystemRoot"), "System32", "schtasks.exe")
	out, err := exec.Command(exe, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("schtasks %s: %v: %s", args[0], err, strings.TrimSpace(string(out)))
	}
	return nil
}

// Install registers the task from its XML with schtasks /Create /XML
// (windows-facts.md §7d) and registers the event source.
func Install(p Plan) error {
	if !Elevated() {
		return notElevated
	}
	xml, err := Definition(p)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp("", "dspt-audit-task-*.xml")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.Write(UTF16(xml))
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := schtasks("/Create", "/TN", TaskPath, "/XML", tmp.Name(), "/F"); err != nil {
		return err
	}
	return installEventSource()
}

const eventSourceKey = `SYSTEM\CurrentControlSet\Services\EventLog\Application\` + EventSource

func installEventSource() error {
	if k, err := registry.OpenKey(registry.LOCAL_MACHINE, eventSourceKey, registry.QUERY_VALUE); err == nil {
		k.Close()
		return nil
	}
	if err := eventlog.InstallAsEventCreate(EventSource, eventlog.Error|eventlog.Warning|eventlog.Info); err != nil {
		return fmt.Errorf("task installed, but the event source %q could not be registered: %w", EventSource, err)
	}
	return nil
}

// Remove deletes the task and the event source.
func Remove() error {
	if !Elevated() {
		return notElevated
	}
	if _, err := Query(); errors.Is(err, ErrNotInstalled) {
		return err
	}
	if err := schtasks("/Delete", "/TN", TaskPath, "/F"); err != nil {
		return err
	}
	if err := eventlog.Remove(EventSource); err != nil && !errors.Is(err, registry.ErrNotExist) && !errors.Is(err, windows.ERROR_FILE_NOT_FOUND) {
		return fmt.Errorf("task removed, but not the event source %q: %w", EventSource, err)
	}
	return nil
}

// Query reads the task through the Task Scheduler COM API: its run times
// and last result are numbers and dates there, not localised text.
func Query() (Status, error) {
	var st Status
	err := withTaskService(func(svc *ole.IDispatch) error {
		v, err := oleutil.CallMethod(svc, "GetFolder", TaskFolder)
		if err != nil {
			return ErrNotInstalled
		}
		folder := v.ToIDispatch()
		defer folder.Release()
		v, err = oleutil.CallMethod(folder, "GetTask", TaskName)
		if err != nil {
			return ErrNotInstalled
		}
		task := v.ToIDispatch()
		defer task.Release()
		readTask(task, &st)
		return nil
	})
	return st, err
}

func readTask(task *ole.IDispatch, st *Status) {
	get := func(name string) any {
		v, err := oleutil.GetProperty(task, name)
		if err != nil {
			return nil
		}
		return v.Value()
	}
	st.Name = TaskPath
	st.Enabled, _ = get("Enabled").(bool)
	st.State = taskStates[toInt(get("State"))]
	st.LastRun = taskTime(get("LastRunTime"))
	st.NextRun = taskTime(get("NextRunTime"))
	st.LastResult = ExitMeaning(toInt(get("LastTaskResult")))
	if xml, ok := get("Xml").(string); ok {
		st.Command, st.Schedule = summariseXML(xml)
	}
}

// taskStates names TASK_STATE values.
var taskStates = map[int64]string{0: "unknown", 1: "disabled", 2: "queued", 3: "ready", 4: "running"}

func toInt(v any) int64 {
	switch n := v.(type) {
	case int32:
		return int64(n)
	case int64:
		return n
	case uint32:
		return int64(n)
	case int:
		return int64(n)
	}
	return -1
}

// taskTime drops Task Scheduler's "never" (1899-12-30, the OLE zero date).
func taskTime(v any) time.Time {
	t, ok := v.(time.Time)
	if !ok || t.Year() < 1980 {
		return time.Time{}
	}
	return t
}

// withTaskService connects to Task Scheduler on a locked thread with COM
// initialised, as go-ole requires (windows-facts.md §6: RPC_E_CHANGED_MODE
// means COM is already usable on this thread).
func withTaskService(fn func(*ole.IDispatch) error) error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if err := ole.CoInitializeEx(0, ole.COINIT_MULTITHREADED); err != nil {
		var oe *ole.OleError
		if !errors.As(err, &oe) || (oe.Code() != 1 && oe.Code() != 0x80010106) {
			return fmt.Errorf("cannot start COM: %w", err)
		}
	} else {
		defer ole.CoUninitialize()
	}
	unknown, err := oleutil.CreateObject("Schedule.Service")
	if err != nil {
		return fmt.Errorf("cannot reach Task Scheduler: %w", err)
	}
	defer unknown.Release()
	svc, err := unknown.QueryInterface(ole.IID_IDispatch)
	if err != nil {
		return fmt.Errorf("cannot reach Task Scheduler: %w", err)
	}
	defer svc.Release()
	if _, err := oleutil.CallMethod(svc, "Connect"); err != nil {
		return fmt.Errorf("cannot connect to Task Scheduler: %w", err)
	}
	return fn(svc)
}

// Log writes the run's event to the Application log as source dspt-audit;
// w, the journal's way in on Linux, is not needed here.
func Log(_ io.Writer, e Event) error {
	e.Message = report.Sanitize(e.Message)
	l, err := eventlog.Open(EventSource)
	if err != nil {
		return fmt.Errorf("cannot open the Application event log: %w", err)
	}
	defer l.Close()
	switch e.Level {
	case Error:
		return l.Error(e.ID, e.Message)
	case Warning:
		return l.Warning(e.ID, e.Message)
	}
	return l.Info(e.ID, e.Message)
}

// StateDir is where a run keeps its own copy of the newest result, so that
// a share that is down loses nothing and 'schedule status' can show it.
func StateDir() string {
	return filepath.Join(cmp.Or(os.Getenv("ProgramData"), `C:\ProgramData`), "dspt-audit")
}

// safeExeAdvice says where to put the program the SYSTEM task runs.
const safeExeAdvice = `copy it to C:\Program Files\dspt-audit\ and install from there`
