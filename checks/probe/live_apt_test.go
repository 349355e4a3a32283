//go:build !windows

package probe

import (
	"bytes"
	"compress/gzip"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/pierrec/lz4/v4"
)

const fixtureStatus = `Package: openssl
Status: install ok installed
Priority: optional
Architecture: amd64
Version: 3.0.15-1~deb12u1
Description: Secure Sockets Layer toolkit
 This package contains the openssl binary.
 .
 More text.

Package: libc6
Status: hold ok installed
Architecture: i386
Version: 2.36-9+deb12u9

Package: gone
Status: deinstall ok config-files
Architecture: amd64
Version: 1.0-1

Package: tzdata
Status: install ok unpacked
Architecture: all
Version: 2024a-0+deb12u1
Description: time zone and daylight-saving time data
 LONGLINE

Package: libc6
Status: install ok installed
Architecture: amd64
Version: 2.36-9+deb12u9
`

func TestReadDebPackages(t *testing.T) {
	dir := t.TempDir()
	status := filepath.Join(dir, "status")
	// A description line longer than the reader's buffer is skipped.
	long := strings.Replace(fixtureStatus, "LONGLINE", strings.Repeat("x", 200_000), 1)
	writeFile(t, status, []byte(long))
	got, err := readDebPackages(status)
	if err != nil {
		t.Fatal(err)
	}
	want := []DebPackage{
		{"libc6", "amd64", "2.36-9+deb12u9"},
		{"libc6", "i386", "2.36-9+deb12u9"},
		{"openssl", "amd64", "3.0.15-1~deb12u1"},
		{"tzdata", "all", "2024a-0+deb12u1"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}

	if _, err := readDebPackages(filepath.Join(dir, "missing")); classify(err, 0).Class != NotFound {
		t.Errorf("missing status: %v, want not_found", err)
	}
	writeFile(t, status, []byte("Package: x\nStatus: install ok installed\nVersion: "+strings.Repeat("1", 100_000)+"\n"))
	if _, err := readDebPackages(status); err == nil || classify(err, 0).Class != Other {
		t.Errorf("a 100 kB version: %v, want an other error", err)
	}
}

const securityRelease = `-----BEGIN PGP SIGNED MESSAGE-----
Hash: SHA512

Origin: Debian
Label: Debian-Security
Suite: oldstable-security
Version: 12
Codename: bookworm-security
Date: Wed, 20 May 2026 16:28:12 UTC
Valid-Until: Wed, 27 May 2026 16:28:12 UTC
Architectures: amd64 arm64 armhf i386 ppc64el s390x
Components: updates/main updates/contrib updates/non-free updates/non-free-firmware
SHA256:
 2b3c1e0f  1234 main/binary-amd64/Packages
Origin: Not-This
-----BEGIN PGP SIGNATURE-----

iQIzBAEBCgAdFiEE
-----END PGP SIGNATURE-----
`

// aptFixture lays out a lists directory: a Debian security suite whose
// lists are plain, gzip, lz4 and xz; the main suite, which must not be
// read; an Ubuntu security suite with a plain Release file.
func aptFixture(t *testing.T) (lists, status string) {
	dir := t.TempDir()
	status = filepath.Join(dir, "status")
	writeFile(t, status, []byte(fixtureStatus))
	lists = filepath.Join(dir, "lists")
	sec := filepath.Join(lists, "mirror.example_debian-security_dists_bookworm-security_")
	writeFile(t, sec+"InRelease", []byte(securityRelease))
	writeFile(t, sec+"main_binary-amd64_Packages", []byte(
		"Package: openssl\nVersion: 3.0.17-1~deb12u2\nArchitecture: amd64\nDescription: x\n\nPackage: not-installed\nVersion: 1\nArchitecture: amd64\n\n"+
			"Package: libc6\nArchitecture: amd64\nVersion: 2.36-9+deb12u10\n"))
	writeFile(t, sec+"main_binary-i386_Packages.gz", gzipped(t, "Package: libc6\nArchitecture: i386\nVersion: 2.36-9+deb12u10\n"))
	writeFile(t, sec+"non-free_binary-amd64_Packages.lz4", lz4ed(t, "Package: tzdata\nArchitecture: all\nVersion: 2025b-0+deb12u1\n\nPackage: openssl\nArchitecture: amd64\nVersion: 3.0.17-1~deb12u2\n"))
	writeFile(t, sec+"contrib_binary-amd64_Packages.xz", []byte("\xfd7zXZ\x00"))
	writeFile(t, sec+"main_i18n_Translation-en", []byte("Package: openssl\nVersion: 99\n"))
	writeFile(t, sec+"main_binary-amd64_Packages.diff_Index", []byte("Package: openssl\nVersion: 99\n"))
	main := filepath.Join(lists, "mirror.example_debian_dists_bookworm_")
	writeFile(t, main+"InRelease", []byte("Origin: Debian\nLabel: Debian\nSuite: oldstable\nCodename: bookworm\n"))
	writeFile(t, main+"main_binary-amd64_Packages", []byte("Package: openssl\nArchitecture: amd64\nVersion: 9.9\n"))
	ubuntu := filepath.Join(lists, "ubuntu-mirror.example_ubuntu_dists_noble-security_")
	writeFile(t, ubuntu+"Release", []byte("Origin: Ubuntu\nLabel: Ubuntu\nSuite: noble-security\nCodename: noble\nDate: Thu, 19 Nov 2026 10:00:00 UTC\n"))
	writeFile(t, ubuntu+"Release.gpg", []byte("sig"))
	writeFile(t, ubuntu+"main_binary-amd64_Packages", []byte("Package: openssl\nArchitecture: amd64\nVersion: 3.0.13-0ubuntu3.6\n"))
	writeFile(t, filepath.Join(lists, "lock"), nil)
	if err := os.Mkdir(filepath.Join(lists, "partial"), 0o700); err != nil {
		t.Fatal(err)
	}
	return lists, status
}

func TestReadAptSecurity(t *testing.T) {
	lists, status := aptFixture(t)
	got, err := readAptSecurity(context.Background(), lists, status)
	if err != nil {
		t.Fatal(err)
	}
	wantCandidates := []AptCandidate{
		{"oldstable-security", "libc6", "amd64", "2.36-9+deb12u10"},
		{"oldstable-security", "libc6", "i386", "2.36-9+deb12u10"},
		{"noble-security", "openssl", "amd64", "3.0.13-0ubuntu3.6"},
		{"oldstable-security", "openssl", "amd64", "3.0.17-1~deb12u2"},
		{"oldstable-security", "tzdata", "all", "2025b-0+deb12u1"},
	}
	if !reflect.DeepEqual(got.Candidates, wantCandidates) {
		t.Errorf("candidates %+v\nwant %+v", got.Candidates, wantCandidates)
	}
	if len(got.Releases) != 3 {
		t.Fatalf("%d releases, want 3: %+v", len(got.Releases), got.Releases)
	}
	bySuite := map[string]AptRelease{}
	for _, r := range got.Releases {
		bySuite[r.Suite] = r
	}
	ubuntu, debian, main := bySuite["noble-security"], bySuite["oldstable-security"], bySuite["oldstable"]
	if !ubuntu.Security || ubuntu.Suite != "noble-security" || len(ubuntu.Lists) != 1 || !strings.HasSuffix(ubuntu.Path, "_Release") {
		t.Errorf("ubuntu security suite %+v", ubuntu)
	}
	if main.Security || main.Lists != nil || main.Suite != "oldstable" {
		t.Errorf("main suite %+v: not a security suite, and its lists must not be read", main)
	}
	wantDebian := AptRelease{Origin: "Debian", Label: "Debian-Security", Suite: "oldstable-security", Codename: "bookworm-security",
		Date: "Wed, 20 May 2026 16:28:12 UTC", ValidUntil: "Wed, 27 May 2026 16:28:12 UTC", Security: true}
	if d := debian; d.Origin != wantDebian.Origin || d.Label != wantDebian.Label || d.Suite != wantDebian.Suite || d.Codename != wantDebian.Codename ||
		d.Date != wantDebian.Date || d.ValidUntil != wantDebian.ValidUntil || !d.Security || d.Modified.IsZero() || d.Error != nil {
		t.Errorf("debian security suite %+v", d)
	}
	var read, unreadable []string
	for _, l := range debian.Lists {
		name := strings.TrimPrefix(filepath.Base(l.Path), "mirror.example_debian-security_dists_bookworm-security_")
		if l.Error != nil {
			unreadable = append(unreadable, name+" "+string(l.Error.Class))
			if !strings.Contains(l.Error.Detail, ".xz") {
				t.Errorf("%s: %s does not name the compression", name, l.Error.Detail)
			}
			continue
		}
		read = append(read, name)
	}
	if want := []string{"main_binary-amd64_Packages", "main_binary-i386_Packages.gz", "non-free_binary-amd64_Packages.lz4"}; !reflect.DeepEqual(read, want) {
		t.Errorf("lists read %q, want %q", read, want)
	}
	if want := []string{"contrib_binary-amd64_Packages.xz other"}; !reflect.DeepEqual(unreadable, want) {
		t.Errorf("unreadable lists %q, want %q", unreadable, want)
	}
	for _, l := range debian.Lists {
		if strings.HasSuffix(l.Path, "_main_binary-amd64_Packages") && l.Packages != 3 {
			t.Errorf("main list: %d packages counted, want 3", l.Packages)
		}
	}
}

func TestReadAptSecurityErrors(t *testing.T) {
	lists, status := aptFixture(t)
	ctx := context.Background()
	if _, err := readAptSecurity(ctx, filepath.Join(lists, "missing"), status); classify(err, 0).Class != NotFound {
		t.Errorf("missing lists directory: %v, want not_found", err)
	}
	if _, err := readAptSecurity(ctx, lists, status+"-missing"); classify(err, 0).Class != NotFound {
		t.Errorf("missing dpkg status: %v, want not_found", err)
	}
	corrupt := filepath.Join(lists, "mirror.example_debian-security_dists_bookworm-security_main_binary-amd64_Packages")
	writeFile(t, corrupt+".gz", []byte("not gzip"))
	got, err := readAptSecurity(ctx, lists, status)
	if err != nil {
		t.Fatal(err)
	}
	corrupted := 0
	for _, l := range slices.Concat(got.Releases[0].Lists, got.Releases[1].Lists, got.Releases[2].Lists) {
		if l.Path == corrupt+".gz" {
			corrupted++
			if l.Error == nil || l.Error.Class != Other {
				t.Errorf("a corrupt gzip list: %+v, want an other error", l)
			}
		}
	}
	if corrupted != 1 {
		t.Errorf("the corrupt list was read %d times, want once", corrupted)
	}
	if os.Geteuid() == 0 {
		t.Skip("root reads unreadable files")
	}
	if err := os.Chmod(lists, 0); err != nil {
		t.Fatal(err)
	}
	defer os.Chmod(lists, 0o755)
	if _, err := readAptSecurity(ctx, lists, status); classify(err, 0).Class != AccessDenied {
		t.Errorf("unreadable lists directory: %v, want access_denied", err)
	}
}

// TestReadDebPackagesLive compares the reader with dpkg-query on this
// machine, where dpkg exists.
func TestReadDebPackagesLive(t *testing.T) {
	out, err := exec.Command("dpkg-query", "-W", "-f", "${db:Status-Status} ${Package}:${Architecture} ${Version}\n").Output()
	if err != nil {
		t.Skipf("dpkg-query: %v", err)
	}
	var want []string
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		status, pkg, _ := strings.Cut(line, " ")
		if status != "not-installed" && status != "config-files" {
			want = append(want, pkg)
		}
	}
	got, err := readDebPackages(dpkgStatusPath)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, p := range got {
		seen[p.Name+":"+p.Arch+" "+p.Version] = true
	}
	for _, w := range want {
		if !seen[w] {
			t.Errorf("dpkg-query lists %s; the reader does not", w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("the reader found %d packages, dpkg-query %d", len(got), len(want))
	}
}

func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func gzipped(t *testing.T, s string) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	if _, err := w.Write([]byte(s)); err != nil || w.Close() != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func lz4ed(t *testing.T, s string) []byte {
	var b bytes.Buffer
	w := lz4.NewWriter(&b)
	if _, err := w.Write([]byte(s)); err != nil || w.Close() != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
