package probe

import (
	"bufio"
	"bytes"
	"cmp"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/pierrec/lz4/v4"
)

// Where dpkg and apt keep their state.
const (
	dpkgStatusPath = "/var/lib/dpkg/status"
	aptListsDir    = "/var/lib/apt/lists"
)

// Bounds on what a package database makes this tool read. A large desktop's
// dpkg status is about 10 MB with 5,000 packages; Ubuntu's largest security
// list is about 100 MB decompressed.
const (
	maxStatusBytes = 256 << 20
	maxListBytes   = 1 << 30
	maxHeaderBytes = 1 << 20
	maxReleases    = 512
	maxPackages    = 200_000
	maxFieldBytes  = 512
)

// readDebPackages reads the packages whose files dpkg has put on disk:
// every Status but not-installed and config-files (a held or half-configured
// package is as vulnerable as an installed one).
func readDebPackages(statusPath string) ([]DebPackage, error) {
	f, err := os.Open(statusPath)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if info, err := f.Stat(); err == nil && info.Size() > maxStatusBytes {
		return nil, Errorf(Other, "%s is %d bytes, more than the %d this tool reads", statusPath, info.Size(), maxStatusBytes)
	}
	out := []DebPackage{}
	err = readStanzas(f, maxStatusBytes, []string{"Package", "Architecture", "Version", "Status"}, func(v []string) error {
		if !onDisk(v[3]) {
			return nil
		}
		if v[0] == "" || v[2] == "" {
			return fmt.Errorf("an installed package with no name or version")
		}
		if len(out) == maxPackages {
			return fmt.Errorf("more than %d installed packages", maxPackages)
		}
		out = append(out, DebPackage{Name: v[0], Arch: v[1], Version: v[2]})
		return nil
	})
	if err != nil {
		return nil, Errorf(Other, "%s: %v", statusPath, err)
	}
	slices.SortFunc(out, func(a, b DebPackage) int {
		return cmp.Or(strings.Compare(a.Name, b.Name), strings.Compare(a.Arch, b.Arch))
	})
	return out, nil
}

// onDisk reads dpkg's "want flag status" triple.
func onDisk(status string) bool {
	f := strings.Fields(status)
	return len(f) == 3 && f[2] != "not-installed" && f[2] != "config-files"
}

// readAptSecurity reads every Release file in listsDir and, for the
// security suites, the versions their Packages lists offer of the packages
// in dpkg's status file.
func readAptSecurity(ctx context.Context, listsDir, statusPath string) (AptSecurityLists, error) {
	installed, err := readDebPackages(statusPath)
	if err != nil {
		return AptSecurityLists{}, err
	}
	names := make(map[string]bool, len(installed))
	for _, p := range installed {
		names[p.Name] = true
	}
	entries, err := os.ReadDir(listsDir)
	if err != nil {
		return AptSecurityLists{}, err
	}
	out := AptSecurityLists{Releases: []AptRelease{}, Candidates: []AptCandidate{}}
	seen := map[AptCandidate]bool{}
	for _, prefix := range releasePrefixes(entries) {
		if len(out.Releases) == maxReleases {
			return AptSecurityLists{}, Errorf(Other, "%s holds more than %d Release files", listsDir, maxReleases)
		}
		rel := readRelease(filepath.Join(listsDir, prefix.file))
		if rel.Security {
			for _, name := range packagesLists(entries, prefix.prefix) {
				if err := ctx.Err(); err != nil {
					return AptSecurityLists{}, err
				}
				list, found := readPackagesList(filepath.Join(listsDir, name), names)
				rel.Lists = append(rel.Lists, list)
				for _, c := range found {
					c.Suite = rel.Suite
					if !seen[c] && len(seen) < maxPackages {
						seen[c] = true
						out.Candidates = append(out.Candidates, c)
					}
				}
			}
		}
		out.Releases = append(out.Releases, rel)
	}
	slices.SortFunc(out.Candidates, func(a, b AptCandidate) int {
		return cmp.Or(strings.Compare(a.Name, b.Name), strings.Compare(a.Arch, b.Arch), strings.Compare(a.Suite, b.Suite), strings.Compare(a.Version, b.Version))
	})
	return out, nil
}

type releaseFile struct{ file, prefix string }

// releasePrefixes finds each suite's InRelease file, or its Release file
// where it has no InRelease, with the prefix its lists share.
func releasePrefixes(entries []os.DirEntry) []releaseFile {
	var out []releaseFile
	have := map[string]bool{}
	for _, suffix := range []string{"_InRelease", "_Release"} {
		for _, e := range entries {
			prefix, ok := strings.CutSuffix(e.Name(), suffix)
			if ok && e.Type().IsRegular() && !have[prefix] {
				have[prefix] = true
				out = append(out, releaseFile{e.Name(), prefix + "_"})
			}
		}
	}
	slices.SortFunc(out, func(a, b releaseFile) int { return strings.Compare(a.file, b.file) })
	return out
}

// listName matches what follows a suite's prefix in a Packages list's file
// name: COMPONENT_binary-ARCH_Packages, or Packages for a flat repository,
// with apt's compression suffix if it keeps the list compressed.
var listName = regexp.MustCompile(`^(?:[^_]+_binary-[^_]+_)?Packages(\.[a-z0-9]+)?$`)

func packagesLists(entries []os.DirEntry, prefix string) []string {
	var out []string
	for _, e := range entries {
		if rest, ok := strings.CutPrefix(e.Name(), prefix); ok && listName.MatchString(rest) && !e.IsDir() {
			out = append(out, e.Name())
		}
	}
	return out
}

