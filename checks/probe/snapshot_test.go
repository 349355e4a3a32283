package probe

import (
	"context"
	"strings"
	"testing"
)

const validSnapshot = `{
  "schema_version": 1,
  "tool": "test",
  "collected_at": "2026-11-23T10:00:00Z",
  "host": {"hostname": "pc", "os": "windows", "platform": "", "platform_family": "", "platform_version": "", "kernel_version": "", "kernel_arch": ""},
  "observations": [
    {"key": "file:/etc/hosts", "kind": "file", "query": "/etc/hosts", "value": "127.0.0.1 localhost"},
    {"key": "file:/etc/shadow", "kind": "file", "query": "/etc/shadow", "error": {"class": "access_denied", "detail": "no"}}
  ]
}`

func TestReadSnapshot(t *testing.T) {
	s, err := ReadSnapshot(strings.NewReader(validSnapshot))
	if err != nil {
		t.Fatal(err)
	}
	r := NewReplay(s)
	ctx := context.Background()
	rec := NewRecorder(ctx, r, 0)
	if text, err := rec.Observe(FileContents("/etc/hosts")).Text(); err != nil || text != "127.0.0.1 localhost" {
		t.Errorf("replayed value %q, %v", text, err)
	}
	if o := rec.Observe(FileContents("/etc/shadow")); !o.Is(AccessDenied) {
		t.Errorf("replayed error %+v", o.Error)
	}
	if o := rec.Observe(FileContents("/etc/passwd")); !o.Is(NotRecorded) {
		t.Errorf("unrecorded probe %+v, want not_recorded", o.Error)
	}
}

func TestReadSnapshotRejects(t *testing.T) {
	tests := []struct{ name, body, want string }{
		{"truncated", validSnapshot[:len(validSnapshot)/2], "truncated"},
		{"not json", "hello", "not a dspt-audit snapshot"},
		{"wrong version", strings.Replace(validSnapshot, `"schema_version": 1`, `"schema_version": 99`, 1), "schema version 99 is not supported"},
		{"no version", `{"tool":"x"}`, "no schema_version"},
		{"unknown field", strings.Replace(validSnapshot, `"tool": "test",`, `"tool": "test", "extra": true,`, 1), `unknown field "extra"`},
		{"value and error", strings.Replace(validSnapshot, `"value": "127.0.0.1 localhost"`, `"value": "x", "error": {"class":"other","detail":"d"}`, 1), "exactly one of value or error"},
		{"no time", strings.Replace(validSnapshot, `"collected_at": "2026-11-23T10:00:00Z",`, ``, 1), "no collected_at"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadSnapshot(strings.NewReader(tt.body))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one containing %q", err, tt.want)
			}
			if err != nil && strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans lines: %q", err)
			}
		})
	}
}
