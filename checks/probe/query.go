package probe

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
)

// Kind is the kind of thing a probe reads.
type Kind string

// The kinds of probe.
const (
	Registry Kind = "registry" // a registry value, 64-bit view
	WMI      Kind = "wmi"      // a WQL query in a namespace
	File     Kind = "file"     // a file's contents
	Command  Kind = "command"  // a command's output (Linux only; never localised text)
	Host     Kind = "host"     // the host's identity and OS

	RegistryKeys Kind = "registry_keys" // the keys matching a path with * segments, with named values
	Files        Kind = "files"         // the files matching a pattern: metadata, and contents when asked
	Sockets      Kind = "sockets"       // listening TCP sockets with their owning process
	Processes    Kind = "processes"     // the names of running processes
	API          Kind = "api"           // a Windows API or COM call (netapi32, advapi32, Windows Update Agent) returning a fixed shape
	DebPackages  Kind = "deb_packages"  // the packages dpkg has installed (Linux only)
	AptSecurity  Kind = "apt_security"  // apt's security suites and their versions of installed packages (Linux only)
)

// Query names one thing to read. Build it with RegistryValue, NewWMI,
// FileContents, CommandOutput or HostInfoQuery.
type Query struct {
	Kind Kind
	// Path is the registry key, WMI namespace, file path or command name.
	Path string
	// Name is the registry value name or the WQL text.
	Name string
	// Args are a command's arguments.
	Args []string
	// newRows makes the destination of a WMI query (a *[]T).
	newRows func() any
}

// Key identifies the query in a snapshot. Two queries with the same key read
// the same thing.
func (q Query) Key() string {
	switch q.Kind {
	case Registry:
		return fmt.Sprintf("registry:%s@%s", q.Path, q.Name)
	case WMI:
		return fmt.Sprintf("wmi:%s:%s", q.Path, q.Name)
	case Command:
		return "command:" + strings.Join(append([]string{q.Path}, q.Args...), " ")
	case RegistryKeys, Files, API:
		if len(q.Args) > 0 {
			return fmt.Sprintf("%s:%s@%s", q.Kind, q.Path, strings.Join(q.Args, ","))
		}
	}
	return fmt.Sprintf("%s:%s", q.Kind, q.Path)
}

// String is the query as a person reads it in a report.
func (q Query) String() string {
	switch q.Kind {
	case Registry:
		return fmt.Sprintf(`%s\%s`, q.Path, q.Name)
	case WMI:
		return fmt.Sprintf(`%s: %s`, q.Path, q.Name)
	case Command:
		return strings.Join(append([]string{q.Path}, q.Args...), " ")
	case RegistryKeys:
		if len(q.Args) > 0 {
			return fmt.Sprintf(`%s (values %s)`, q.Path, strings.Join(q.Args, ", "))
		}
	case Files:
		if len(q.Args) > 0 {
			return q.Path + " (contents)"
		}
	case API:
		return fmt.Sprintf("%s(%s)", q.Path, strings.Join(q.Args, ", "))
	case DebPackages:
		return "installed packages in " + q.Path
	case AptSecurity:
		return "security suites' versions of installed packages in " + q.Path
	}
	return q.Path
}

// RegistryValue reads one value under a key such as
// `HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion`, always in the 64-bit
// view (shared/windows-facts.md section 0.1).
func RegistryValue(key, name string) Query {
	return Query{Kind: Registry, Path: key, Name: name}
}

// FileContents reads a file.
func FileContents(path string) Query { return Query{Kind: File, Path: path} }

// CommandOutput runs a command that prints machine-readable output. It runs
// with LC_ALL=C; commands whose output is translated must not be used.
func CommandOutput(name string, args ...string) Query {
	return Query{Kind: Command, Path: name, Args: args}
}

// RegistryKeysMatching reads every key matching pattern, in which a `*`
// segment stands for any subkey (`HKLM\SOFTWARE\...\Uninstall\*`,
// `HKU\*\Control Panel\Desktop`), with the named values of each. Keys are
// read in the 64-bit view. The fixed part before the first `*` not existing
// is NotFound; nothing matching below it is an empty list.
func RegistryKeysMatching(pattern string, values ...string) Query {
	return Query{Kind: RegistryKeys, Path: pattern, Args: values}
}

