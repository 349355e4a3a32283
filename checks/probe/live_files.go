package probe

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/shirou/gopsutil/v4/net"
	"github.com/shirou/gopsutil/v4/process"
)

// readFiles lists the files matching pattern. Only the last segment may be
// a glob, so the directory is read directly and its failure classified:
// filepath.Glob would turn an unreadable directory into "no files".
func readFiles(pattern string, contents bool) ([]FileEntry, error) {
	dir, base := filepath.Split(pattern)
	dir = filepath.Clean(dir)
	if !strings.ContainsAny(base, "*?[") {
		info, err := os.Lstat(pattern)
		if err != nil {
			return nil, err
		}
		return []FileEntry{fileEntry(pattern, info, contents)}, nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	out := []FileEntry{}
	for _, e := range entries {
		if ok, _ := filepath.Match(base, e.Name()); !ok {
			continue
		}
		path := filepath.Join(dir, e.Name())
		info, err := os.Stat(path)
		if err != nil {
			out = append(out, FileEntry{Path: path, Unreadable: err.Error()})
			continue
		}
		out = append(out, fileEntry(path, info, contents))
	}
	return out, nil
}

func fileEntry(path string, info fs.FileInfo, contents bool) FileEntry {
	e := FileEntry{Path: path, Dir: info.IsDir(), Size: info.Size(), Modified: info.ModTime().UTC()}
	if contents && info.Mode().IsRegular() {
		text, err := readFile(path)
		if err != nil {
			e.Unreadable = err.Error()
		} else {
			e.Contents = &text
		}
	}
	return e
}

// readSockets lists listening TCP sockets (IPv4 and IPv6) with the owning
// process's name where it can be read.
func readSockets(ctx context.Context) ([]Socket, error) {
	conns, err := net.ConnectionsWithContext(ctx, "tcp")
	if err != nil {
		return nil, err
	}
	names := processNames(ctx)
	out := []Socket{}
	for _, c := range conns {
		if c.Status != "LISTEN" {
			continue
		}
		out = append(out, Socket{Address: c.Laddr.IP, Port: c.Laddr.Port, PID: c.Pid, Process: names[c.Pid]})
	}
	slices.SortFunc(out, func(a, b Socket) int {
		if a.Port != b.Port {
			return int(a.Port) - int(b.Port)
		}
		return strings.Compare(a.Address, b.Address)
	})
	return slices.Compact(out), nil
}

func processNames(ctx context.Context) map[int32]string {
	names := map[int32]string{}
	procs, err := process.ProcessesWithContext(ctx)
	if err != nil {
		return names
	}
	for _, p := range procs {
		if n, err := p.NameWithContext(ctx); err == nil {
			names[p.Pid] = n
		}
	}
	return names
}

// readProcesses lists the distinct names of running processes.
func readProcesses(ctx context.Context) ([]string, error) {
	names := processNames(ctx)
	if len(names) == 0 {
		return nil, errors.New("no process could be listed")
	}
	var out []string
	for _, name := range names {
		out = append(out, name)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}
