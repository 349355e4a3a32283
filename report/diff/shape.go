package diff

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/nhs-dspt/dspt-audit/checks/probe"
	"github.com/nhs-dspt/dspt-audit/standards"
)

// itemShape is what the items of an observation's lists are, where the
// probe that recorded it says: a person reads a group member as
// DOMAIN\name (SID), not as JSON.
type itemShape int

const (
	unknownShape itemShape = iota
	socketShape            // probe.Socket
	groupShape             // probe.LocalGroup: its members are probe.GroupMember
	programShape           // Uninstall keys: DisplayName and DisplayVersion
	regKeyShape            // probe.RegKey
	fileShape              // probe.FileEntry
)

// shapeOf is the shape of what a probe of source and query records.
func shapeOf(source probe.Kind, query string) itemShape {
	switch {
	case source == probe.Sockets:
		return socketShape
	case source == probe.API && strings.HasPrefix(query, "NetLocalGroupGetMembers"):
		return groupShape
	case source == probe.RegistryKeys && strings.Contains(strings.ToLower(query), `\uninstall\`):
		return programShape
	case source == probe.RegistryKeys:
		return regKeyShape
	case source == probe.Files:
		return fileShape
	}
	return unknownShape
}

// text is an item of the list at field as a person reads it; compact JSON
// when the item is not of the shape's kind.
func (s itemShape) text(field string, v any) string {
	m, ok := v.(map[string]any)
	if !ok {
		return scalarText(v)
	}
	str := func(k string) string { x, _ := m[k].(string); return x }
	switch {
	case s == socketShape && m["address"] != nil && m["port"] != nil:
		addr := str("address")
		if strings.Contains(addr, ":") {
			addr = "[" + addr + "]"
		}
		t := fmt.Sprintf("%s:%v", addr, m["port"])
		if p := str("process"); p != "" {
			t += " (" + p + ")"
		}
		return t
	case s == groupShape && field == "members" && str("sid") != "":
		name := str("name")
		if d := str("domain"); d != "" && name != "" {
			name = d + `\` + name
		}
		if name == "" {
			return str("sid")
		}
		return name + " (" + str("sid") + ")"
	case s == programShape && regData(m, "DisplayName") != "":
		return strings.TrimSpace(regData(m, "DisplayName") + " " + regData(m, "DisplayVersion"))
	case (s == programShape || s == regKeyShape) && str("path") != "":
		return regKeyText(m)
	case s == fileShape && str("path") != "":
		if m["dir"] == true {
			return str("path") + " (folder)"
		}
		t := fmt.Sprintf("%s (%v bytes", str("path"), m["size"])
		if at, err := time.Parse(time.RFC3339Nano, str("modified")); err == nil {
			t += ", modified " + stamp(at)
		}
		return t + ")"
	case str("name") != "" && str("version") != "":
		return str("name") + " " + str("version") // a program or package
	}
	return jsonText(v)
}

// regData is the data of a registry value an item of a RegistryKeys probe
// holds, as text; "" when it has none.
func regData(key map[string]any, name string) string {
	values, _ := key["values"].(map[string]any)
	value, _ := values[name].(map[string]any)
	if value == nil || value["data"] == nil {
		return ""
	}
	return scalarText(value["data"])
}

// regKeyText is a registry key and its values: "PATH (Start 2)".
func regKeyText(key map[string]any) string {
	path, _ := key["path"].(string)
	values, _ := key["values"].(map[string]any)
	names := make([]string, 0, len(values))
	for n := range values {
		names = append(names, n)
	}
	sort.Strings(names)
	var parts []string
	for _, n := range names {
		parts = append(parts, n+" "+regData(key, n))
	}
	if len(parts) == 0 {
		return path
	}
	return path + " (" + strings.Join(parts, ", ") + ")"
}

// scalarText is a value as text: a string as itself, null as "(none)",
// anything else as compact JSON.
func scalarText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case nil:
		return "(none)"
	}
	return jsonText(v)
}

// jsonText is v as compact JSON with its keys sorted, but with strings'
// characters left as they are (only quotes and backslashes escaped): every
// view then shows a control character as report.Sanitize does (\x1b),
// never as JSON's \u001b.
func jsonText(v any) string {
	var b strings.Builder
	writeJSONText(&b, v)
	return b.String()
}

func writeJSONText(b *strings.Builder, v any) {
	switch x := v.(type) {
	case string:
		b.WriteByte('"')
		b.WriteString(strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(x))
		b.WriteByte('"')
	case []any:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSONText(b, e)
		}
		b.WriteByte(']')
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSONText(b, k)
			b.WriteByte(':')
			writeJSONText(b, x[k])
		}
		b.WriteByte('}')
	case nil:
		b.WriteString("null")
	default:
		fmt.Fprint(b, x)
	}
}

// jsonEscapesUndone is a value that is JSON text (one the report cut short,
// compared whole) with JSON's escapes of control characters (\u001b) put
// back as the characters, so that the views show them as report.Sanitize
// does (\x1b), as they show every other value. An escaped backslash
// (\\u001b) is left as it is.
func jsonEscapesUndone(s string) string {
	if !strings.Contains(s, `\u`) || !strings.ContainsAny(s[:1], `[{"`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		if s[i+1] == 'u' && i+6 <= len(s) {
			if n, err := strconv.ParseUint(s[i+2:i+6], 16, 16); err == nil && standards.UnsafeRune(rune(n)) {
				b.WriteRune(rune(n))
				i += 5
				continue
			}
		}
		b.WriteString(s[i : i+2]) // an escape pair, kept whole
		i++
	}
	return b.String()
}
