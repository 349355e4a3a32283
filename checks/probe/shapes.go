package probe

import (
	"encoding/json"
	"fmt"
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
