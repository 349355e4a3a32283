package standards

import (
	"fmt"
	"strings"
)

// LinuxReleaseFile is the lifecycle table of Linux distribution releases.
type LinuxReleaseFile struct {
	Provenance
	Releases []LinuxRelease `json:"releases"`
}

// LinuxRelease is one distribution release. End is the last day of free
// security support from the distribution itself (Debian LTS included);
// Extended names paid support beyond it, which a scan cannot see.
type LinuxRelease struct {
	ID          string `json:"id"`
	Version     string `json:"version"`
	Name        string `json:"name"`
	Released    Date   `json:"released"`
	SecurityEnd *Date  `json:"security_end,omitempty"`
	End         Date   `json:"end"`
	Extended    string `json:"extended,omitempty"`
	Note        string `json:"note,omitempty"`
}

// Release finds a release by /etc/os-release ID and VERSION_ID. Point
// releases match their major version where the table lists only majors
// (RHEL "9.4" is "9"); Ubuntu versions match exactly.
func (f *LinuxReleaseFile) Release(id, versionID string) (LinuxRelease, bool) {
	for _, candidate := range []string{versionID, strings.SplitN(versionID, ".", 2)[0]} {
		for _, r := range f.Releases {
			if r.ID == id && r.Version == candidate {
				return r, true
			}
		}
	}
	return LinuxRelease{}, false
}

func (f *LinuxReleaseFile) validate() error {
	seen := map[string]bool{}
	for _, r := range f.Releases {
		if r.ID == "" || r.Version == "" || r.Name == "" {
			return fmt.Errorf("release %q needs an id, a version and a name", r.Key())
		}
		if seen[r.Key()] {
			return fmt.Errorf("release %s is listed twice", r.Key())
		}
		seen[r.Key()] = true
		if err := checkDates("release "+r.Name, r.Released, r.End); err != nil {
			return err
		}
		if r.End.Before(r.Released.Time) {
			return fmt.Errorf("release %s ends (%s) before it was released (%s)", r.Name, r.End, r.Released)
		}
	}
	return nil
}
