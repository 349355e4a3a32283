package checkfile

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"github.com/nhs-dspt/dspt-audit/standards"
)

// MaxChecks is the most checks one file may hold.
const MaxChecks = 1000

// Parse decodes and checks a checks file. A problem with the file as a
// whole (not YAML, not UTF-8, too large, an alias or tag, a wrong version)
// refuses every check in it; a problem with one check refuses that check
// alone, so a pack's other checks still run. Every problem is one line and
// names the line of the file it is about.
func Parse(b []byte, opts Options) (out []*Check, problems []Problem) {
	// The YAML library can panic on input it was never tested with; a
	// checks file must never crash a scan.
	defer func() {
		if r := recover(); r != nil {
			out, problems = nil, []Problem{problemAt(0, "cannot be read as YAML (%v)", r)}
		}
	}()
	nodes, err := checkNodes(b)
	if err != nil {
		return nil, []Problem{asProblem(err)}
	}
	seen := map[string]int{}
	for _, n := range nodes {
		c, err := compileNode(n, opts)
		if err != nil {
			p := asProblem(err)
			p.ID = idOf(n)
			problems = append(problems, p)
			continue
		}
		if line, dup := seen[c.ID]; dup {
			problems = append(problems, Problem{Line: c.Line, ID: c.ID, Msg: fmt.Sprintf("id %s is taken by the check on line %d", c.ID, line)})
			continue
		}
		seen[c.ID] = c.Line
		out = append(out, c)
	}
	return out, problems
}

func asProblem(err error) Problem {
	var p Problem
	if errors.As(err, &p) {
		return p
	}
	return problemAt(0, "%s", strings.ReplaceAll(err.Error(), "\n", " "))
}

// checkNodes checks the file as a whole and returns the node of each check.
func checkNodes(b []byte) ([]ast.Node, error) {
	b, err := plainText(b)
	if err != nil {
		return nil, err
	}
	if err := shallow(b); err != nil {
		return nil, err
	}
	f, err := parser.ParseBytes(b, 0)
	if err != nil {
		return nil, yamlError(err)
	}
	body, err := oneDocument(f)
	if err != nil {
		return nil, err
	}
	if err := refuseNodes(body); err != nil {
		return nil, err
	}
	return topLevel(body)
}

// topLevel reads the two top-level keys: the version, then the checks.
func topLevel(body ast.Node) ([]ast.Node, error) {
	var version, list *ast.MappingValueNode
	for _, kv := range mappingValues(body) {
		switch kv.Key.String() {
		case "dspt_audit_checks":
			version = kv
		case "checks":
			list = kv
		default:
			return nil, problemAt(lineOf(kv.Key), "unknown key %s; a checks file has dspt_audit_checks: and checks:", keyName(kv.Key.String()))
		}
	}
	if version == nil {
		return nil, problemAt(1, "no dspt_audit_checks: %d line, so this is not a checks file (or not one this version reads)", Version)
	}
	if _, number := version.Value.(*ast.IntegerNode); !number {
		return nil, problemAt(lineOf(version.Value), "dspt_audit_checks: must be the number %d, not text or a list", Version)
	}
	if v, ok := scalar(version.Value); !ok || v != strconv.Itoa(Version) {
		return nil, problemAt(lineOf(version.Value), "dspt_audit_checks: %s is not a format version this dspt-audit reads (%d)", strings.Trim(keyName(version.Value.String()), `"`), Version)
	}
	if list == nil {
		return nil, problemAt(lineOf(version.Key), "no checks: list")
	}
	seq, ok := list.Value.(*ast.SequenceNode)
	if !ok {
		return nil, problemAt(lineOf(list.Value), "checks: must be a list of checks (- id: ...)")
	}
	if len(seq.Values) == 0 {
		return nil, problemAt(lineOf(list.Key), "checks: lists no checks")
	}
	if len(seq.Values) > MaxChecks {
		return nil, problemAt(lineOf(list.Key), "checks: lists %d checks; at most %d a file", len(seq.Values), MaxChecks)
	}
	return seq.Values, nil
}

