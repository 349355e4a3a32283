//go:build windows

package probe

import (
	"errors"
	"fmt"
	"path/filepath"
	"unsafe"

	"golang.org/x/sys/windows"
)

// AdminOnly returns nil when only SYSTEM, Administrators and
// TrustedInstaller can change the file at path and every folder above it:
// each is owned by one of them and no other principal holds a right that
// changes it (for the file and its own folder, adding files counts too).
// Otherwise it returns an error naming the first path someone else could
// change.
func AdminOnly(path string) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	for near := 0; ; near++ {
		if err := adminOnlyObject(abs, near < 2); err != nil {
			return err
		}
		parent := filepath.Dir(abs)
		if parent == abs {
			return nil
		}
		abs = parent
	}
}

func adminOnlyObject(path string, near bool) error {
	sd, err := windows.GetNamedSecurityInfo(path, windows.SE_FILE_OBJECT,
		windows.OWNER_SECURITY_INFORMATION|windows.DACL_SECURITY_INFORMATION)
	if err != nil {
		return fmt.Errorf("%s: cannot read its permissions: %w", path, err)
	}
	owner, _, err := sd.Owner()
	if err != nil || owner == nil {
		return fmt.Errorf("%s: cannot read its owner: %v", path, err)
	}
	dacl, _, err := sd.DACL()
	if errors.Is(err, windows.ERROR_OBJECT_NOT_FOUND) {
		return judgeACL(path, owner.String(), nil, true, near)
	}
	if err != nil {
		return fmt.Errorf("%s: cannot read its permissions: %w", path, err)
	}
	entries, err := allowEntries(dacl)
	if err != nil {
		return fmt.Errorf("%s: cannot read its permissions: %w", path, err)
	}
	return judgeACL(path, owner.String(), entries, dacl == nil, near)
}

// allowEntries lists a DACL's access-allowed entries; denials only take
// rights away, so leaving them out can refuse more, never less. Any other
// kind of entry is an error.
func allowEntries(dacl *windows.ACL) ([]aclEntry, error) {
	if dacl == nil {
		return nil, nil
	}
	var entries []aclEntry
	for i := range uint32(dacl.AceCount) {
		var ace *windows.ACCESS_ALLOWED_ACE
		if err := windows.GetAce(dacl, i, &ace); err != nil {
			return nil, err
		}
		switch ace.Header.AceType {
		case windows.ACCESS_ALLOWED_ACE_TYPE:
		case windows.ACCESS_DENIED_ACE_TYPE:
			continue
		default:
			return nil, fmt.Errorf("an entry of type %d, which this tool does not read", ace.Header.AceType)
		}
		sid := (*windows.SID)(unsafe.Pointer(&ace.SidStart))
		entries = append(entries, aclEntry{
			SID:         sid.String(),
			Mask:        uint32(ace.Mask),
			InheritOnly: ace.Header.AceFlags&windows.INHERIT_ONLY_ACE != 0,
		})
	}
	return entries, nil
}
