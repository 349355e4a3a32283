package standards

import (
	"os"
	"path/filepath"
	"testing"
)

// tempDir is t.TempDir emptied with os.Remove before t.TempDir's own
// os.RemoveAll runs: under Wine 8 (.ci/wine) os.RemoveAll fails with
// "Invalid function", because Go 1.26 deletes through
// FileDispositionInformationEx, which Wine 8 does not implement.
func tempDir(t *testing.T) string {
	dir := t.TempDir()
	t.Cleanup(func() {
		names, _ := filepath.Glob(filepath.Join(dir, "*"))
		for _, name := range append(names, dir) {
			os.Remove(name)
		}
	})
	return dir
}
