package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// ocsfSchema is the part of the OCSF 1.3.0 schema the events must meet;
// testdata/ocsf/compliance_finding-1.3.0.json says where each fact is from.
type ocsfSchema struct {
	Required          map[string][]string          `json:"required"`
	Recommended       map[string][]string          `json:"recommended"`
	Enums             map[string]map[string]string `json:"enums"`
	Captions          map[string]string            `json:"captions"`
	ProfileAttributes map[string]string            `json:"profile_attributes"`
}

func loadOCSFSchema(t *testing.T) ocsfSchema {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "ocsf", "compliance_finding-1.3.0.json"))
	if err != nil {
		t.Fatal(err)
	}
	var s ocsfSchema
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	return s
}

// lookup finds a dotted path ("device.os.type_id") in a decoded event.
func lookup(event map[string]any, path string) (any, bool) {
	var v any = event
	for _, part := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = m[part]; !ok {
			return nil, false
		}
	}
	return v, true
}

func join(parent, name string) string {
	if parent == "" {
		return name
	}
	return parent + "." + name
}

// validate returns every way an event breaks the schema: a required
// attribute missing or empty (of an object that is present), an enum value
// the schema does not define, a caption that does not match its id (other
// than for 99 Other), a profile-bound attribute whose profile is undeclared.
func (s ocsfSchema) validate(event map[string]any) []string {
	var errs []string
	check := func(attrs map[string][]string, kind string) {
		for parent, names := range attrs {
			if parent != "" {
				if _, ok := lookup(event, parent); !ok {
					continue
				}
			}
			for _, name := range names {
				v, ok := lookup(event, join(parent, name))
				if !ok || v == nil || v == "" {
					errs = append(errs, fmt.Sprintf("%s attribute %s is missing", kind, join(parent, name)))
				}
			}
		}
	}
	check(s.Required, "required")
	check(s.Recommended, "recommended")
	for path, enum := range s.Enums {
		v, ok := lookup(event, path)
		if !ok {
			continue
		}
		id := fmt.Sprint(v)
		caption, known := enum[id]
		if !known {
			errs = append(errs, fmt.Sprintf("%s = %s is not in the schema's enum", path, id))
			continue
		}
		got, _ := lookup(event, s.Captions[path])
		switch {
		case s.Captions[path] == "":
		case id == "99" && (got == nil || got == "" || got == "Other"):
			errs = append(errs, fmt.Sprintf("%s = 99 (Other) but %s does not give the source's own text: %v", path, s.Captions[path], got))
		case id != "99" && got != caption:
			errs = append(errs, fmt.Sprintf("%s = %s is %q, but %s is %v", path, id, caption, s.Captions[path], got))
		}
	}
	declared, _ := lookup(event, "metadata.profiles")
	for attr, profile := range s.ProfileAttributes {
		if _, ok := lookup(event, attr); !ok {
			continue
		}
		list, _ := declared.([]any)
		if !slices.Contains(list, any(profile)) {
			errs = append(errs, fmt.Sprintf("%s belongs to the %s profile, which metadata.profiles (%v) does not declare", attr, profile, declared))
		}
	}
	return errs
}

// TestOCSFMeetsTheSchema renders every profile as OCSF and validates each
// event against the 1.3.0 schema's required attributes, enums, captions
// and profiles; device.uid must name one machine only.
func TestOCSFMeetsTheSchema(t *testing.T) {
	schema := loadOCSFSchema(t)
	files, _ := filepath.Glob(filepath.Join("..", "testdata", "profiles", "*.json"))
	if len(files) == 0 {
		t.Fatal("no profiles")
	}
	hostOf := map[string]string{}
	events, notApplicable := 0, 0
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".json")
		var buf bytes.Buffer
		if err := OCSF(&buf, buildProfile(t, name)); err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
			var event map[string]any
			if err := json.Unmarshal([]byte(line), &event); err != nil {
				t.Fatalf("%s line %d: %v", name, i+1, err)
			}
			events++
			for _, e := range schema.validate(event) {
				t.Errorf("%s event %d: %s", name, i+1, e)
			}
			if id, _ := lookup(event, "compliance.status_id"); id == float64(99) {
				notApplicable++
			}
			uid, _ := lookup(event, "device.uid")
			host, _ := lookup(event, "device.hostname")
			if uid, ok := uid.(string); ok && uid != "" {
				if other, seen := hostOf[uid]; seen && other != host {
					t.Errorf("device.uid %s names both %s and %v", uid, other, host)
				}
				hostOf[uid] = fmt.Sprint(host)
			}
		}
	}
	if notApplicable == 0 {
		t.Error("no event has compliance.status_id 99: the Other caption rule was not exercised")
	}
	t.Logf("%d events from %d profiles meet the schema", events, len(files))
}

// The validator itself must catch what it claims to: each planted breach
// is reported.
func TestOCSFValidatorCatchesBreaches(t *testing.T) {
	schema := loadOCSFSchema(t)
	var buf bytes.Buffer
	if err := OCSF(&buf, buildProfile(t, "win11-enterprise-24h2-patched", "smb1-disabled")); err != nil {
		t.Fatal(err)
	}
	fresh := func() map[string]any {
		var e map[string]any
		if err := json.Unmarshal(bytes.TrimSpace(buf.Bytes()), &e); err != nil {
			t.Fatal(err)
		}
		return e
	}
	if errs := schema.validate(fresh()); len(errs) > 0 {
		t.Fatalf("a good event fails: %v", errs)
	}
	breaches := map[string]func(map[string]any){
		"required attribute compliance.standards is missing": func(e map[string]any) { delete(e["compliance"].(map[string]any), "standards") },
		"required attribute time is missing":                 func(e map[string]any) { delete(e, "time") },
		"device belongs to the host profile":                 func(e map[string]any) { e["metadata"].(map[string]any)["profiles"] = []any{} },
		"compliance.status_id = 7 is not in":                 func(e map[string]any) { e["compliance"].(map[string]any)["status_id"] = 7 },
		"does not give the source's own text": func(e map[string]any) {
			c := e["compliance"].(map[string]any)
			c["status_id"], c["status"] = 99, "Other"
		},
		`status_id = 1 is "New", but status is`:            func(e map[string]any) { e["status"] = "Open" },
		"required attribute device.os.type_id is missing":  func(e map[string]any) { delete(e["device"].(map[string]any)["os"].(map[string]any), "type_id") },
		"recommended attribute timezone_offset is missing": func(e map[string]any) { delete(e, "timezone_offset") },
	}
	for want, breach := range breaches {
		e := fresh()
		breach(e)
		if errs := schema.validate(e); !strings.Contains(strings.Join(errs, "\n"), want) {
			t.Errorf("breach %q not reported: %v", want, errs)
		}
	}
}