// readRelease reads a Release file's identifying fields, which come before
// its checksums.
func readRelease(path string) AptRelease {
	rel := AptRelease{Path: path}
	if err := readReleaseFields(&rel); err != nil {
		rel.Error = classify(err, 0)
	}
	rel.Security = strings.HasSuffix(strings.ToLower(rel.Suite), "-security") ||
		strings.HasSuffix(strings.ToLower(rel.Codename), "-security") ||
		strings.EqualFold(rel.Label, "Debian-Security")
	return rel
}

func readReleaseFields(rel *AptRelease) error {
	f, err := os.Open(rel.Path)
	if err != nil {
		return err
	}
	defer f.Close()
	if info, err := f.Stat(); err == nil {
		rel.Modified = info.ModTime().UTC()
	}
	fields := map[string]*string{"Origin": &rel.Origin, "Label": &rel.Label, "Suite": &rel.Suite, "Codename": &rel.Codename, "Date": &rel.Date, "Valid-Until": &rel.ValidUntil}
	br := bufio.NewReader(io.LimitReader(skipSignedHeader(f), maxHeaderBytes))
	for {
		line, err := br.ReadString('\n')
		line = strings.TrimRight(line, "\r\n")
		if line == "" && err == nil {
			return nil
		}
		name, value, ok := strings.Cut(line, ":")
		switch {
		case !ok || strings.HasPrefix(line, " "):
		case name == "MD5Sum" || strings.HasPrefix(name, "SHA"):
			return nil // the checksums follow the identifying fields
		case fields[name] != nil:
			if value = strings.TrimSpace(value); len(value) > maxFieldBytes {
				return fmt.Errorf("%s: a %s field longer than %d bytes", rel.Path, name, maxFieldBytes)
			}
			*fields[name] = value
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// skipSignedHeader drops an InRelease file's armour header, up to and
// including the blank line after it.
func skipSignedHeader(r io.Reader) io.Reader {
	br := bufio.NewReader(r)
	if first, _ := br.Peek(34); !bytes.HasPrefix(first, []byte("-----BEGIN PGP SIGNED MESSAGE-----")) {
		return br
	}
	for {
		line, err := br.ReadSlice('\n')
		if err != nil || len(bytes.TrimSpace(line)) == 0 {
			return br
		}
	}
}

// readPackagesList reads the entries of one Packages list whose name is in
// names.
func readPackagesList(path string, names map[string]bool) (AptList, []AptCandidate) {
	list := AptList{Path: path}
	var found []AptCandidate
	err := func() error {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		if info, err := f.Stat(); err == nil {
			list.Size, list.Modified = info.Size(), info.ModTime().UTC()
		}
		base := filepath.Base(path)
		r, err := decompress(f, base[strings.LastIndex(base, "Packages")+len("Packages"):])
		if err != nil {
			return err
		}
		return readStanzas(r, maxListBytes, []string{"Package", "Architecture", "Version"}, func(v []string) error {
			list.Packages++
			if names[v[0]] && v[2] != "" {
				found = append(found, AptCandidate{Name: v[0], Arch: v[1], Version: v[2]})
			}
			return nil
		})
	}()
	if err != nil {
		list.Error = classify(err, 0)
		return list, nil
	}
	return list, found
}

// decompress reads a list as apt keeps it: plain, or compressed when
// Acquire::GzipIndexes is set (gzip, or lz4 as Debian's and Ubuntu's
// container images keep them).
func decompress(r io.Reader, ext string) (io.Reader, error) {
	switch ext {
	case "":
		return r, nil
	case ".gz":
		return gzip.NewReader(r)
	case ".lz4":
		return lz4.NewReader(r), nil
	}
	return nil, Errorf(Other, "the list is compressed as %s, which dspt-audit does not read (it reads plain, .gz and .lz4 lists)", ext)
}

// readStanzas calls fn with the values of the wanted fields of each deb822
// stanza in r, reading at most limit bytes; fn's error stops it. Lines
// longer than the buffer (long descriptions, file lists) are skipped,
// unless they hold a wanted field.
func readStanzas(r io.Reader, limit int64, want []string, fn func([]string) error) error {
	lr := &io.LimitedReader{R: r, N: limit + 1}
	br := bufio.NewReaderSize(lr, 64<<10)
	values := make([]string, len(want))
	filled := false
	flush := func() error {
		if !filled {
			return nil
		}
		filled = false
		err := fn(values)
		clear(values)
		return err
	}
	for {
		line, err := br.ReadSlice('\n')
		if lr.N <= 0 {
			return fmt.Errorf("more than %d bytes", limit)
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			if i := wantedField(line, want); i >= 0 {
				return fmt.Errorf("a %s field longer than %d bytes", want[i], br.Size())
			}
			for errors.Is(err, bufio.ErrBufferFull) {
				_, err = br.ReadSlice('\n')
			}
			if err == nil {
				continue
			}
			line = nil
		}
		if err != nil && err != io.EOF {
			return err
		}
		line = bytes.TrimRight(line, "\r\n")
		switch i := wantedField(line, want); {
		case len(line) == 0 && err == nil:
			if ferr := flush(); ferr != nil {
				return ferr
			}
		case i >= 0:
			value := bytes.TrimSpace(line[len(want[i])+1:])
			if len(value) > maxFieldBytes {
				return fmt.Errorf("a %s field longer than %d bytes", want[i], maxFieldBytes)
			}
			values[i], filled = string(value), true
		}
		if err == io.EOF {
			return flush()
		}
	}
}

// wantedField is the index in want of the field line starts, or -1.
func wantedField(line []byte, want []string) int {
	for i, name := range want {
		if len(line) > len(name) && line[len(name)] == ':' && string(line[:len(name)]) == name {
			return i
		}
	}
	return -1
}
