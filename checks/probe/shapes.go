package probe

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// The shapes of the values the newer probe kinds return. They are part of
// the snapshot format: a field renamed here breaks recorded snapshots.

// RegKey is one key a RegistryKeysMatching probe found, with the values
// asked for that exist under it.
type RegKey struct {
	Path   string              `json:"path"`
	Values map[string]RegValue `json:"values,omitempty"`
}

// Int returns a DWORD/QWORD value, or a number written as REG_SZ.
func (k RegKey) Int(name string) (uint64, bool) {
	v, ok := k.Values[name]
	if !ok {
		return 0, false
	}
	n, err := Observation{Kind: Registry, Value: mustJSON(v)}.RegInt()
	return n, err == nil
}

// String returns a REG_SZ or REG_EXPAND_SZ value.
func (k RegKey) String(name string) (string, bool) {
	v, ok := k.Values[name]
	if !ok {
		return "", false
	}
	s, err := Observation{Kind: Registry, Value: mustJSON(v)}.RegString()
	return s, err == nil
}

func mustJSON(v any) json.RawMessage {
	b, _ := json.Marshal(v) // RegValue always encodes
	return b
}

// FileEntry is one file a Files probe found.
type FileEntry struct {
	Path     string    `json:"path"`
	Dir      bool      `json:"dir,omitempty"`
	Size     int64     `json:"size"`
	Modified time.Time `json:"modified"`
	// Contents is set for regular files when contents were asked for.
	Contents *string `json:"contents,omitempty"`
	// Unreadable says why the contents could not be read.
	Unreadable string `json:"unreadable,omitempty"`
}

// Socket is one listening socket.
type Socket struct {
	Address string `json:"address"`
	Port    uint32 `json:"port"`
	PID     int32  `json:"pid,omitempty"`
	// Process is the owning process's name; empty when it could not be
	// read (another user's process without root or admin rights).
	Process string `json:"process,omitempty"`
}

// PasswordPolicy is the local account policy (NetUserModalsGet levels 0 and 3).
type PasswordPolicy struct {
	MinLength        uint32 `json:"min_length"`
	MaxAgeDays       uint32 `json:"max_age_days"` // 0 when passwords never expire
	HistoryLength    uint32 `json:"history_length"`
	LockoutThreshold uint32 `json:"lockout_threshold"` // 0 = never lock out
	LockoutMinutes   uint32 `json:"lockout_minutes"`
	WindowMinutes    uint32 `json:"observation_window_minutes"`
}

// GroupMember is a member of a local group, by SID; the name is empty when
// the SID does not resolve (Entra ID S-1-12-1-… members, deleted accounts).
type GroupMember struct {
	SID    string `json:"sid"`
	Name   string `json:"name,omitempty"`
	Domain string `json:"domain,omitempty"`
}

// LocalGroup is a local group, found by SID, and its members.
type LocalGroup struct {
	SID     string        `json:"sid"`
	Name    string        `json:"name"`
	Members []GroupMember `json:"members"`
}

// AuditSetting is one advanced audit policy subcategory's setting.
type AuditSetting struct {
	GUID    string `json:"guid"`
	Success bool   `json:"success"`
	Failure bool   `json:"failure"`
}

// Decode unmarshals a successful observation into v.
func (o Observation) Decode(v any) error {
	if o.Error != nil {
		return o.Error
	}
	if err := json.Unmarshal(o.Value, v); err != nil {
		return fmt.Errorf("%s: %w", o.Query, err)
	}
	return nil
}

// DebPackage is one package dpkg has installed.
type DebPackage struct {
	Name    string `json:"name"`
	Arch    string `json:"arch"`
	Version string `json:"version"`
}

// AptSecurityLists is what apt's lists say about security updates: every
// Release file, and the versions the security suites offer of installed
// packages.
type AptSecurityLists struct {
	Releases   []AptRelease   `json:"releases"`
	Candidates []AptCandidate `json:"candidates"`
}

// AptRelease is one suite's Release or InRelease file.
type AptRelease struct {
	Path     string    `json:"path"`
	Modified time.Time `json:"modified"`
	Origin   string    `json:"origin,omitempty"`
	Label    string    `json:"label,omitempty"`
	Suite    string    `json:"suite,omitempty"`
	Codename string    `json:"codename,omitempty"`
	// Date and ValidUntil are as the file writes them (RFC 1123, UTC).
	Date       string `json:"date,omitempty"`
	ValidUntil string `json:"valid_until,omitempty"`
	// Security says the suite is a security suite (Suite or Codename
	// ending in -security, or Label Debian-Security); only these are read.
	Security bool `json:"security"`
	// Lists are the suite's Packages lists, read when Security is set.
	Lists []AptList `json:"lists,omitempty"`
	// Error says why the file could not be read; its suite is then unknown.
	Error *Error `json:"error,omitempty"`
}

