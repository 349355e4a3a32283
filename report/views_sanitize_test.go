package report

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// hiddenPayload has the characters that act on a terminal or hide or
// reorder text: carriage return, escape sequences, bell, a right-to-left
// override, a zero-width space, a left-to-right isolate, a byte order mark.
const hiddenPayload = "\r" + screenWiper + "\u202e\a\u200b\u2066\ufeff"

// poisonAll appends hiddenPayload to every string in v, in slices and map
// values too.
func poisonAll(v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		if v.CanSet() {
			v.SetString(v.String() + hiddenPayload)
		}
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			poisonAll(v.Elem())
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				poisonAll(v.Field(i))
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			poisonAll(v.Index(i))
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			val := reflect.New(it.Value().Type()).Elem()
			val.Set(it.Value())
			poisonAll(val)
			v.SetMapIndex(it.Key(), val)
		}
	}
}

// hiddenIn lists the characters of hiddenPayload (and any other unsafe
// one) found raw in out; CRLF line ends are the CSV's own.
func hiddenIn(out string) []rune {
	var found []rune
	for _, r := range strings.ReplaceAll(out, "\r\n", "\n") {
		if r != '\n' && r != '\t' && unsafeRune(r) {
			found = append(found, r)
		}
	}
	return found
}

// TestEveryViewShowsHiddenCharactersAsEscapes feeds a result whose every
// text (titles, summaries, evidence, remediation, host, practice texts, a
// custom check's file) carries control, direction and invisible characters
// through the HTML, CSV and workbook views, and finds none of them raw.
func TestEveryViewShowsHiddenCharactersAsEscapes(t *testing.T) {
	rep := buildWithCustom(t, "win10-1607-wannacry-era", smb1ClientOff())
	ApplyPractice(rep, "practice.yaml", testPractice(), nil, practiceNow)
	b, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	hostile, err := Read(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	poisonAll(reflect.ValueOf(hostile).Elem())
	before, _ := json.Marshal(hostile)
	for _, format := range []string{"html", "csv", "xlsx"} {
		out := string(render(t, format, hostile))
		if format == "xlsx" {
			out = strings.Join(workbookCells(t, []byte(out)), "\n")
		}
		if bad := hiddenIn(out); len(bad) > 0 {
			t.Errorf("%s: %d raw hidden characters, such as %q", format, len(bad), bad[0])
		}
		if n := strings.Count(out, `\u202e\x07\u200b\u2066\ufeff`); n < 20 {
			t.Errorf("%s shows the payload %d times; the test no longer reaches the texts", format, n)
		}
	}
	if after, _ := json.Marshal(hostile); !bytes.Equal(before, after) {
		t.Error("rendering changed the report")
	}
}

func TestSanitizeShowsInvisibleCharacters(t *testing.T) {
	for in, want := range map[string]string{
		"a\u200bb":          `a\u200bb`,
		"\ufeffhost":        `\ufeffhost`,
		"x\u2060y\u2064":    `x\u2060y\u2064`,
		"\u200e\u200f":      `\u200e\u200f`,
		"plain text, é ü 中": "plain text, é ü 中",
	} {
		if got := Sanitize(in); got != want {
			t.Errorf("Sanitize(%q) = %q, want %q", in, got, want)
		}
	}
	if got := SanitizeLines("one\ntwo\tthree\r\x1b"); got != "one\ntwo\tthree\\x0d\\x1b" {
		t.Errorf("SanitizeLines = %q", got)
	}
}
