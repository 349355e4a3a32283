//go:build !windows

package probe

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// AdminOnly returns nil when only root can change the file at path, the
// file any symbolic link there leads to, and every directory above either
// of them: each is owned by root and writable by neither its group nor
// others (a sticky, root-owned directory such as /tmp is allowed, because
// no one else can rename what root owns in it). Otherwise it returns an
// error naming the first path someone else could change.
func AdminOnly(path string) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	for range maxLinkHops {
		if err := adminOnlyDirs(filepath.Dir(abs)); err != nil {
			return err
		}
		info, err := os.Lstat(abs)
		if err != nil {
			return err
		}
		if info.Mode()&fs.ModeSymlink == 0 {
			return rootOnly(abs, info)
		}
		target, err := os.Readlink(abs)
		if err != nil {
			return err
		}
		if !filepath.IsAbs(target) {
			target = filepath.Join(filepath.Dir(abs), target)
		}
		abs = target
	}
	return fmt.Errorf("%s: more than %d symbolic links", path, maxLinkHops)
}

const maxLinkHops = 40

// adminOnlyDirs checks dir, with its links resolved, and every directory
// above it.
func adminOnlyDirs(dir string) error {
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return err
	}
	for {
		info, err := os.Lstat(real)
		if err != nil {
			return err
		}
		if err := rootOnly(real, info); err != nil {
			return err
		}
		parent := filepath.Dir(real)
		if parent == real {
			return nil
		}
		real = parent
	}
}

func rootOnly(path string, info fs.FileInfo) error {
	st, ok := info.Sys().(*syscall.Stat_t)
	if !ok {
		return fmt.Errorf("%s: cannot read its owner", path)
	}
	if st.Uid != 0 {
		return fmt.Errorf("%s is owned by user %d, not root", path, st.Uid)
	}
	if !info.Mode().IsRegular() && !info.IsDir() {
		return fmt.Errorf("%s is not a regular file or directory", path)
	}
	writable := info.Mode().Perm()&0o022 != 0
	if writable && !(info.IsDir() && info.Mode()&fs.ModeSticky != 0) {
		return fmt.Errorf("%s is writable by users other than root (mode %v)", path, info.Mode())
	}
	return nil
}
