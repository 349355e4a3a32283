package declared_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// tempDir is t.TempDir emptied file by file, deepest first, before
// t.TempDir's own os.RemoveAll runs: under Wine 8 (.ci/wine) os.RemoveAll
// fails with "Invalid function", because Go 1.26 deletes through
// FileDispositionInformationEx, which Wine 8 does not implement.
func tempDir(t testing.TB) string {
	dir := t.TempDir()
	t.Cleanup(func() {
		var paths []string
		filepath.WalkDir(dir, func(p string, _ fs.DirEntry, _ error) error { paths = append(paths, p); return nil })
		for i := len(paths) - 1; i >= 0; i-- {
			os.Remove(paths[i])
		}
	})
	return dir
}
