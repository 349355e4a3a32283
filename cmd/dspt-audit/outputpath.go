package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// checkOutputPath says, before any scanning, why -o path could not be
// written: a folder that does not exist or cannot be written in, or a path
// that is itself a folder. Standard output, devices and files that can be
// written pass. A failure is an error (exit 1), as the write itself would
// be.
func checkOutputPath(path string) error {
	if toStdout(path) {
		return nil
	}
	if info, err := os.Stat(path); err == nil {
		if info.IsDir() {
			return fmt.Errorf("cannot write %s: %s is a folder; give a file name inside it", path, path)
		}
		if !info.Mode().IsRegular() {
			return nil // a device or a pipe is written straight
		}
	}
	dir := filepath.Dir(path)
	info, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("cannot write %s: folder %s does not exist", path, dir)
	case err != nil:
		return fmt.Errorf("cannot write %s: cannot reach folder %s: %w", path, dir, pathless(err))
	case !info.IsDir():
		return fmt.Errorf("cannot write %s: %s is not a folder", path, dir)
	}
	probe, err := os.CreateTemp(dir, ".dspt-audit-write-test-*")
	if errors.Is(err, fs.ErrPermission) {
		return fmt.Errorf("cannot write %s: no permission to write in %s", path, dir)
	}
	if err != nil {
		return fmt.Errorf("cannot write %s: %w", path, pathless(err))
	}
	probe.Close()
	os.Remove(probe.Name())
	return nil
}

// pathless is the operating system's reason without the path it names.
func pathless(err error) error {
	var pathErr *fs.PathError
	if errors.As(err, &pathErr) {
		return pathErr.Err
	}
	return err
}
