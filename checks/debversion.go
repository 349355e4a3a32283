package checks

import (
	"errors"
	"strings"
)

// debVersion is a Debian package version split as deb-version(7) says:
// [epoch:]upstream_version[-debian_revision].
type debVersion struct {
	epoch    int64
	upstream string
	revision string
}

// maxEpoch is dpkg's limit (INT_MAX).
const maxEpoch = 1<<31 - 1

// parseDebVersion splits a version the way dpkg's parseversion does. It
// fails where dpkg fails (an empty or spaced version, a bad epoch, an empty
// revision or upstream part) and accepts what dpkg only warns about (a
// version not starting with a digit, odd characters), because dpkg
// --compare-versions compares those too. Control bytes are refused: dpkg's
// databases cannot hold them, so one is never a real version.
func parseDebVersion(s string) (debVersion, error) {
	s = strings.Trim(s, " \t")
	switch {
	case s == "":
		return debVersion{}, errors.New("version string is empty")
	case strings.ContainsAny(s, " \t"):
		return debVersion{}, errors.New("version string has embedded spaces")
	case strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		return debVersion{}, errors.New("version string has control characters")
	}
	var v debVersion
	if head, rest, ok := strings.Cut(s, ":"); ok {
		epoch, err := parseEpoch(head)
		if err != nil {
			return debVersion{}, err
		}
		if rest == "" {
			return debVersion{}, errors.New("nothing after colon in version number")
		}
		v.epoch, s = epoch, rest
	}
	v.upstream = s
	if i := strings.LastIndexByte(s, '-'); i >= 0 {
		v.upstream, v.revision = s[:i], s[i+1:]
		if v.revision == "" {
			return debVersion{}, errors.New("revision number is empty")
		}
	}
	if v.upstream == "" {
		return debVersion{}, errors.New("version number is empty")
	}
	return v, nil
}

// parseEpoch reads the part before the first colon as dpkg does, with
// C's strtol: an optional sign, then decimal digits and nothing else.
func parseEpoch(head string) (int64, error) {
	digits := strings.TrimPrefix(strings.TrimPrefix(head, "+"), "-")
	if len(head)-len(digits) > 1 {
		digits = head[1:]
	}
	run := 0
	for run < len(digits) && isDigit(digits[run]) {
		run++
	}
	switch {
	case run == 0:
		return 0, errors.New("epoch in version is empty")
	case run < len(digits):
		return 0, errors.New("epoch in version is not number")
	}
	var n int64
	for _, c := range []byte(digits) {
		if n <= maxEpoch {
			n = n*10 + int64(c-'0')
		}
	}
	switch {
	case head[0] == '-' && n != 0:
		return 0, errors.New("epoch in version is negative")
	case n > maxEpoch:
		return 0, errors.New("epoch in version is too big")
	}
	return n, nil
}

// compare orders two versions as dpkg does: -1, 0 or +1.
func (v debVersion) compare(w debVersion) int {
	switch {
	case v.epoch > w.epoch:
		return 1
	case v.epoch < w.epoch:
		return -1
	}
	if c := verrevcmp(v.upstream, w.upstream); c != 0 {
		return sign(c)
	}
	return sign(verrevcmp(v.revision, w.revision))
}

// compareDebVersions orders two version strings as dpkg --compare-versions
// does, or fails when either is not a version dpkg accepts.
func compareDebVersions(a, b string) (int, error) {
	va, err := parseDebVersion(a)
	if err != nil {
		return 0, err
	}
	vb, err := parseDebVersion(b)
	if err != nil {
		return 0, err
	}
	return va.compare(vb), nil
}

// verrevcmp is dpkg's comparison of an upstream version or revision:
// alternate runs of non-digits, compared character by character with
// order, and runs of digits, compared as numbers.
func verrevcmp(a, b string) int {
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		for i < len(a) && !isDigit(a[i]) || j < len(b) && !isDigit(b[j]) {
			ac, bc := order(byteAt(a, i)), order(byteAt(b, j))
			if ac != bc {
				return ac - bc
			}
			i, j = i+1, j+1
		}
		for i < len(a) && a[i] == '0' {
			i++
		}
		for j < len(b) && b[j] == '0' {
			j++
		}
		firstDiff := 0
		for i < len(a) && j < len(b) && isDigit(a[i]) && isDigit(b[j]) {
			if firstDiff == 0 {
				firstDiff = int(a[i]) - int(b[j])
			}
			i, j = i+1, j+1
		}
		if i < len(a) && isDigit(a[i]) {
			return 1
		}
		if j < len(b) && isDigit(b[j]) {
			return -1
		}
		if firstDiff != 0 {
			return firstDiff
		}
	}
	return 0
}

// order is the weight of a character outside a run of digits: `~` before
// the end of the string, letters next, then everything else. Bytes above
// 0x7f weigh as a signed C char does on amd64 (dpkg's own build).
func order(c byte) int {
	switch {
	case c == 0 || isDigit(c):
		return 0
	case 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z':
		return int(c)
	case c == '~':
		return -1
	}
	return int(int8(c)) + 256
}

func byteAt(s string, i int) byte {
	if i < len(s) {
		return s[i]
	}
	return 0
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func sign(n int) int {
	switch {
	case n > 0:
		return 1
	case n < 0:
		return -1
	}
	return 0
}