// FilesMatching lists the files matching pattern (a glob in its last
// segment only). A missing directory is NotFound; an unreadable one is
// AccessDenied, never an empty list.
func FilesMatching(pattern string) Query { return Query{Kind: Files, Path: pattern} }

// FilesWithContents is FilesMatching with each regular file's contents.
func FilesWithContents(pattern string) Query {
	return Query{Kind: Files, Path: pattern, Args: []string{"contents"}}
}

// ListeningSockets reads the TCP sockets in the LISTEN state and the
// process owning each.
func ListeningSockets() Query { return Query{Kind: Sockets, Path: "tcp-listen"} }

// RunningProcesses reads the names of running processes.
func RunningProcesses() Query { return Query{Kind: Processes, Path: "names"} }

// WindowsAPI calls one of the Windows API readers the live source knows
// (see live_windows.go), such as NetUserModalsGet.
func WindowsAPI(function string, args ...string) Query {
	return Query{Kind: API, Path: function, Args: args}
}

// InstalledDebPackages reads the name, architecture and version of every
// package dpkg's status file records as on disk. A missing status file is
// NotFound: the machine does not use dpkg.
func InstalledDebPackages() Query { return Query{Kind: DebPackages, Path: dpkgStatusPath} }

// AptSecurityCandidates reads apt's lists of the suites whose Release file
// names them security suites: each Release file's identity, date and age,
// and every version those suites' Packages lists offer of a package dpkg
// has installed. Non-security suites are identified but not read.
func AptSecurityCandidates() Query { return Query{Kind: AptSecurity, Path: aptListsDir} }

// WindowsUpdateAgentQuery asks the Windows Update Agent what it last did and
// which updates it lists as missing from its cached catalogue; the answer is
// a WindowsUpdateAgent.
func WindowsUpdateAgentQuery() Query { return WindowsAPI("WindowsUpdateAgent") }

// HostInfoQuery reads the host's name and OS.
func HostInfoQuery() Query { return Query{Kind: Host, Path: "info"} }

// WMIQuery is a WMI query whose rows decode into T. T's fields are named as
// the WMI properties and should be pointers, so that a NULL or missing
// property stays nil instead of becoming a zero that looks like a real value.
type WMIQuery[T any] struct{ Query }

// NewWMI declares a WQL query in a namespace such as `root\cimv2`.
func NewWMI[T any](namespace, wql string) WMIQuery[T] {
	return WMIQuery[T]{Query{Kind: WMI, Path: namespace, Name: wql, newRows: func() any { return new([]T) }}}
}

// Rows runs the query through o. On failure the rows are nil and the
// observation carries the classified error.
func (w WMIQuery[T]) Rows(o Observer) ([]T, Observation) {
	obs := o.Observe(w.Query)
	if obs.Error != nil {
		return nil, obs
	}
	var rows []T
	if err := json.Unmarshal(obs.Value, &rows); err != nil {
		return nil, obs.withError(Other, "rows do not decode: "+err.Error())
	}
	return rows, obs
}

// emptyRows returns how many rows there are when every property of every
// row is empty (nil or zero), and 0 when any row carries data. A real class
// never answers like that; a broken WMI provider does (Wine's returns rows
// it cannot read properties from), and such rows must not become a verdict.
func emptyRows(rows any) int {
	v := reflect.ValueOf(rows)
	if v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	if v.Kind() != reflect.Slice {
		return 0
	}
	for i := range v.Len() {
		if !v.Index(i).IsZero() {
			return 0
		}
	}
	return v.Len()
}

// RunsOn reports whether the query can answer on a platform ("windows",
// "linux"), so an engine that reads ahead never asks Windows for a command
// or Linux for the registry.
func (q Query) RunsOn(platform string) bool {
	switch q.Kind {
	case Registry, RegistryKeys, WMI, API:
		return platform == "windows"
	case File, Files:
		return (platform == "windows") == windowsPath(q.Path)
	case Command, Processes:
		return platform != "windows"
	case DebPackages, AptSecurity:
		return platform == "linux"
	}
	return true
}

// windowsPath reports whether a file path is a Windows one (C:\…).
func windowsPath(path string) bool {
	return len(path) >= 3 && path[1] == ':' && path[2] == '\\'
}
