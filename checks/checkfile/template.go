package checkfile

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/nhs-dspt/dspt-audit/standards"
)

// template is a summary: literal text and quoted read values, written
// {read} or {read.field}; {{ and }} are literal braces.
type template []part

type part struct {
	text  string
	read  int
	field string // empty for literal text
}

// Fields a summary may quote of a read.
var fields = []string{"value", "hex", "describe", "source", "mode", "program"}

func parseTemplate(s string, reads []*read) (template, error) {
	var t template
	var lit strings.Builder
	for i := 0; i < len(s); i++ {
		switch {
		case strings.HasPrefix(s[i:], "{{") || strings.HasPrefix(s[i:], "}}"):
			lit.WriteByte(s[i])
			i++
		case s[i] == '}':
			return nil, fmt.Errorf("a } without its { (write }} for a brace)")
		case s[i] == '{':
			end := strings.IndexByte(s[i:], '}')
			if end < 0 {
				return nil, fmt.Errorf("a { without its } (write {{ for a brace)")
			}
			p, err := placeholder(s[i+1:i+end], reads)
			if err != nil {
				return nil, err
			}
			if lit.Len() > 0 {
				t = append(t, part{text: lit.String()})
				lit.Reset()
			}
			t = append(t, p)
			i += end
		default:
			lit.WriteByte(s[i])
		}
	}
	if lit.Len() > 0 {
		t = append(t, part{text: lit.String()})
	}
	return t, nil
}

func placeholder(s string, reads []*read) (part, error) {
	name, field, _ := strings.Cut(s, ".")
	if field == "" {
		field = "value"
	}
	i := slices.IndexFunc(reads, func(r *read) bool { return r.name == name })
	if i < 0 {
		return part{}, fmt.Errorf("{%s} names %q, which is not one of the check's reads", s, name)
	}
	if !slices.Contains(fields, field) {
		return part{}, fmt.Errorf("{%s}: %q is not one of %s", s, field, strings.Join(fields, ", "))
	}
	if kinds, ok := fieldKinds[field]; ok && !slices.Contains(kinds, reads[i].kind) {
		return part{}, fmt.Errorf("{%s}: %s is for %s reads, and %s is a %s read", s, field, kindList(kinds), name, reads[i].kind)
	}
	return part{read: i, field: field}, nil
}

// fieldKinds are the kinds of read a field means something for; the
// others are for every kind.
var fieldKinds = map[string][]Kind{
	"hex":     {RegistryRead, PolicyRead, ServiceRead},
	"source":  {PolicyRead},
	"mode":    {ServiceRead},
	"program": {ProgramRead},
}

func kindList(kinds []Kind) string {
	var s []string
	for _, k := range kinds {
		s = append(s, string(k))
	}
	return strings.Join(s, " or ")
}

func (t template) render(get func(int) value, reads []*read) string {
	var b strings.Builder
	for _, p := range t {
		if p.field == "" {
			b.WriteString(p.text)
			continue
		}
		b.WriteString(quote(get(p.read), reads[p.read], p.field))
	}
	return b.String()
}

// maxQuoted bounds a value quoted from the machine.
const maxQuoted = 200

func quote(v value, r *read, field string) string {
	switch field {
	case "hex":
		if n, ok := v.numeric(); ok {
			return fmt.Sprintf("%X", n)
		}
	case "describe":
		return describe(v, r)
	case "source":
		return v.source
	case "mode":
		if n, ok := v.numeric(); ok {
			return startMode(n)
		}
	case "program":
		return clean(v.program)
	}
	if !v.set {
		return "not set"
	}
	return clean(v.text)
}

// describe names a setting and its value: "fDenyTSConnections = 1", or
// `HKLM\...\fDenyTSConnections not set`.
func describe(v value, r *read) string {
	switch {
	case !v.set && r.kind == ProgramRead:
		return "no program matching " + r.program.String()[4:] + " installed"
	case !v.set && r.kind == SettingRead:
		return r.settingName + " not set in " + r.queries[0].Path
	case !v.set:
		return v.decided.Query + " not set"
	case r.kind == ProgramRead:
		return clean(v.program) + " " + clean(v.text)
	case r.kind == SettingRead:
		return r.settingName + " " + clean(v.text)
	case r.kind == FileRead:
		return r.queries[0].Path + " exists"
	}
	q := v.decided.Query
	return fmt.Sprintf("%s = %s", q[strings.LastIndex(q, `\`)+1:], clean(v.text))
}

var startModes = map[uint64]string{0: "boot", 1: "system", 2: "automatic", 3: "manual", 4: "disabled"}

func startMode(n uint64) string {
	if m, ok := startModes[n]; ok {
		return m
	}
	return fmt.Sprintf("start type %d", n)
}

// clean makes a value read from the machine safe to quote: control and
// invisible characters become ?, and a long value is cut.
func clean(s string) string {
	s = strings.Map(func(r rune) rune {
		if standards.UnsafeRune(r) || r == '\n' || r == '\r' || r == '\t' {
			return '?'
		}
		return r
	}, s)
	if len(s) <= maxQuoted {
		return s
	}
	cut := maxQuoted
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
