package probe

import (
	"strings"
	"testing"
)

func TestJudgeACL(t *testing.T) {
	const (
		system   = "S-1-5-18"
		admins   = "S-1-5-32-544"
		ti       = "S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464"
		users    = "S-1-5-32-545"
		authUser = "S-1-5-11"
		bob      = "S-1-5-21-1-2-3-1001"
		creator  = "S-1-3-0"
		readExec = 0x1200a9
		modify   = 0x1301bf
	)
	// Program Files as Windows 11 ships it.
	programFiles := []aclEntry{
		{SID: ti, Mask: 0x1f01ff}, {SID: system, Mask: modify}, {SID: admins, Mask: modify},
		{SID: users, Mask: readExec}, {SID: creator, Mask: rightGenericAll, InheritOnly: true},
	}
	// C:\ : Authenticated Users may create folders here and modify what
	// they create below.
	driveRoot := []aclEntry{
		{SID: admins, Mask: 0x1f01ff}, {SID: system, Mask: 0x1f01ff}, {SID: users, Mask: readExec},
		{SID: authUser, Mask: rightAppendData}, {SID: authUser, Mask: modify, InheritOnly: true},
	}
	for _, tc := range []struct {
		name, owner string
		dacl        []aclEntry
		nullDACL    bool
		near        bool
		want        string // "" for nil, else a part of the error
	}{
		{name: "Program Files", owner: ti, dacl: programFiles, near: true},
		{name: "drive root, far", owner: system, dacl: driveRoot},
		{name: "drive root as the program's folder", owner: system, dacl: driveRoot, near: true, want: "can be changed by " + authUser},
		{name: "owned by a user", owner: bob, dacl: programFiles, near: true, want: "owned by " + bob},
		{name: "owned by Users", owner: users, dacl: programFiles, want: "not SYSTEM"},
		{name: "null DACL", owner: admins, nullDACL: true, want: "no access control list"},
		{name: "Users may modify", owner: admins, dacl: append(programFiles[:4:4], aclEntry{SID: users, Mask: modify}), want: "can be changed by " + users},
		{name: "user may write data only, near", owner: admins, dacl: []aclEntry{{SID: bob, Mask: rightWriteData}}, near: true, want: "can be changed by " + bob},
		{name: "user may delete children, far", owner: admins, dacl: []aclEntry{{SID: bob, Mask: rightDeleteChild}}, want: "can be changed by " + bob},
		{name: "user may change permissions, far", owner: admins, dacl: []aclEntry{{SID: bob, Mask: rightWriteDAC}}, want: "can be changed by " + bob},
		{name: "generic write, near", owner: admins, dacl: []aclEntry{{SID: bob, Mask: rightGenericWrt}}, near: true, want: "can be changed by " + bob},
		{name: "read only users", owner: admins, dacl: []aclEntry{{SID: bob, Mask: readExec}}, near: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := judgeACL(`C:\x`, tc.owner, tc.dacl, tc.nullDACL, tc.near)
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("got %v, want nil", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}
