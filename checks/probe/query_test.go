package probe

import "testing"

func TestEmptyRows(t *testing.T) {
	type row struct {
		Name  *string
		State *uint32
	}
	name, zero := "SMB1Protocol", uint32(0)
	tests := []struct {
		desc string
		rows any
		want int
	}{
		{"no rows is an answer", &[]row{}, 0},
		{"a row with a name", &[]row{{Name: &name}}, 0},
		{"a real zero is data, not emptiness", &[]row{{State: &zero}}, 0},
		{"one readable row among empty ones", &[]row{{}, {Name: &name}, {}}, 0},
		{"every property of every row empty", &[]row{{}, {}, {}}, 3},
		{"one empty row", &[]row{{}}, 1},
		{"not a slice", &name, 0},
	}
	for _, tt := range tests {
		if got := emptyRows(tt.rows); got != tt.want {
			t.Errorf("%s: emptyRows = %d, want %d", tt.desc, got, tt.want)
		}
	}
}

func TestFileProbesRunWhereTheirPathsExist(t *testing.T) {
	win := FilesWithContents(`C:\ProgramData\Microsoft\Network\Connections\Pbk\rasphone.pbk`)
	unix := FilesMatching("/etc/modprobe.d/*.conf")
	if !win.RunsOn("windows") || win.RunsOn("linux") {
		t.Errorf("a C:\\ path must be read on Windows only")
	}
	if unix.RunsOn("windows") || !unix.RunsOn("linux") || !FileContents("/etc/crontab").RunsOn("linux") {
		t.Errorf("a / path must be read on Linux only")
	}
}
