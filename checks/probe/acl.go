package probe

import "fmt"

// aclEntry is one access-allowed entry of a Windows file's DACL.
type aclEntry struct {
	SID         string // S-1-5-...
	Mask        uint32
	InheritOnly bool // applies only to what is created inside, not to this object
}

// Access rights (winnt.h) that matter to whether a principal can change a
// program or what leads to it.
const (
	rightWriteData   = 0x2 // write the file; add a file to a folder
	rightAppendData  = 0x4 // append to the file; add a subfolder
	rightDeleteChild = 0x40
	rightDelete      = 0x10000
	rightWriteDAC    = 0x40000
	rightWriteOwner  = 0x80000
	rightGenericAll  = 0x10000000
	rightGenericWrt  = 0x40000000

	// replaceRights let a principal remove, rename or re-permission an
	// object, or anything inside a folder.
	replaceRights = rightDelete | rightWriteDAC | rightWriteOwner | rightDeleteChild | rightGenericAll
	// changeRights add changing a file's bytes or putting new files beside
	// it (a DLL the program would load).
	changeRights = replaceRights | rightWriteData | rightAppendData | rightGenericWrt
)

// adminSIDs are the principals allowed to own and change the program a
// SYSTEM task runs: SYSTEM, BUILTIN\Administrators, NT SERVICE\TrustedInstaller.
var adminSIDs = map[string]string{
	"S-1-5-18":     "SYSTEM",
	"S-1-5-32-544": "Administrators",
	"S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464": "TrustedInstaller",
}

// judgeACL returns nil when only administrators can change the object at
// path: its owner is an admin SID and no entry gives another principal a
// right that changes it. near is true for the program and its own folder,
// where adding a file counts as a change; for folders further up only
// replacing what is in them does (every user may create folders in C:\).
func judgeACL(path, owner string, dacl []aclEntry, nullDACL, near bool) error {
	if _, ok := adminSIDs[owner]; !ok {
		return fmt.Errorf("%s is owned by %s, not SYSTEM, Administrators or TrustedInstaller", path, owner)
	}
	if nullDACL {
		return fmt.Errorf("%s has no access control list: everyone can change it", path)
	}
	rights := uint32(replaceRights)
	if near {
		rights = changeRights
	}
	for _, e := range dacl {
		if _, ok := adminSIDs[e.SID]; ok || e.InheritOnly || e.Mask&rights == 0 {
			continue
		}
		return fmt.Errorf("%s can be changed by %s (access mask %#x)", path, e.SID, e.Mask)
	}
	return nil
}
