package main

import (
	"errors"
	"fmt"
	"os"
	"unsafe"

	"golang.org/x/sys/windows"
)

// signatureState asks Windows whether this .exe's Authenticode signature is
// valid. Revocation is not checked and nothing is fetched: the tool never
// uses the network.
func signatureState() string {
	exe, err := os.Executable()
	if err != nil {
		return "could not be checked: " + err.Error()
	}
	err = verifyAuthenticode(exe)
	switch {
	case err == nil:
		return "valid Authenticode signature (revocation not checked)"
	case errors.Is(err, windows.Errno(windows.TRUST_E_NOSIGNATURE)):
		return "unsigned (not for distribution: release builds are signed)"
	default:
		return fmt.Sprintf("INVALID or untrusted Authenticode signature: %v", err)
	}
}

func verifyAuthenticode(file string) error {
	path, err := windows.UTF16PtrFromString(file)
	if err != nil {
		return err
	}
	data := &windows.WinTrustData{
		Size:             uint32(unsafe.Sizeof(windows.WinTrustData{})),
		UIChoice:         windows.WTD_UI_NONE,
		RevocationChecks: windows.WTD_REVOKE_NONE,
		UnionChoice:      windows.WTD_CHOICE_FILE,
		StateAction:      windows.WTD_STATEACTION_VERIFY,
		ProvFlags:        windows.WTD_CACHE_ONLY_URL_RETRIEVAL | windows.WTD_REVOCATION_CHECK_NONE,
		FileOrCatalogOrBlobOrSgnrOrCert: unsafe.Pointer(&windows.WinTrustFileInfo{
			Size:     uint32(unsafe.Sizeof(windows.WinTrustFileInfo{})),
			FilePath: path,
		}),
	}
	verifyErr := windows.WinVerifyTrustEx(windows.InvalidHWND, &windows.WINTRUST_ACTION_GENERIC_VERIFY_V2, data)
	data.StateAction = windows.WTD_STATEACTION_CLOSE
	windows.WinVerifyTrustEx(windows.InvalidHWND, &windows.WINTRUST_ACTION_GENERIC_VERIFY_V2, data)
	return verifyErr
}
