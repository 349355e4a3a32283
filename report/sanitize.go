package report

import (
	"fmt"
	"reflect"
	"strings"
	"unicode"

	"github.com/nhs-dspt/dspt-audit/standards"
)

// Sanitize shows text that came from outside the binary (a data file, a
// downloaded document, a value read from a machine) harmlessly on a terminal
// or in a log: control characters, the bidirectional overrides that can
// reorder what a reader sees and the invisible characters that can hide or
// join words become visible escapes such as \x1b or \u202e.
func Sanitize(s string) string { return escape(s, unsafeRune) }

// SanitizeLines is Sanitize keeping line breaks and tabs, for a view that
// shows a text over several lines (a cell, a paragraph).
func SanitizeLines(s string) string { return escape(s, unsafeInLines) }

func escape(s string, unsafe func(rune) bool) string {
	if !strings.ContainsFunc(s, unsafe) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case !unsafe(r):
			b.WriteRune(r)
		case r < 0x100:
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			fmt.Fprintf(&b, `\u%04x`, r)
		}
	}
	return b.String()
}

// unsafeRune is standards.UnsafeRune, an invisible character (zero-width
// spaces and joiners, the direction marks, word joiner, invisible operators,
// byte order mark), and an invalid byte too, so that no stray byte reaches
// a terminal.
func unsafeRune(r rune) bool {
	return standards.UnsafeRune(r) || r == unicode.ReplacementChar || invisible(r)
}

func invisible(r rune) bool {
	return (r >= 0x200b && r <= 0x200f) || (r >= 0x2060 && r <= 0x2064) || r == 0xfeff
}

func unsafeInLines(r rune) bool { return r != '\n' && r != '\t' && unsafeRune(r) }

// forViews is a copy of rep in which every text shows control and invisible
// characters as escapes (line breaks kept), for the HTML, CSV and workbook
// views: whatever a result says, from a machine, a checks file, a practice
// file or an edited JSON file, cannot reorder, hide or act in them. rep is
// not changed; a report with no such character is returned as it is.
func forViews(rep *Report) *Report {
	if rep == nil {
		return nil
	}
	return sanitizedCopy(reflect.ValueOf(rep)).Interface().(*Report)
}

// sanitizedCopy is v with every string in it passed through SanitizeLines,
// copying what it must change and sharing the rest.
func sanitizedCopy(v reflect.Value) reflect.Value {
	switch v.Kind() {
	case reflect.String:
		s := v.String()
		if !strings.ContainsFunc(s, unsafeInLines) {
			return v
		}
		out := reflect.New(v.Type()).Elem()
		out.SetString(SanitizeLines(s))
		return out
	case reflect.Pointer:
		if v.IsNil() {
			return v
		}
		out := reflect.New(v.Type().Elem())
		out.Elem().Set(sanitizedCopy(v.Elem()))
		return out
	case reflect.Slice:
		if v.IsNil() || !holdsText(v.Type().Elem()) {
			return v
		}
		out := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := range v.Len() {
			out.Index(i).Set(sanitizedCopy(v.Index(i)))
		}
		return out
	case reflect.Map:
		if v.IsNil() {
			return v
		}
		out := reflect.MakeMapWithSize(v.Type(), v.Len())
		for it := v.MapRange(); it.Next(); {
			out.SetMapIndex(sanitizedCopy(it.Key()), sanitizedCopy(it.Value()))
		}
		return out
	case reflect.Struct:
		out := reflect.New(v.Type()).Elem()
		out.Set(v)
		for i := range v.NumField() {
			if out.Field(i).CanSet() {
				out.Field(i).Set(sanitizedCopy(v.Field(i)))
			}
		}
		return out
	}
	return v
}

// holdsText reports whether a value of type t can hold a string.
func holdsText(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Complex64, reflect.Complex128:
		return false
	}
	return true
}
