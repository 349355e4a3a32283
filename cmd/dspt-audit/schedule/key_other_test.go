//go:build !windows

package schedule

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestKeyIsCreatedPrivateAndKept(t *testing.T) {
	dir := KeyDir(filepath.Join(t.TempDir(), "state"))
	key, created, err := EnsureKey(dir)
	if err != nil || !created {
		t.Fatalf("created %v, %v", created, err)
	}
	for path, want := range map[string]os.FileMode{dir: 0o700, filepath.Join(dir, KeyFile): 0o600} {
		if info, err := os.Lstat(path); err != nil || info.Mode().Perm() != want {
			t.Errorf("%s: %v, %v; want mode %s", path, info.Mode(), err, want)
		}
	}
	again, created, err := EnsureKey(dir)
	if err != nil || created || !again.Equal(key) {
		t.Errorf("a reinstall made a new key (created %v, %v): the roll-up's pin would no longer match", created, err)
	}
	if loaded, err := LoadKey(dir); err != nil || !loaded.Equal(key) {
		t.Errorf("LoadKey: %v", err)
	}
}

// TestKeyFolderRefused: a user who could plant the key folder, or point it
// elsewhere, could read or choose the key every result is signed with.
func TestKeyFolderRefused(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to give a folder to another user")
	}
	root := t.TempDir()
	other := filepath.Join(root, "other", "key") // made by user 65534 before install
	os.MkdirAll(other, 0o700)
	os.Chown(other, 65534, 65534)

	target := filepath.Join(root, "elsewhere")
	os.Mkdir(target, 0o700)
	linked := filepath.Join(root, "linked", "key")
	os.Mkdir(filepath.Dir(linked), 0o755)
	if err := os.Symlink(target, linked); err != nil {
		t.Fatal(err)
	}

	loose := KeyDir(filepath.Join(root, "loose"))
	if _, _, err := EnsureKey(loose); err != nil {
		t.Fatal(err)
	}
	os.Chmod(filepath.Join(loose, KeyFile), 0o644)

	plantedKey := KeyDir(filepath.Join(root, "planted"))
	os.MkdirAll(plantedKey, 0o700)
	os.WriteFile(filepath.Join(plantedKey, KeyFile), []byte("-----BEGIN PRIVATE KEY-----\n"), 0o600)
	os.Chown(filepath.Join(plantedKey, KeyFile), 65534, 65534)

	tests := []struct{ name, dir, want string }{
		{"pre-created by another user", other, "owned by user 65534"},
		{"a symbolic link", linked, "symbolic link"},
		{"key file readable by others", loose, "readable by other users"},
		{"key file planted by another user", plantedKey, "owned by user 65534"},
	}
	for _, tc := range tests {
		if _, _, err := EnsureKey(tc.dir); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
	if entries, _ := os.ReadDir(target); len(entries) != 0 {
		t.Errorf("a key was written through the link: %v", entries)
	}
}
