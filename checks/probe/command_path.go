package probe

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// systemCommandDirs are the folders commands are run from, searched in this
// order. PATH is never consulted: whoever starts the scan could point it at
// their own programs, and a root scan would run them.
var systemCommandDirs = []string{"/usr/sbin", "/usr/bin", "/sbin", "/bin"}

// commandEnv is the whole environment a command runs with.
var commandEnv = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C", "LANG=C"}

// findCommand is the path of the first program called name in dirs. It is
// NotFound when no dir holds one, and Untrusted when the first one found,
// the file a link there leads to, or a folder above either could be changed
// by someone other than root.
func findCommand(name string, dirs []string) (string, error) {
	if name == "" || strings.ContainsRune(name, '/') {
		return "", Errorf(Other, "%q is not a command name", name)
	}
	for _, dir := range dirs {
		path := filepath.Join(dir, name)
		if _, err := os.Lstat(path); errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err := AdminOnly(path); err != nil {
			return "", Errorf(Untrusted, "%s was not run: %v", path, err)
		}
		return path, nil
	}
	return "", Errorf(NotFound, "%s is not installed (looked in %s)", name, strings.Join(dirs, ", "))
}
