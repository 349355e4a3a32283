package probe

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"

	"github.com/shirou/gopsutil/v4/host"
)

// Live reads the machine it runs on. Its zero value is ready to use.
type Live struct {
	// commandDirs replaces systemCommandDirs in tests.
	commandDirs []string
}

func (l Live) dirs() []string {
	if l.commandDirs != nil {
		return l.commandDirs
	}
	return systemCommandDirs
}

// maxRead caps what a file or command probe keeps.
const maxRead = 1 << 20

// Read answers a query from the running machine.
func (l Live) Read(ctx context.Context, q Query) (any, error) {
	switch q.Kind {
	case File:
		return readFile(q.Path)
	case Host:
		return readHost(ctx)
	case Command:
		return runCommand(ctx, q, l.dirs())
	case Registry:
		return readRegistry(q)
	case WMI:
		return readWMI(ctx, q)
	case RegistryKeys:
		return readRegistryKeys(q)
	case Files:
		return readFiles(q.Path, len(q.Args) > 0)
	case Sockets:
		return readSockets(ctx)
	case Processes:
		return readProcesses(ctx)
	case API:
		return callAPI(ctx, q)
	case DebPackages:
		return readDebPackages(q.Path)
	case AptSecurity:
		return readAptSecurity(ctx, q.Path, dpkgStatusPath)
	}
	return nil, Errorf(Other, "unknown probe kind %q", q.Kind)
}

func readFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxRead))
	return string(b), err
}

func readHost(ctx context.Context) (HostInfo, error) {
	i, err := host.InfoWithContext(ctx)
	if err != nil && i == nil {
		return HostInfo{}, err
	}
	return HostInfo{
		Hostname:        i.Hostname,
		OS:              i.OS,
		Platform:        i.Platform,
		PlatformFamily:  i.PlatformFamily,
		PlatformVersion: i.PlatformVersion,
		KernelVersion:   i.KernelVersion,
		KernelArch:      i.KernelArch,
		HostID:          i.HostID,
		RunAs:           runAs(),
	}, nil
}

// runCommand runs a command found in dirs, never through PATH, with a fixed
// environment and the C locale, and classifies its failure: not installed
// is NotFound; a program others could have changed is Untrusted and never
// runs; a non-zero exit while not root is AccessDenied, because every
// command this tool runs reads state that root can read.
func runCommand(ctx context.Context, q Query, dirs []string) (CommandResult, error) {
	if commandsForbidden {
		return CommandResult{}, Errorf(Other, "commands are not run on this OS: their output is localised")
	}
	path, err := findCommand(q.Path, dirs)
	if err != nil {
		return CommandResult{}, err
	}
	cmd := exec.CommandContext(ctx, path, q.Args...)
	cmd.Env = commandEnv
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	if ctx.Err() != nil {
		return CommandResult{}, ctx.Err()
	}
	if err != nil {
		detail := fmt.Sprintf("%s: %v: %s", q, err, firstLine(stderr.String()))
		var exit *exec.ExitError
		if errors.As(err, &exit) && os.Geteuid() != 0 {
			return CommandResult{}, Errorf(AccessDenied, "%s (not running as root)", detail)
		}
		return CommandResult{}, Errorf(Other, "%s", detail)
	}
	out := stdout.String()
	if len(out) > maxRead {
		out = out[:maxRead]
	}
	return CommandResult{Stdout: out}, nil
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}