func mappingValues(n ast.Node) []*ast.MappingValueNode {
	switch n := n.(type) {
	case *ast.MappingNode:
		return n.Values
	case *ast.MappingValueNode:
		return []*ast.MappingValueNode{n}
	}
	return nil
}

// compileNode decodes one check strictly and compiles it.
func compileNode(n ast.Node, opts Options) (*Check, error) {
	if mappingValues(n) == nil {
		return nil, problemAt(lineOf(n), "a check must be a list of keys (id:, title:, ...)")
	}
	if err := checkReadKinds(n); err != nil {
		return nil, err
	}
	var s checkSpec
	if err := yaml.NodeToValue(n, &s, yaml.Strict()); err != nil {
		return nil, yamlError(err)
	}
	c := &compiler{node: n, opts: opts, line: lineAt}
	return c.compile(&s)
}

// readKeys are the keys a read may have: its name, what it is about, and
// one kind of probe.
var readKeys = []string{"name", "about", string(RegistryRead), string(PolicyRead), string(FileRead), string(ServiceRead), string(ProgramRead), string(SettingRead)}

// checkReadKinds refuses a read of a kind that does not exist with a
// message that lists those that do.
func checkReadKinds(check ast.Node) error {
	for _, kv := range mappingValues(check) {
		seq, ok := kv.Value.(*ast.SequenceNode)
		if kv.Key.String() != "reads" || !ok {
			continue
		}
		for _, r := range seq.Values {
			for _, f := range mappingValues(r) {
				if k := f.Key.String(); !slices.Contains(readKeys, k) {
					return problemAt(lineOf(f.Key), "%s is not a kind of read; a read is one of registry, policy, file, service, program or setting (no WMI, commands or network)", keyName(k))
				}
			}
		}
	}
	return nil
}

// idOf is the id a check's node gives, for naming a refused check.
func idOf(n ast.Node) string {
	for _, kv := range mappingValues(n) {
		if kv.Key.String() == "id" {
			if s, ok := scalar(kv.Value); ok && checkID.MatchString(s) {
				return s
			}
		}
	}
	return ""
}

// lineAt is the line of the node at path p under n, or of the nearest
// node above it that exists.
func lineAt(n ast.Node, p string) int {
	for {
		if path, err := yaml.PathString(p); err == nil {
			if found, err := path.FilterNode(n); err == nil && found != nil {
				if kv := keyOf(n, found); kv > 0 {
					return kv
				}
				return lineOf(found)
			}
		}
		i := strings.LastIndexAny(p, ".[")
		if i <= 0 {
			return lineOf(n)
		}
		p = p[:i]
	}
}

// keyOf is the line of the key whose value is v, when v is a mapping or a
// list (whose own token is its first entry's, on a later line).
func keyOf(root, v ast.Node) int {
	if _, scalarValue := v.(ast.ScalarNode); scalarValue {
		return 0
	}
	line := 0
	ast.Walk(visitFunc(func(n ast.Node) bool {
		if kv, ok := n.(*ast.MappingValueNode); ok && kv.Value == v {
			line = lineOf(kv.Key)
		}
		return line == 0
	}), root)
	return line
}

// plainText refuses what is not UTF-8 text without control characters,
// naming the line, and drops a byte-order mark.
func plainText(b []byte) ([]byte, error) {
	if len(b) > MaxSize {
		return nil, problemAt(bytes.Count(b[:MaxSize], []byte("\n"))+1, "the file is larger than %d MiB, too large for a checks file", MaxSize>>20)
	}
	for i, line := range bytes.Split(b, []byte("\n")) {
		if !utf8.Valid(line) {
			return nil, problemAt(i+1, "not UTF-8 text (save the file as UTF-8)")
		}
	}
	b, err := standards.UTF8Text(b)
	if err != nil {
		return nil, problemAt(1, "%v", err)
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, problemAt(1, "the file is empty")
	}
	if line, problem := standards.TextLineProblem(b, unsafeRune); line > 0 {
		return nil, problemAt(line, "%s", problem)
	}
	return b, nil
}

