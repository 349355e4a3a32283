//go:build !windows

package schedule

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/nhs-dspt/dspt-audit/report"
)

// Absolute is the path rule of the plans this OS installs.
var Absolute = LinuxAbs

// Elevated reports (a variable, for tests) whether this process is root, as writing system units
// and enabling them needs.
var Elevated = func() bool { return os.Geteuid() == 0 }

var notElevated = NotElevatedError{"installing or removing the systemd timer needs root: run this again with sudo (or use --print and install the units yourself)"}

// Definition is the two unit files Install writes, as one text.
func Definition(p Plan) (string, error) {
	service, timer := Units(p)
	return fmt.Sprintf("# %s\n%s\n# %s\n%s", unitPath(".service"), service, unitPath(".timer"), timer), nil
}

func unitPath(ext string) string { return filepath.Join(SystemdDir, UnitName+ext) }

// Install writes the service and timer, atomically, and enables the timer.
func Install(p Plan) error {
	if !Elevated() {
		return notElevated
	}
	service, timer := Units(p)
	for path, text := range map[string]string{unitPath(".service"): service, unitPath(".timer"): timer} {
		if err := report.WriteFileAtomic(path, func(w io.Writer) error { _, err := io.WriteString(w, text); return err }); err != nil {
			return err
		}
	}
	if err := systemctl("daemon-reload"); err != nil {
		return err
	}
	return systemctl("enable", "--now", UnitName+".timer")
}

// Remove disables the timer and deletes both units.
func Remove() error {
	if !Elevated() {
		return notElevated
	}
	if _, err := os.Stat(unitPath(".timer")); errors.Is(err, os.ErrNotExist) {
		return ErrNotInstalled
	}
	if err := systemctl("disable", "--now", UnitName+".timer"); err != nil {
		return err
	}
	for _, ext := range []string{".timer", ".service"} {
		if err := os.Remove(unitPath(ext)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	return systemctl("daemon-reload")
}

func systemctl(args ...string) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, "systemctl", args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("systemctl %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}

// Query reads the timer and service through systemctl show, whose
// key=value properties are not translated.
func Query() (Status, error) {
	if _, err := os.Stat(unitPath(".timer")); errors.Is(err, os.ErrNotExist) {
		return Status{}, ErrNotInstalled
	}
	timer, err := show(UnitName+".timer", "UnitFileState", "ActiveState", "NextElapseUSecRealtime", "TimersCalendar")
	if err != nil {
		return Status{}, err
	}
	service, err := show(UnitName+".service", "ExecMainExitTimestamp", "ExecMainStatus", "ExecStart")
	if err != nil {
		return Status{}, err
	}
	st := Status{
		Name:     UnitName + ".timer, " + UnitName + ".service",
		Enabled:  timer["UnitFileState"] == "enabled",
		State:    timer["ActiveState"],
		Schedule: timer["TimersCalendar"],
		Command:  service["ExecStart"],
		LastRun:  systemdTime(service["ExecMainExitTimestamp"]),
		NextRun:  systemdTime(timer["NextElapseUSecRealtime"]),
	}
	if !st.LastRun.IsZero() {
		code, _ := strconv.ParseInt(service["ExecMainStatus"], 10, 64)
		st.LastResult = ExitMeaning(code)
	}
	return st, nil
}

func show(unit string, props ...string) (map[string]string, error) {
	out, err := exec.Command("systemctl", "show", unit, "--property="+strings.Join(props, ",")).Output()
	if err != nil {
		return nil, fmt.Errorf("systemctl show %s: %w", unit, err)
	}
	m := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), "="); ok {
			m[k] = v
		}
	}
	return m, nil
}

// systemdTime reads systemd's "Mon 2026-11-23 02:00:00 UTC" timestamps.
func systemdTime(s string) time.Time {
	f := strings.Fields(s)
	if len(f) < 3 {
		return time.Time{}
	}
	t, err := time.Parse("2006-01-02 15:04:05", f[1]+" "+f[2])
	if err != nil {
		return time.Time{}
	}
	return t
}

// Log writes the run's event to the journal: a service's standard output
// goes there, and a "<N>" prefix sets the syslog priority
// (sd-daemon(3)). Outside systemd it is one plain line on w. A line break
// in the message would start a forged entry, so none reaches the journal.
func Log(w io.Writer, e Event) error {
	prefix := ""
	if os.Getenv("JOURNAL_STREAM") != "" {
		prefix = fmt.Sprintf("<%d>", map[Level]int{Info: 6, Warning: 4, Error: 3}[e.Level])
	}
	_, err := fmt.Fprintf(w, "%sevent %d: %s\n", prefix, e.ID, report.Sanitize(e.Message))
	return err
}

// StateDir is where a run keeps its own copy of the newest result.
func StateDir() string { return "/var/lib/dspt-audit" }

// safeExeAdvice says where to put the program the root service runs.
const safeExeAdvice = "copy it to /usr/local/bin (root-owned, mode 0755) and install from there"
