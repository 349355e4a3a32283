package probe

import (
	"encoding/json"
	"fmt"
	"strings"
)

// ErrorClass says why a probe saw nothing. Checks turn AccessDenied into a
// needs_admin verdict and every other class into unknown: a probe that saw
// nothing never becomes a pass.
type ErrorClass string

// The error classes.
const (
	NotFound     ErrorClass = "not_found"     // the key, value, file or command does not exist
	AccessDenied ErrorClass = "access_denied" // the process lacks the rights; run elevated / as root
	MissingClass ErrorClass = "missing_class" // the WMI class or namespace does not exist here
	Timeout      ErrorClass = "timeout"       // the probe did not answer within --probe-timeout
	NotRecorded  ErrorClass = "not_recorded"  // a replayed snapshot holds no such observation
	Other        ErrorClass = "other"

	// ServiceDisabled: the service that would answer is disabled (the
	// Windows Update service: 0x80070422).
	ServiceDisabled ErrorClass = "service_disabled"

	// Untrusted: the program that would answer could have been changed by
	// someone other than root (or an administrator), so it was not run.
	Untrusted ErrorClass = "untrusted"
)

// Error is a classified probe failure.
type Error struct {
	Class  ErrorClass `json:"class"`
	Detail string     `json:"detail"`
}

func (e *Error) Error() string { return fmt.Sprintf("%s: %s", e.Class, e.Detail) }

// Errorf makes a classified error.
func Errorf(class ErrorClass, format string, args ...any) *Error {
	return &Error{Class: class, Detail: fmt.Sprintf(format, args...)}
}

// Observation is one probe's answer: a JSON value, or a classified error.
type Observation struct {
	Key   string          `json:"key"`
	Kind  Kind            `json:"kind"`
	Query string          `json:"query"`
	Value json.RawMessage `json:"value,omitempty"`
	Error *Error          `json:"error,omitempty"`
}

func (o Observation) withError(class ErrorClass, detail string) Observation {
	o.Error = &Error{Class: class, Detail: detail}
	return o
}

// Is reports whether the observation failed with that class.
func (o Observation) Is(class ErrorClass) bool { return o.Error != nil && o.Error.Class == class }

// Display is the observation as a person reads it in a report: the value
// seen, or the error's class and detail.
func (o Observation) Display() string {
	if o.Error != nil {
		return fmt.Sprintf("(%s) %s", o.Error.Class, o.Error.Detail)
	}
	switch o.Kind {
	case Registry:
		var v RegValue
		if json.Unmarshal(o.Value, &v) == nil {
			return v.String()
		}
	case File:
		var s string
		if json.Unmarshal(o.Value, &s) == nil {
			return abbreviate(s)
		}
	case Command:
		var out CommandResult
		if json.Unmarshal(o.Value, &out) == nil {
			return abbreviate(out.Stdout)
		}
	case DebPackages:
		var pkgs []DebPackage
		if json.Unmarshal(o.Value, &pkgs) == nil {
			return describePackages(pkgs)
		}
	case AptSecurity:
		var lists AptSecurityLists
		if json.Unmarshal(o.Value, &lists) == nil {
			return lists.describe()
		}
	}
	return abbreviate(string(o.Value))
}

const displayLimit = 600

func abbreviate(s string) string {
	s = strings.TrimSpace(s)
	if len(s) <= displayLimit {
		return s
	}
	return s[:displayLimit] + fmt.Sprintf("… (%d more bytes)", len(s)-displayLimit)
}

// RegValue is a registry value as observed.
type RegValue struct {
	Type string          `json:"type"`
	Data json.RawMessage `json:"data"`
}

func (v RegValue) String() string { return fmt.Sprintf("%s (%s)", v.Data, v.Type) }

// Registry value types as RegValue.Type names them.
const (
	RegSZ       = "REG_SZ"
	RegExpandSZ = "REG_EXPAND_SZ"
	RegMultiSZ  = "REG_MULTI_SZ"
	RegDWORD    = "REG_DWORD"
	RegQWORD    = "REG_QWORD"
	RegBinary   = "REG_BINARY"
)