// maxFlowDepth is how deeply [ and { may nest: the YAML parser takes time
// growing with the square of the depth.
const maxFlowDepth = 32

func shallow(b []byte) error {
	if line := standards.FlowDepthLine(b, maxFlowDepth); line > 0 {
		return problemAt(line, "brackets nested more than %d deep", maxFlowDepth)
	}
	return nil
}

// yamlError makes the YAML library's error one line with its line number.
func yamlError(err error) error {
	var ye yaml.Error
	if errors.As(err, &ye) {
		msg := libraryWords(strings.ReplaceAll(ye.GetMessage(), "\n", " "), keyOfToken(ye.GetToken()))
		if tok := ye.GetToken(); tok != nil && tok.Position != nil {
			return problemAt(tok.Position.Line, "%s", msg)
		}
		return problemAt(0, "%s", msg)
	}
	return problemAt(0, "%s", strings.ReplaceAll(err.Error(), "\n", " "))
}

func oneDocument(f *ast.File) (ast.Node, error) {
	var docs []*ast.DocumentNode
	for _, d := range f.Docs {
		if d != nil && d.Body != nil {
			docs = append(docs, d)
		}
	}
	switch {
	case len(docs) == 0:
		return nil, problemAt(1, "the file holds nothing")
	case len(docs) > 1:
		return nil, problemAt(lineOf(docs[1].Body), "a second YAML document (---); a checks file is one document")
	}
	if mappingValues(docs[0].Body) == nil {
		return nil, problemAt(lineOf(docs[0].Body), "the file must start dspt_audit_checks: %d, then checks:", Version)
	}
	return docs[0].Body, nil
}

func lineOf(n ast.Node) int {
	if n == nil || n.GetToken() == nil || n.GetToken().Position == nil {
		return 0
	}
	return n.GetToken().Position.Line
}

// refuseNodes refuses anchors, aliases, merge keys and tags before anything
// follows them (an alias bomb expands a small file into a huge one; a
// checks file needs none of them), and escaped control characters.
func refuseNodes(body ast.Node) error {
	var err error
	ast.Walk(visitFunc(func(n ast.Node) bool {
		if err == nil {
			err = refuseNode(n)
		}
		return err == nil
	}), body)
	return err
}

type visitFunc func(ast.Node) bool

func (f visitFunc) Visit(n ast.Node) ast.Visitor {
	if n == nil || !f(n) {
		return nil
	}
	return f
}

func refuseNode(n ast.Node) error {
	switch n := n.(type) {
	case *ast.AnchorNode, *ast.AliasNode, *ast.MergeKeyNode:
		return problemAt(lineOf(n), "anchors, aliases and merge keys (&, *, <<) are not allowed in a checks file")
	case *ast.TagNode:
		return problemAt(lineOf(n), "YAML tags (!!) are not allowed in a checks file")
	case *ast.StringNode:
		if i := strings.IndexFunc(n.Value, unsafeRune); i >= 0 {
			r, _ := utf8.DecodeRuneInString(n.Value[i:])
			return problemAt(lineOf(n), "a control or invisible character %U in a text (written as an escape)", r)
		}
	}
	return nil
}

// unsafeRune is a character a checks file may not hold: a control
// character or one that hides or reorders text.
func unsafeRune(r rune) bool {
	return standards.UnsafeRune(r) || invisibleFormat(r)
}

func scalar(n ast.Node) (string, bool) {
	switch v := n.(type) {
	case *ast.StringNode:
		return v.Value, true
	case ast.ScalarNode:
		return fmt.Sprint(v.GetValue()), true
	}
	return "", false
}
