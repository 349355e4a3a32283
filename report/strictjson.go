package report

import (
	"bytes"
	"encoding"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"sync"
)

// Unmarshal decodes b into v as json.Unmarshal does, then refuses what two
// JSON readers would read differently: a key given twice in one object, and
// a key that names a field of v only when case is ignored. encoding/json
// lets "OUTCOME" appended to a result override "outcome", while jq and a
// person still read the first. (Go 1.26's encoding/json/v2 refuses both,
// but only behind GOEXPERIMENT.)
func Unmarshal(b []byte, v any) error {
	if err := json.Unmarshal(b, v); err != nil {
		return err
	}
	return checkKeys(b, reflect.TypeOf(v))
}

// checkKeys walks valid JSON beside the Go type it decodes into.
func checkKeys(b []byte, t reflect.Type) error {
	w := keyWalker{dec: json.NewDecoder(bytes.NewReader(b))}
	return w.value(t)
}

type keyWalker struct {
	dec  *json.Decoder
	path []string // keys down to the current value, for the message
}

func (w *keyWalker) value(t reflect.Type) error {
	tok, err := w.dec.Token()
	if err != nil {
		return err
	}
	switch tok {
	case json.Delim('{'):
		return w.object(t)
	case json.Delim('['):
		elem := elemType(t)
		for w.dec.More() {
			if err := w.value(elem); err != nil {
				return err
			}
		}
		_, err = w.dec.Token()
		return err
	}
	return nil
}

func (w *keyWalker) object(t reflect.Type) error {
	t = structOrMap(t)
	var fields map[string]reflect.Type
	if t != nil && t.Kind() == reflect.Struct {
		fields = fieldsOf(t)
	}
	seen := map[string]bool{}
	for w.dec.More() {
		tok, err := w.dec.Token()
		if err != nil {
			return err
		}
		key := tok.(string)
		if seen[key] {
			return fmt.Errorf("key %q appears twice in %s: readers disagree on which counts", key, w.where())
		}
		seen[key] = true
		child, err := w.child(t, fields, key)
		if err != nil {
			return err
		}
		w.path = append(w.path, key)
		err = w.value(child)
		w.path = w.path[:len(w.path)-1]
		if err != nil {
			return err
		}
	}
	_, err := w.dec.Token()
	return err
}

// child is the type the key's value decodes into, nil when none (an
// unknown key, or a type that decodes itself); a key that matches a field
// only when case is ignored is an error.
func (w *keyWalker) child(t reflect.Type, fields map[string]reflect.Type, key string) (reflect.Type, error) {
	if t != nil && t.Kind() == reflect.Map {
		return t.Elem(), nil
	}
	if ft, ok := fields[key]; ok {
		return ft, nil
	}
	for name := range fields {
		if strings.EqualFold(name, key) {
			return nil, fmt.Errorf("key %q in %s is not %q: keys are case-sensitive", key, w.where(), name)
		}
	}
	return nil, nil
}

func (w *keyWalker) where() string {
	if len(w.path) == 0 {
		return "the top-level object"
	}
	return strings.Join(w.path, ".")
}

var (
	jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// structOrMap is t without pointers when objects decode into it field by
// field or key by key; nil otherwise (an interface, a type that decodes
// itself): then only repeated keys are looked for.
func structOrMap(t reflect.Type) reflect.Type {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || reflect.PointerTo(t).Implements(jsonUnmarshaler) || reflect.PointerTo(t).Implements(textUnmarshaler) {
		return nil
	}
	if t.Kind() == reflect.Struct || t.Kind() == reflect.Map {
		return t
	}
	return nil
}

func elemType(t reflect.Type) reflect.Type {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) && !reflect.PointerTo(t).Implements(jsonUnmarshaler) {
		return t.Elem()
	}
	return nil
}

var fieldCache sync.Map // reflect.Type -> map[string]reflect.Type

// fieldsOf maps a struct's JSON keys, as encoding/json names them, to
// their types; embedded structs' fields are promoted.
func fieldsOf(t reflect.Type) map[string]reflect.Type {
	if m, ok := fieldCache.Load(t); ok {
		return m.(map[string]reflect.Type)
	}
	m := map[string]reflect.Type{}
	addFields(m, t)
	fieldCache.Store(t, m)
	return m
}

func addFields(m map[string]reflect.Type, t reflect.Type) {
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				addFields(m, ft)
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		if _, ok := m[name]; !ok {
			m[name] = f.Type
		}
	}
}
