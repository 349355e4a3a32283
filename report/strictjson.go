package report

import (
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
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

// checkKeys walks valid JSON (json.Unmarshal has accepted it) beside the
// Go type it decodes into. It scans the bytes itself: json.Decoder.Token
// made reading a share several times slower.
func checkKeys(b []byte, t reflect.Type) error {
	w := keyWalker{b: b}
	return w.value(t)
}

type keyWalker struct {
	b    []byte
	i    int
	path []string // keys down to the current value, for the message
}

func (w *keyWalker) space() {
	for w.i < len(w.b) && (w.b[w.i] == ' ' || w.b[w.i] == '\t' || w.b[w.i] == '\n' || w.b[w.i] == '\r') {
		w.i++
	}
}

func (w *keyWalker) value(t reflect.Type) error {
	w.space()
	if w.i >= len(w.b) {
		return errors.New("JSON cut short")
	}
	switch w.b[w.i] {
	case '{':
		w.i++
		return w.object(t)
	case '[':
		w.i++
		elem := elemType(t)
		for {
			w.space()
			if w.i < len(w.b) && w.b[w.i] == ']' {
				w.i++
				return nil
			}
			if err := w.value(elem); err != nil {
				return err
			}
			w.space()
			if w.i < len(w.b) && w.b[w.i] == ',' {
				w.i++
			}
		}
	case '"':
		return w.skipStr()
	}
	for w.i < len(w.b) && !strings.ContainsRune(",]} \t\n\r", rune(w.b[w.i])) {
		w.i++
	}
	return nil
}

// skipStr moves past the string at w.i: a value's text needs no decoding,
// only keys do.
func (w *keyWalker) skipStr() error {
	for w.i++; w.i < len(w.b) && w.b[w.i] != '"'; w.i++ {
		if w.b[w.i] == '\\' {
			w.i++
		}
	}
	w.i++
	if w.i > len(w.b) {
		return errors.New("JSON cut short")
	}
	return nil
}

// str reads the string at w.i, as encoding/json decodes it.
func (w *keyWalker) str() (string, error) {
	start, plain := w.i, true
	for w.i++; w.i < len(w.b) && w.b[w.i] != '"'; w.i++ {
		switch {
		case w.b[w.i] == '\\':
			plain = false
			w.i++
		case w.b[w.i] >= 0x80:
			plain = false
		}
	}
	w.i++
	if w.i > len(w.b) {
		return "", errors.New("JSON cut short")
	}
	if plain {
		return string(w.b[start+1 : w.i-1]), nil
	}
	var s string
	err := json.Unmarshal(w.b[start:w.i], &s)
	return s, err
}

func (w *keyWalker) object(t reflect.Type) error {
	t = structOrMap(t)
	var fields map[string]reflect.Type
	if t != nil && t.Kind() == reflect.Struct {
		fields = fieldsOf(t)
	}
	var seen keySet
	for {
		w.space()
		if w.i >= len(w.b) {
			return errors.New("JSON cut short")
		}
		if w.b[w.i] == '}' {
			w.i++
			return nil
		}
		if w.b[w.i] == ',' {
			w.i++
			w.space()
		}
		key, err := w.str()
		if err != nil {
			return err
		}
		if !seen.add(key) {
			return fmt.Errorf("key %q appears twice in %s: readers disagree on which counts", key, w.where())
		}
		child, err := w.child(t, fields, key)
		if err != nil {
			return err
		}
		w.space()
		w.i++ // the colon
		w.path = append(w.path, key)
		err = w.value(child)
		w.path = w.path[:len(w.path)-1]
		if err != nil {
			return err
		}
	}
}

// keySet is an object's keys: a list while short, a map when long.
type keySet struct {
	list []string
	set  map[string]bool
}

func (k *keySet) add(key string) bool {
	if k.set == nil && len(k.list) < 32 {
		if slices.Contains(k.list, key) {
			return false
		}
		k.list = append(k.list, key)
		return true
	}
	if k.set == nil {
		k.set = map[string]bool{}
		for _, s := range k.list {
			k.set[s] = true
		}
	}
	if k.set[key] {
		return false
	}
	k.set[key] = true
	return true
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
