//go:build !windows

package schedule

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

// secureDir creates the key folder, 0700, or checks the one there.
func secureDir(dir string) error {
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	}
	if err := checkOwned(dir, true); err != nil {
		return err
	}
	return os.Chmod(dir, 0o700)
}

// checkDir checks the key folder: a real folder this user owns, closed to
// everyone else.
func checkDir(dir string) error {
	if err := checkOwned(dir, true); err != nil {
		return err
	}
	if info, _ := os.Lstat(dir); info.Mode().Perm()&0o077 != 0 {
		return fmt.Errorf("open to other users (mode %s): it must be 0700", info.Mode().Perm())
	}
	return nil
}

func checkKeyFile(path string) error {
	if err := checkOwned(path, false); err != nil {
		return err
	}
	if info, _ := os.Lstat(path); info.Mode().Perm()&0o077 != 0 {
		return fmt.Errorf("readable by other users (mode %s): it must be 0600", info.Mode().Perm())
	}
	return nil
}

func restrictFile(path string) error { return os.Chmod(path, 0o600) }

// checkOwned refuses a link, the wrong kind of file, or one owned by
// another user (root, when the nightly service runs).
func checkOwned(path string, dir bool) error {
	info, err := os.Lstat(path)
	if err != nil {
		return err
	}
	switch {
	case info.Mode()&fs.ModeSymlink != 0:
		return errors.New("is a symbolic link: refused (create the folder afresh, or remove the link)")
	case dir && !info.IsDir():
		return errors.New("is not a folder")
	case !dir && !info.Mode().IsRegular():
		return errors.New("is not a regular file")
	}
	st, ok := info.Sys().(*syscall.Stat_t)
	if ok && int(st.Uid) != os.Geteuid() {
		return fmt.Errorf("owned by user %d, not by %d who runs the scan: refused (someone else made it; remove it and run again)", st.Uid, os.Geteuid())
	}
	return nil
}
