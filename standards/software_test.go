package standards

import "testing"

func flaw(t *testing.T, d *Data, id string) Flaw {
	t.Helper()
	for _, f := range d.Exploits.Flaws {
		if f.ID == id {
			return f
		}
	}
	t.Fatalf("no flaw %s in the data", id)
	return Flaw{}
}

func TestFlawJudge(t *testing.T) {
	d, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		flaw       string
		build, ubr int
		want       Exposure
	}{
		{"MS17-010", 14393, 447, Exposed},
		{"MS17-010", 14393, 952, Exposed},
		{"MS17-010", 14393, 953, NotExposed},
		{"MS17-010", 10240, 17318, Exposed},
		{"MS17-010", 10240, 17319, NotExposed},
		{"MS17-010", 10586, 838, Exposed},
		{"MS17-010", 7601, 0, NeedsHotfix},
		{"MS17-010", 5000, 0, UnknownRelease},
		{"CVE-2020-0796", 18363, 719, Exposed},
		{"CVE-2020-0796", 18363, 720, NotExposed},
		{"CVE-2020-0796", 17763, 0, NotExposed}, // before SMBv3 compression
		{"CVE-2019-0708", 7601, 0, NeedsHotfix},
		{"CVE-2019-0708", 19045, 0, NotExposed},
		{"CVE-2021-34527", 18362, 9999, Exposed}, // 1903 never got the fix
		{"CVE-2021-34527", 19043, 1082, Exposed},
		{"CVE-2021-34527", 19043, 1083, NotExposed},
		{"CVE-2021-34527", 22000, 0, NotExposed},
	}
	for _, tt := range tests {
		if got, _ := flaw(t, d, tt.flaw).Judge(tt.build, tt.ubr); got != tt.want {
			t.Errorf("%s on %d.%d = %d, want %d", tt.flaw, tt.build, tt.ubr, got, tt.want)
		}
	}
}

// Windows 10 1703 shipped with the MS17-010 fix: no later release, at any
// UBR, may be called exposed to it.
func TestMS17010NeverOnLaterReleases(t *testing.T) {
	d, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	f := flaw(t, d, "MS17-010")
	for _, build := range []int{15063, 16299, 17134, 17763, 18362, 18363, 19041, 19044, 19045, 20348, 22000, 22621, 22631, 26100, 26200} {
		if got, _ := f.Judge(build, 0); got != NotExposed {
			t.Errorf("build %d.0 judged %d for MS17-010, want not exposed", build, got)
		}
	}
}

func TestEOLProductMatches(t *testing.T) {
	d, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	find := func(name string) *EOLProduct {
		for i := range d.Software.Products {
			if d.Software.Products[i].Product == name {
				return &d.Software.Products[i]
			}
		}
		t.Fatalf("no product %q", name)
		return nil
	}
	tests := []struct {
		product, name, version string
		want                   bool
	}{
		{"Java SE 7", "Java 7 Update 79 (64-bit)", "7.0.790", true},
		{"Java SE 7", "Java 8 Update 471", "8.0.4710", false},
		{"Microsoft Office 2016", "Microsoft Office Professional Plus 2016", "16.0.4266.1001", true},
		{"Microsoft Office 2016", "Microsoft 365 Apps for enterprise - en-gb", "16.0.18925.20138", false},
		{"Google Chrome older than 152", "Google Chrome", "151.0.7950.1", true},
		{"Google Chrome older than 152", "Google Chrome", "152.0.8061.70", false},
		{"Google Chrome older than 152", "Google Chrome", "", false},
		{"Mozilla Firefox 116 to 152", "Mozilla Firefox (x64 en-GB)", "140.14.0", true},
		{"Mozilla Firefox 116 to 152", "Mozilla Firefox ESR (x64 en-GB)", "115.38.0", false},
		{"Mozilla Firefox 116 to 152", "Mozilla Firefox (x64 en-GB)", "153.1.0", false},
		{"Mozilla Firefox older than 115", "Mozilla Firefox (x64 en-GB)", "102.15.1", true},
		{"Java SE 24", "Java(TM) SE Development Kit 24.0.2 (64-bit)", "24.0.2.0", true},
		{"Java SE 24", "Java(TM) SE Development Kit 21.0.8 (64-bit)", "21.0.8.0", false},
		{"Python 3.1", "Python 3.10.11 (64-bit)", "3.10.11150.0", false},
		{"Python 3.9", "Python 3.9.13 (64-bit)", "3.9.13150.0", true},
		{"Microsoft Visual C++ 2010 Redistributable", "Microsoft Visual C++ 2010  x64 Redistributable - 10.0.40219", "10.0.40219", true},
	}
	for _, tt := range tests {
		if got := find(tt.product).Matches(tt.name, tt.version); got != tt.want {
			t.Errorf("%s matches %q %q = %t, want %t", tt.product, tt.name, tt.version, got, tt.want)
		}
	}
}
