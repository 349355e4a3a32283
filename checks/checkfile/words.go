package checkfile

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"

	"github.com/goccy/go-yaml/token"
)

// MaxText is the most bytes a check's title, about, each remediation and
// each summary may have: the longest title a result records
// (report.Recordable), so that what validate accepts a scan accepts too.
const MaxText = 2048

// textTooLong says a text is over MaxText, or is nil.
func (c *compiler) textTooLong(path, name, text string) error {
	if len(text) > MaxText {
		return c.at(path, "%s is %d bytes long; at most %d", name, len(text), MaxText)
	}
	return nil
}

// invisibleFormat reports the invisible format characters a checks file
// may not hold though UnsafeRune allows them: zero-width spaces and
// joiners, direction marks, word joiners and invisible operators, and a
// byte-order mark inside the text.
func invisibleFormat(r rune) bool {
	return (r >= 0x200b && r <= 0x200f) || (r >= 0x2060 && r <= 0x2064) || r == 0xfeff
}

// namelike is a key shown as it is in a problem: anything else is not
// quoted, so that a file a link led to is never shown.
var namelike = regexp.MustCompile(`^[A-Za-z0-9_.\- ]{1,40}$`)

// keyOfToken is the key a value's token follows, or "".
func keyOfToken(tok *token.Token) string {
	if tok == nil || tok.Prev == nil || tok.Prev.Type != token.MappingValueType || tok.Prev.Prev == nil {
		return ""
	}
	return tok.Prev.Prev.Value
}

// keyName is a key of the file as a problem may show it.
func keyName(k string) string {
	if namelike.MatchString(k) {
		return fmt.Sprintf("%q", k)
	}
	return "(a key that is not a word of letters, digits and _)"
}

var (
	unknownField  = regexp.MustCompile(`^unknown field "(.*)"$`)
	duplicateKey  = regexp.MustCompile(`^mapping key "(.*)" already defined at \[(\d+):\d+\]$`)
	wrongType     = regexp.MustCompile(`^cannot unmarshal (\S+(?: \{\})?) into Go (?:struct field \w+\.(\w+)|value) of type (\S+)`)
	overflowValue = regexp.MustCompile(`^cannot unmarshal (-?[0-9.eE+]{1,30}) into Go value of type (u?int\d*)`)
)

// libraryWords rephrases the YAML library's messages in the file's terms:
// the key and what it must be. A message it does not know is kept.
// key is the key whose value the message is about, when known.
func libraryWords(msg, key string) string {
	if m := unknownField.FindStringSubmatch(msg); m != nil {
		return "unknown key " + keyName(m[1])
	}
	if m := duplicateKey.FindStringSubmatch(msg); m != nil {
		return fmt.Sprintf("the key %s appears twice (first on line %s)", strings.Trim(keyName(m[1]), `"`), m[2])
	}
	if m := overflowValue.FindStringSubmatch(msg); m != nil {
		if key != "" {
			return fmt.Sprintf("%s must be %s, not %s", strings.Trim(keyName(key), `"`), typeWords(m[2], true), m[1])
		}
		return fmt.Sprintf("%s is not %s", m[1], typeWords(m[2], true))
	}
	if m := wrongType.FindStringSubmatch(msg); m != nil {
		switch {
		case key != "":
			key = strings.Trim(keyName(key), `"`)
		case m[2] != "":
			key = snake(m[2])
		default:
			key = "a value"
		}
		return fmt.Sprintf("%s must be %s, not %s", key, typeWords(m[3], false), typeWords(m[1], false))
	}
	return msg
}

// typeWords names a Go type as a checks file's author knows it.
func typeWords(t string, withRange bool) string {
	switch {
	case strings.HasPrefix(t, "[]"):
		return "a list"
	case strings.HasPrefix(t, "map["):
		return "keys and values"
	case t == "string":
		return "text"
	case t == "bool":
		return "true or false"
	case strings.HasPrefix(t, "uint") && withRange:
		return "a whole number from 0 to 18446744073709551615"
	case strings.HasPrefix(t, "uint"), strings.HasPrefix(t, "int"):
		return "a whole number"
	case strings.HasPrefix(t, "float"):
		return "a number"
	}
	return "a value of another kind"
}

// snake is a Go field name as its key: DSPTItems is dspt_items.
func snake(name string) string {
	var b strings.Builder
	rs := []rune(name)
	for i, r := range rs {
		if i > 0 && unicode.IsUpper(r) && (unicode.IsLower(rs[i-1]) || i+1 < len(rs) && unicode.IsLower(rs[i+1])) {
			b.WriteByte('_')
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}