// AptList is one Packages list of a security suite.
type AptList struct {
	Path     string    `json:"path"`
	Size     int64     `json:"size"`
	Modified time.Time `json:"modified"`
	// Packages is how many entries the list holds.
	Packages int `json:"packages"`
	// Error says why the list could not be read, such as a compression
	// this tool does not read; its candidates are then missing.
	Error *Error `json:"error,omitempty"`
}

// AptCandidate is a version a security suite offers of an installed
// package's name.
type AptCandidate struct {
	Suite   string `json:"suite"`
	Name    string `json:"name"`
	Arch    string `json:"arch"`
	Version string `json:"version"`
}

func describePackages(pkgs []DebPackage) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d installed packages:", len(pkgs))
	for _, p := range pkgs {
		fmt.Fprintf(&b, " %s:%s %s,", p.Name, p.Arch, p.Version)
	}
	return abbreviate(strings.TrimSuffix(b.String(), ","))
}

func (a AptSecurityLists) describe() string {
	var suites []string
	for _, r := range a.Releases {
		switch {
		case r.Error != nil:
			suites = append(suites, fmt.Sprintf("%s (%s)", r.Path, r.Error.Class))
		case r.Security:
			n, unread := 0, 0
			for _, l := range r.Lists {
				n += l.Packages
				if l.Error != nil {
					unread++
				}
			}
			s := fmt.Sprintf("%s (%d lists, %d packages, dated %s", r.Suite, len(r.Lists), n, r.Date)
			if unread > 0 {
				s += fmt.Sprintf(", %d unreadable", unread)
			}
			suites = append(suites, s+")")
		}
	}
	if len(suites) == 0 {
		suites = []string{"none"}
	}
	return abbreviate(fmt.Sprintf("%d suites; security suites: %s; %d versions of installed packages in them",
		len(a.Releases), strings.Join(suites, ", "), len(a.Candidates)))
}

// WindowsUpdateAgent is what the Windows Update Agent says of this machine
// (COM: Microsoft.Update.AutoUpdate and Microsoft.Update.Session, searching
// its cached catalogue without going online).
type WindowsUpdateAgent struct {
	// LastSearchSuccess and LastInstallSuccess are Automatic Updates' last
	// successful search and installation, in UTC; nil when it has none.
	LastSearchSuccess  *time.Time `json:"last_search_success,omitempty"`
	LastInstallSuccess *time.Time `json:"last_install_success,omitempty"`
	// ResultsError says why the two dates could not be read.
	ResultsError string `json:"results_error,omitempty"`
	// Missing are the software updates the agent lists as applicable, not
	// installed and not hidden.
	Missing []WUAUpdate `json:"missing"`
	// LastSecurityInstall is the newest successful installation of a
	// Security Updates update among the HistoryRead newest history entries.
	LastSecurityInstall *WUAHistoryEntry `json:"last_security_install,omitempty"`
	HistoryRead         int              `json:"history_read"`
	// HistoryError says why the history could not be read.
	HistoryError string `json:"history_error,omitempty"`
}

// WUAUpdate is one update the agent lists. Title is display text in the
// machine's language; the category IDs decide what kind of update it is.
type WUAUpdate struct {
	Title      string        `json:"title"`
	KBs        []string      `json:"kbs,omitempty"` // KBArticleIDs: "5066791", without "KB"
	Severity   string        `json:"msrc_severity,omitempty"`
	Categories []WUACategory `json:"categories"`
	// Released is LastDeploymentChangeTime: when the update was last
	// published, in UTC.
	Released *time.Time `json:"released,omitempty"`
}

// WUACategory is an update classification or product: a GUID that is the
// same in every language, and its name in this machine's.
type WUACategory struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
}

// WUAHistoryEntry is one entry of the agent's update history.
type WUAHistoryEntry struct {
	Date       time.Time     `json:"date"`
	Title      string        `json:"title"`
	UpdateID   string        `json:"update_id,omitempty"`
	Categories []WUACategory `json:"categories,omitempty"`
}

// Update classification GUIDs, the same in every language (WSUS
// classification IDs).
const (
	WUASecurityUpdates = "0FA1201D-4330-4FA8-8AE9-B877473B6441"
	WUACriticalUpdates = "E6CF1350-C01B-414D-A61F-263D14D133B4"
	WUAUpdateRollups   = "28BC880E-0592-4CBF-8F95-C79B17911D5F"
)

// In reports whether the update is in the classification with that GUID.
func (u WUAUpdate) In(classification string) bool { return inCategory(u.Categories, classification) }

// In reports whether the entry is in the classification with that GUID.
func (h WUAHistoryEntry) In(classification string) bool {
	return inCategory(h.Categories, classification)
}

func inCategory(cats []WUACategory, id string) bool {
	for _, c := range cats {
		if strings.EqualFold(strings.Trim(c.ID, "{}"), id) {
			return true
		}
	}
	return false
}
