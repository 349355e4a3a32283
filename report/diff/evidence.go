package diff

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/nhs-dspt/dspt-audit/checks/probe"
	"github.com/nhs-dspt/dspt-audit/report"
)

// Bounds of what one evidence change shows: the rest is counted.
const (
	maxItems     = 20  // added or removed items, and changed fields, each
	maxValueText = 300 // characters of one value or item
)

// volatileFields are the fields of a listed item that change without the
// machine changing: a process ID moves on every restart, so a listening
// socket is compared by address, port and process name.
var volatileFields = []string{"pid"}

// EvidenceChange is one observation whose value differs between the
// results. A list (local group members, listening sockets, installed
// programs) is compared as a set: only the items added and removed are
// shown. An object's fields are compared one by one. Anything else is shown
// whole, before and after.
type EvidenceChange struct {
	Source probe.Kind `json:"source"`
	Query  string     `json:"query"`
	// Checks are the checks of the new result that read the observation.
	Checks []string `json:"checks"`
	// Before and After are the whole values (or errors), when the value is
	// not a list or an object on both sides.
	Before string `json:"before,omitempty"`
	After  string `json:"after,omitempty"`
	// Added and Removed are the items of a list that appeared and went,
	// at most 20 each; AddedMore and RemovedMore count the rest.
	Added       []string `json:"added,omitempty"`
	Removed     []string `json:"removed,omitempty"`
	AddedMore   int      `json:"added_more,omitempty"`
	RemovedMore int      `json:"removed_more,omitempty"`
	// Fields are the changed fields of an object, as "name: before → after".
	Fields     []string `json:"fields,omitempty"`
	FieldsMore int      `json:"fields_more,omitempty"`
}

// evidenceChanges lists the observations both sides recorded whose values
// differ, in the order the new result first reads them. One read by
// several checks is listed once.
func evidenceChanges(old, new []report.CheckResult) []EvidenceChange {
	before := map[evidenceKey]string{}
	for _, r := range old {
		for _, e := range r.Evidence {
			before[evidenceKey{e.Source, e.Query}] = valueText(e)
		}
	}
	var out []EvidenceChange
	at := map[evidenceKey]int{}
	for _, r := range new {
		for _, e := range r.Evidence {
			k := evidenceKey{e.Source, e.Query}
			if i, ok := at[k]; ok {
				if !slices.Contains(out[i].Checks, r.ID) {
					out[i].Checks = append(out[i].Checks, r.ID)
				}
				continue
			}
			old, had := before[k]
			now := valueText(e)
			if !had || old == now {
				continue
			}
			c := compareValues(old, now)
			c.Source, c.Query, c.Checks = e.Source, e.Query, []string{r.ID}
			at[k] = len(out)
			out = append(out, c)
		}
	}
	return out
}

// valueText is an observation's value, or its error as the report shows
// one.
func valueText(e report.Evidence) string {
	if e.Error != nil {
		return fmt.Sprintf("(%s) %s", e.Error.Class, e.Error.Detail)
	}
	return e.Value
}

// compareValues says how a value moved: as sets when both are JSON lists,
// field by field when both are JSON objects, else whole.
func compareValues(old, new string) EvidenceChange {
	var a, b any
	if decode(old, &a) && decode(new, &b) {
		switch av := a.(type) {
		case []any:
			if bv, ok := b.([]any); ok {
				var c EvidenceChange
				addSetChange(&c, "", av, bv)
				return c
			}
		case map[string]any:
			if bv, ok := b.(map[string]any); ok {
				var c EvidenceChange
				objectChange(&c, "", av, bv)
				if len(c.Added)+len(c.Removed)+len(c.Fields) > 0 {
					return c
				}
			}
		}
	}
	return EvidenceChange{Before: clip(old), After: clip(new)}
}

// decode reads a whole JSON value. A value the report cut short ("… (N
// more bytes)") is not one, and is compared as text.
func decode(s string, v *any) bool {
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	return d.Decode(v) == nil && !d.More()
}

// objectChange compares two objects field by field: lists as sets, nested
// objects within, other values whole.
func objectChange(c *EvidenceChange, prefix string, a, b map[string]any) {
	keys := map[string]bool{}
	for k := range a {
		keys[k] = true
	}
	for k := range b {
		keys[k] = true
	}
	names := make([]string, 0, len(keys))
	for k := range keys {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		av, bv := a[k], b[k]
		name := prefix + k
		switch x := av.(type) {
		case []any:
			if y, ok := bv.([]any); ok {
				addSetChange(c, name+": ", x, y)
				continue
			}
		case map[string]any:
			if y, ok := bv.(map[string]any); ok {
				objectChange(c, name+".", x, y)
				continue
			}
		}
		if ta, tb := itemText(av), itemText(bv); ta != tb {
			if len(c.Fields) == maxItems {
				c.FieldsMore++
				continue
			}
			c.Fields = append(c.Fields, fmt.Sprintf("%s: %s → %s", name, clip(ta), clip(tb)))
		}
	}
}

// addSetChange adds the items of b not in a, and of a not in b, each named
// with prefix. A list holding an item twice counts it twice.
func addSetChange(c *EvidenceChange, prefix string, a, b []any) {
	count := map[string]int{}
	for _, x := range a {
		count[itemText(withoutVolatile(x))]++
	}
	var added []string
	for _, y := range b {
		t := itemText(withoutVolatile(y))
		if count[t] > 0 {
			count[t]--
			continue
		}
		added = append(added, t)
	}
	var removed []string
	for _, x := range a { // in the old list's order
		t := itemText(withoutVolatile(x))
		if count[t] > 0 {
			count[t]--
			removed = append(removed, t)
		}
	}
	c.Added, c.AddedMore = appendBounded(c.Added, c.AddedMore, prefix, added)
	c.Removed, c.RemovedMore = appendBounded(c.Removed, c.RemovedMore, prefix, removed)
}

func appendBounded(list []string, more int, prefix string, items []string) ([]string, int) {
	for _, t := range items {
		if len(list) == maxItems {
			more++
			continue
		}
		list = append(list, prefix+clip(t))
	}
	return list, more
}

func withoutVolatile(v any) any {
	m, ok := v.(map[string]any)
	if !ok {
		return v
	}
	out := make(map[string]any, len(m))
	for k, x := range m {
		if !slices.Contains(volatileFields, strings.ToLower(k)) {
			out[k] = x
		}
	}
	return out
}

// itemText is a JSON value as compact JSON (object keys sorted), and a
// string as itself.
func itemText(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	if v == nil {
		return "(none)"
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if enc.Encode(v) != nil {
		return fmt.Sprint(v)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// clip bounds one value; the reader makes it harmless.
func clip(s string) string { return report.Truncate(s, maxValueText) }
