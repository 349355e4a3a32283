package standards

import "testing"

func TestReleaseIdentification(t *testing.T) {
	d, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		v       WindowsVersion
		release string
		family  string
	}{
		{"win11 says windows 10", WindowsVersion{CurrentBuild: 26100, EditionID: "Professional", InstallationType: "Client", ProductName: "Windows 10 Pro"}, "Windows 11 24H2", HomePro},
		{"win11 enterprise", WindowsVersion{CurrentBuild: 22631, EditionID: "Enterprise", InstallationType: "Client"}, "Windows 11 23H2", Enterprise},
		{"education", WindowsVersion{CurrentBuild: 26200, EditionID: "Education"}, "Windows 11 25H2", Enterprise},
		{"pro education is home/pro", WindowsVersion{CurrentBuild: 26200, EditionID: "ProfessionalEducation"}, "Windows 11 25H2", HomePro},
		{"ltsc 2021", WindowsVersion{CurrentBuild: 19044, EditionID: "EnterpriseS"}, "Windows 10 Enterprise LTSC 2021", Enterprise},
		{"iot ltsc 2021", WindowsVersion{CurrentBuild: 19044, EditionID: "IoTEnterpriseS"}, "Windows 10 Enterprise LTSC 2021", IoT},
		{"ltsc 2024 shares 26100", WindowsVersion{CurrentBuild: 26100, EditionID: "EnterpriseS"}, "Windows 11 Enterprise LTSC 2024", Enterprise},
		{"server 2025 shares 26100", WindowsVersion{CurrentBuild: 26100, EditionID: "ServerStandard", InstallationType: "Server"}, "Windows Server 2025", Server},
		{"server core 2016", WindowsVersion{CurrentBuild: 14393, EditionID: "ServerDatacenter", InstallationType: "Server Core"}, "Windows Server 2016", Server},
		{"home", WindowsVersion{CurrentBuild: 19045, EditionID: "Core"}, "Windows 10 22H2", HomePro},
		{"windows 7", WindowsVersion{CurrentBuild: 7601, EditionID: "Professional", InstallationType: "Client"}, "Windows 7 SP1", HomePro},
		{"windows 8.1", WindowsVersion{CurrentBuild: 9600, EditionID: "Core", InstallationType: "Client"}, "Windows 8.1", HomePro},
		{"server 2012 r2 shares 9600", WindowsVersion{CurrentBuild: 9600, EditionID: "ServerStandard", InstallationType: "Server"}, "Windows Server 2012 R2", Server},
		{"server 2008 r2 shares 7601", WindowsVersion{CurrentBuild: 7601, EditionID: "ServerEnterprise", InstallationType: "Server"}, "Windows Server 2008 R2 SP1", Server},
		{"server 23h2", WindowsVersion{CurrentBuild: 25398, EditionID: "ServerDatacenterACor", InstallationType: "Server Core"}, "Windows Server 23H2 AC", Server},
		{"server 2019 not 1809 sac", WindowsVersion{CurrentBuild: 17763, EditionID: "ServerStandard", InstallationType: "Server"}, "Windows Server 2019", Server},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, ok := d.WindowsReleases.Release(tt.v)
			if !ok || r.Name() != tt.release {
				t.Fatalf("Release(%+v) = %q, %v; want %q", tt.v, r.Name(), ok, tt.release)
			}
			if f, _ := tt.v.EditionFamily(); f != tt.family {
				t.Errorf("EditionFamily = %s, want %s", f, tt.family)
			}
		})
	}
	if f, known := (WindowsVersion{CurrentBuild: 26100, EditionID: "SomethingNew"}).EditionFamily(); known || f != HomePro {
		t.Errorf("unknown edition: family %s known %v; want the earlier Home/Pro dates", f, known)
	}
}

func TestPatchLevel(t *testing.T) {
	d, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	series := func(build int, channel string) UpdateSeries {
		s, ok := d.WindowsUpdates.SeriesFor(build, channel)
		if !ok {
			t.Fatalf("no series for %d %s", build, channel)
		}
		return s
	}
	tests := []struct {
		name      string
		s         UpdateSeries
		ubr       int
		level     string // KB of the level, "" for older than the data
		exactType string
		beyond    bool
	}{
		{"exact monthly", series(26100, ChannelClient), 9445, "KB5124008", "", false},
		{"25H2 shares 26100 numbering", series(26200, ChannelClient), 6899, "KB5066835", "", false},
		{"preview counts as the month before", series(26100, ChannelClient), 8737, "KB5094126", UpdatePreview, false},
		{"hotpatch below the LCU is current", series(26100, ChannelClient), 9106, "KB5120994", UpdateHotpatch, false},
		{"known out-of-band is not beyond data", series(26100, ChannelClient), 9457, "KB5124008", UpdateOutOfBand, false},
		{"unknown build above the data", series(26100, ChannelClient), 9600, "KB5124008", "", true},
		{"withdrawn first release", series(19045, ChannelClient), 5736, "KB5055518", "", false},
		{"older than the data", series(14393, ChannelClient), 447, "", "", false},
		{"server 2025 own branch", series(26100, ChannelServer), 32522, "KB5078740", "", false},
		{"server 2025 before its branch", series(26100, ChannelServer), 7462, "KB5072033", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pl := tt.s.PatchLevel(tt.ubr)
			if pl.Level.KB != tt.level || pl.BeyondData != tt.beyond {
				t.Errorf("PatchLevel(%d) level %q beyond %v; want %q %v", tt.ubr, pl.Level.KB, pl.BeyondData, tt.level, tt.beyond)
			}
			gotType := ""
			if pl.Exact != nil {
				gotType = pl.Exact.Type
			}
			if gotType != tt.exactType {
				t.Errorf("exact type %q, want %q", gotType, tt.exactType)
			}
		})
	}
}

func TestLinuxRelease(t *testing.T) {
	d, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ id, version, want string }{
		{"debian", "12", "Debian 12 (bookworm)"},
		{"rhel", "9.4", "Red Hat Enterprise Linux 9"},
		{"rocky", "8.10", "Rocky Linux 8"},
		{"ubuntu", "22.04", "Ubuntu 22.04 LTS"},
		{"ubuntu", "22.10", "Ubuntu 22.10"},
		{"ol", "10.1", "Oracle Linux 10"},
		{"centos", "10", "CentOS Stream 10"},
	} {
		if r, ok := d.LinuxReleases.Release(tt.id, tt.version); !ok || r.Name != tt.want {
			t.Errorf("Release(%s, %s) = %q %v, want %q", tt.id, tt.version, r.Name, ok, tt.want)
		}
	}
	if _, ok := d.LinuxReleases.Release("ubuntu", "22.11"); ok {
		t.Error("ubuntu 22.11 matched a release it is not")
	}
}
