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
	Added       []Item `json:"added,omitempty"`
	Removed     []Item `json:"removed,omitempty"`
	AddedMore   int    `json:"added_more,omitempty"`
	RemovedMore int    `json:"removed_more,omitempty"`
	// Fields are the changed fields of an object.
	Fields     []FieldChange `json:"fields,omitempty"`
	FieldsMore int           `json:"fields_more,omitempty"`
}

// Item is one item of a list that appeared or went.
type Item struct {
	// Field is the list's path within the value ("members"); empty when the
	// value is the list.
	Field string `json:"field,omitempty"`
	// Value is the item as recorded, less what moves without the machine
	// changing (a socket's process ID).
	Value any `json:"value"`
	// Text is the item as a person reads it: a group member as
	// DOMAIN\name (SID), a socket as address:port (process), a program as
	// name version; compact JSON when its shape is not known.
	Text string `json:"text"`
}

// FieldChange is one changed field of an object: its path, and its value
// before and after (null where the field is missing).
type FieldChange struct {
	Field  string `json:"field"`
	Before any    `json:"before"`
	After  any    `json:"after"`
}

// Text is the field change as a person reads it: "name: before → after".
func (f FieldChange) Text() string {
	return fmt.Sprintf("%s: %s → %s", f.Field, clip(scalarText(f.Before)), clip(scalarText(f.After)))
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
			c := compareValues(e.Source, e.Query, old, now)
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
func compareValues(source probe.Kind, query, old, new string) EvidenceChange {
	var a, b any
	if decode(old, &a) && decode(new, &b) {
		shape := shapeOf(source, query)
		switch av := a.(type) {
		case []any:
			if bv, ok := b.([]any); ok {
				var c EvidenceChange
				addSetChange(&c, shape, "", av, bv)
				return c
			}
		case map[string]any:
			if bv, ok := b.(map[string]any); ok {
				var c EvidenceChange
				objectChange(&c, shape, "", av, bv)
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
func objectChange(c *EvidenceChange, shape itemShape, prefix string, a, b map[string]any) {
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
				addSetChange(c, shape, name, x, y)
				continue
			}
		case map[string]any:
			if y, ok := bv.(map[string]any); ok {
				objectChange(c, shape, name+".", x, y)
				continue
			}
		}
		if itemKey(av) != itemKey(bv) {
			if len(c.Fields) == maxItems {
				c.FieldsMore++
				continue
			}
			c.Fields = append(c.Fields, FieldChange{Field: name, Before: av, After: bv})
		}
	}
}

// addSetChange adds the items of b not in a, and of a not in b, each named
// with the list's field. A list holding an item twice counts it twice.
func addSetChange(c *EvidenceChange, shape itemShape, field string, a, b []any) {
	count := map[string]int{}
	for _, x := range a {
		count[itemKey(withoutVolatile(x))]++
	}
	var added []any
	for _, y := range b {
		y = withoutVolatile(y)
		if t := itemKey(y); count[t] > 0 {
			count[t]--
			continue
		}
		added = append(added, y)
	}
	var removed []any
	for _, x := range a { // in the old list's order
		x = withoutVolatile(x)
		if t := itemKey(x); count[t] > 0 {
			count[t]--
			removed = append(removed, x)
		}
	}
	c.Added, c.AddedMore = appendBounded(c.Added, c.AddedMore, shape, field, added)
	c.Removed, c.RemovedMore = appendBounded(c.Removed, c.RemovedMore, shape, field, removed)
}

func appendBounded(list []Item, more int, shape itemShape, field string, items []any) ([]Item, int) {
	for _, v := range items {
		if len(list) == maxItems {
			more++
			continue
		}
		list = append(list, Item{Field: field, Value: v, Text: clip(shape.text(field, v))})
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

// itemKey is a JSON value as compact JSON (object keys sorted): equal
// values have equal keys.
func itemKey(v any) string {
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
