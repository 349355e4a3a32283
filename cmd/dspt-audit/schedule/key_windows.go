//go:build windows

package schedule

import (
	"errors"
	"fmt"
	"io/fs"
	"unsafe"

	"golang.org/x/sys/windows"
)

// keyDirSDDL gives SYSTEM and BUILTIN\Administrators full control, by SID,
// and nobody else: P protects the list from inheriting the ProgramData
// entries (where Users may read), OICI passes it to the key file.
const (
	keyDirDACL  = "D:P(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)"
	keyDirOwned = "O:BA" + keyDirDACL
)

// secureDir creates the key folder with its access list, or checks the
// one there and sets the access list again.
func secureDir(dir string) error {
	err := createDir(dir)
	if err != nil && !errors.Is(err, windows.ERROR_ALREADY_EXISTS) {
		return err
	}
	if err := checkOwned(dir, true); err != nil {
		return err
	}
	return restrict(dir)
}

// createDir makes the folder owned by Administrators with its access list
// from the start, so it is never open; a token that may not name
// Administrators as owner (not elevated) makes it owned by itself.
func createDir(dir string) error {
	err := createDirSDDL(dir, keyDirOwned)
	if errors.Is(err, windows.ERROR_INVALID_OWNER) {
		err = createDirSDDL(dir, keyDirDACL)
	}
	return err
}

func createDirSDDL(dir, sddl string) error {
	sd, err := windows.SecurityDescriptorFromString(sddl)
	if err != nil {
		return err
	}
	p, err := windows.UTF16PtrFromString(dir)
	if err != nil {
		return err
	}
	sa := windows.SecurityAttributes{Length: uint32(unsafe.Sizeof(windows.SecurityAttributes{})), SecurityDescriptor: sd}
	return windows.CreateDirectory(p, &sa)
}

// restrict sets the protected access list on a folder or file.
func restrict(path string) error {
	sd, err := windows.SecurityDescriptorFromString(keyDirDACL)
	if err != nil {
		return err
	}
	dacl, _, err := sd.DACL()
	if err != nil {
		return err
	}
	return windows.SetNamedSecurityInfo(path, windows.SE_FILE_OBJECT,
		windows.DACL_SECURITY_INFORMATION|windows.PROTECTED_DACL_SECURITY_INFORMATION, nil, nil, dacl, nil)
}

func restrictFile(path string) error { return restrict(path) }

func checkDir(dir string) error { return checkOwned(dir, true) }

func checkKeyFile(path string) error { return checkOwned(path, false) }

// checkOwned refuses a junction or link (any reparse point), the wrong kind
// of file, or one owned by anyone but SYSTEM, Administrators or the account
// running this.
func checkOwned(path string, dir bool) error {
	p, err := windows.UTF16PtrFromString(path)
	if err != nil {
		return err
	}
	attrs, err := windows.GetFileAttributes(p)
	switch {
	case errors.Is(err, windows.ERROR_FILE_NOT_FOUND), errors.Is(err, windows.ERROR_PATH_NOT_FOUND):
		return fs.ErrNotExist
	case err != nil:
		return err
	case attrs&windows.FILE_ATTRIBUTE_REPARSE_POINT != 0:
		return errors.New("is a junction or link: refused (create the folder afresh, or remove the link)")
	case dir && attrs&windows.FILE_ATTRIBUTE_DIRECTORY == 0:
		return errors.New("is not a folder")
	case !dir && attrs&windows.FILE_ATTRIBUTE_DIRECTORY != 0:
		return errors.New("is a folder, not a key file")
	}
	sd, err := windows.GetNamedSecurityInfo(path, windows.SE_FILE_OBJECT, windows.OWNER_SECURITY_INFORMATION)
	if err != nil {
		return fmt.Errorf("cannot read its owner: %w", err)
	}
	owner, _, err := sd.Owner()
	if err != nil {
		return fmt.Errorf("cannot read its owner: %w", err)
	}
	if !trustedOwner(owner) {
		return fmt.Errorf("owned by %s, not SYSTEM or Administrators: refused (someone else made it; remove it and run again)", owner)
	}
	return nil
}

func trustedOwner(owner *windows.SID) bool {
	if owner.IsWellKnown(windows.WinLocalSystemSid) || owner.IsWellKnown(windows.WinBuiltinAdministratorsSid) {
		return true
	}
	user, err := windows.GetCurrentProcessToken().GetTokenUser()
	return err == nil && owner.Equals(user.User.Sid)
}