// RegString decodes a string registry value.
func (o Observation) RegString() (string, error) {
	v, err := o.regValue()
	if err != nil {
		return "", err
	}
	var s string
	if v.Type != RegSZ && v.Type != RegExpandSZ || json.Unmarshal(v.Data, &s) != nil {
		return "", fmt.Errorf("%s is %s, not a string", o.Query, v.Type)
	}
	return s, nil
}

// RegInt decodes a DWORD or QWORD registry value. A number written as a
// string (REG_SZ "1") is accepted too: some policies are stored that way.
func (o Observation) RegInt() (uint64, error) {
	v, err := o.regValue()
	if err != nil {
		return 0, err
	}
	var n uint64
	switch v.Type {
	case RegDWORD, RegQWORD:
		if json.Unmarshal(v.Data, &n) == nil {
			return n, nil
		}
	case RegSZ:
		var s string
		if json.Unmarshal(v.Data, &s) == nil {
			if _, err := fmt.Sscan(strings.TrimSpace(s), &n); err == nil {
				return n, nil
			}
		}
	}
	return 0, fmt.Errorf("%s is %s %s, not a number", o.Query, v.Type, v.Data)
}

func (o Observation) regValue() (RegValue, error) {
	if o.Error != nil {
		return RegValue{}, o.Error
	}
	var v RegValue
	if err := json.Unmarshal(o.Value, &v); err != nil {
		return RegValue{}, fmt.Errorf("%s: %w", o.Query, err)
	}
	return v, nil
}

// Text decodes a file's contents.
func (o Observation) Text() (string, error) {
	if o.Error != nil {
		return "", o.Error
	}
	var s string
	if err := json.Unmarshal(o.Value, &s); err != nil {
		return "", fmt.Errorf("%s: %w", o.Query, err)
	}
	return s, nil
}

// CommandResult is a command's output. Only commands that exited 0 are
// results; others are classified errors.
type CommandResult struct {
	Stdout string `json:"stdout"`
}

// Output decodes a command's standard output.
func (o Observation) Output() (string, error) {
	if o.Error != nil {
		return "", o.Error
	}
	var r CommandResult
	if err := json.Unmarshal(o.Value, &r); err != nil {
		return "", fmt.Errorf("%s: %w", o.Query, err)
	}
	return r.Stdout, nil
}

// HostInfo is the host's identity, as gopsutil reports it.
type HostInfo struct {
	Hostname        string `json:"hostname"`
	OS              string `json:"os"` // "windows" or "linux"
	Platform        string `json:"platform"`
	PlatformFamily  string `json:"platform_family"`
	PlatformVersion string `json:"platform_version"`
	KernelVersion   string `json:"kernel_version"`
	KernelArch      string `json:"kernel_arch"`
	HostID          string `json:"host_id,omitempty"`
	// RunAs is the account the collector ran as: "SYSTEM", "administrator
	// (elevated)", "standard user (not elevated)", "root"; empty in
	// snapshots older than the field.
	RunAs string `json:"run_as,omitempty"`
}

// Describe is the OS as a person names it: "Microsoft Windows 11 Pro 24H2
// (10.0.26100.9445)", "debian 12.12".
func (h HostInfo) Describe() string {
	s := strings.Join(strings.Fields(h.Platform+" "+h.PlatformVersion), " ") // gopsutil leaves a trailing space on Windows
	if h.OS == "windows" && h.KernelVersion != "" {
		s += " (" + strings.Fields(h.KernelVersion)[0] + ")"
	}
	if s == "" {
		return h.OS
	}
	return s
}

// Host decodes the host observation.
func (o Observation) Host() (HostInfo, error) {
	if o.Error != nil {
		return HostInfo{}, o.Error
	}
	var h HostInfo
	if err := json.Unmarshal(o.Value, &h); err != nil {
		return HostInfo{}, fmt.Errorf("host: %w", err)
	}
	return h, nil
}
