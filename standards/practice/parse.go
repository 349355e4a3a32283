// Package practice reads and writes the practice file: the YAML a practice
// keeps beside its scans with its answers to the toolkit's people-and-process
// items, its accepted risks, and its asset notes. It does no I/O: the bytes
// come in, a standards.Practice (or a one-line error naming the line) comes
// out.
package practice

import (
	"bytes"
	"errors"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"github.com/nhs-dspt/dspt-audit/standards"
)

// MaxSize is the largest practice file read. A real one is a few tens of KB.
const MaxSize = 1 << 20

// AssetKinds are the kinds of non-PC asset the register knows.
var AssetKinds = []string{"server", "network", "data", "software", "printer", "phone", "other"}

// Options says what a practice file is checked against.
type Options struct {
	// Items is the toolkit's item catalogue (data.DSPT); required.
	Items *standards.DSPTItemFile
	// Checks are the IDs of the checks that exist; an accepted risk must
	// name one of them. Nil skips that test.
	Checks []string
	// RefuseExpired makes an accepted risk already past its expiry an error,
	// for when a person writes the file; a scan loads it and treats it as
	// expired.
	RefuseExpired bool
	// Now is the time RefuseExpired compares with.
	Now time.Time
}

// Error is what is wrong with a practice file, and on which line.
type Error struct {
	Line int
	Msg  string
}

func (e *Error) Error() string {
	if e.Line <= 0 {
		return "practice file: " + e.Msg
	}
	return fmt.Sprintf("practice file line %d: %s", e.Line, e.Msg)
}

func errAt(line int, format string, args ...any) *Error {
	return &Error{Line: line, Msg: fmt.Sprintf(format, args...)}
}

// file is the practice file's layout; its keys are the JSON names of
// standards.Practice, except that the attestations are the file's "items".
type file struct {
	Name           string                   `yaml:"name"`
	ODS            string                   `yaml:"ods_code"`
	RecordLastUser bool                     `yaml:"record_last_user"`
	Items          []standards.Attestation  `yaml:"items"`
	Risks          []standards.AcceptedRisk `yaml:"accepted_risks"`
	Hosts          []standards.HostNote     `yaml:"hosts"`
	Assets         []standards.Asset        `yaml:"assets"`
}

// Parse decodes and checks a practice file. Every error is one line and
// names the line of the file it is about.
func Parse(b []byte, opts Options) (p *standards.Practice, err error) {
	// The YAML library can panic on input it was never tested with; a
	// practice file must never crash a scan.
	defer func() {
		if r := recover(); r != nil {
			p, err = nil, errAt(0, "cannot be read as YAML (%v)", r)
		}
	}()
	if opts.Items == nil {
		return nil, errors.New("practice: no DSPT item catalogue to check the file against")
	}
	b, err = plainText(b)
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
	if err := checkNodes(body); err != nil {
		return nil, err
	}
	var v file
	if err := decode(body, &v); err != nil {
		return nil, err
	}
	c := checker{file: f, opts: opts}
	if err := c.check(&v); err != nil {
		return nil, err
	}
	return &standards.Practice{
		Name: v.Name, ODS: v.ODS, RecordLastUser: v.RecordLastUser,
		Attestations: v.Items, Risks: v.Risks, Hosts: v.Hosts, Assets: v.Assets,
	}, nil
}

// decode turns the checked tree into v.
func decode(body ast.Node, v *file) error {
	if err := yaml.NodeToValue(body, v, yaml.Strict()); err != nil {
		return yamlError(err)
	}
	return nil
}

// plainText refuses what is not UTF-8 text without control characters,
// naming the line, and drops a byte-order mark.
func plainText(b []byte) ([]byte, error) {
	if len(b) > MaxSize {
		return nil, errAt(bytes.Count(b[:MaxSize], []byte("\n"))+1, "the file is larger than %d MiB, too large for a practice file", MaxSize>>20)
	}
	b, err := standards.UTF8Text(b)
	if err != nil {
		return nil, errAt(1, "%v", err)
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, errAt(1, "the file is empty (run dspt-audit practice init to start one)")
	}
	if line, problem := standards.TextLineProblem(b, standards.UnsafeRune); line > 0 {
		return nil, errAt(line, "%s", problem)
	}
	return b, nil
}

// maxFlowDepth is how deeply [ and { may nest. A practice file needs one
// level (hosts: [A, B]); the YAML parser takes time growing with the square
// of the depth, hours for a file of nothing but brackets.
const maxFlowDepth = 32

// shallow refuses brackets nested deeper than maxFlowDepth.
func shallow(b []byte) error {
	if line := standards.FlowDepthLine(b, maxFlowDepth); line > 0 {
		return errAt(line, "brackets nested more than %d deep; a practice file needs one level (hosts: [A, B])", maxFlowDepth)
	}
	return nil
}

// yamlError makes the YAML library's error one line with its line number.
func yamlError(err error) error {
	var ye yaml.Error
	if errors.As(err, &ye) {
		if tok := ye.GetToken(); tok != nil && tok.Position != nil {
			return errAt(tok.Position.Line, "%s", ye.GetMessage())
		}
		return errAt(0, "%s", ye.GetMessage())
	}
	return errAt(0, "%s", strings.ReplaceAll(err.Error(), "\n", " "))
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
		return nil, errAt(1, "the file holds no settings (run dspt-audit practice init to start one)")
	case len(docs) > 1:
		return nil, errAt(lineOf(docs[1].Body), "a second YAML document (---); a practice file is one document")
	}
	if _, ok := docs[0].Body.(*ast.MappingNode); !ok {
		if _, ok := docs[0].Body.(*ast.MappingValueNode); !ok {
			return nil, errAt(lineOf(docs[0].Body), "the file must be a list of settings (name:, items:, …)")
		}
	}
	return docs[0].Body, nil
}

func lineOf(n ast.Node) int {
	if n == nil || n.GetToken() == nil || n.GetToken().Position == nil {
		return 0
	}
	return n.GetToken().Position.Line
}

// dateKeys and the answer key are checked on the tree, where their line
// is known, before decoding.
var dateKeys = []string{"reviewed", "next_review", "expires"}

// checkNodes refuses anchors, aliases and tags (an alias bomb expands a
// small file into a huge one; a practice file needs none of them), escaped
// control characters, bad dates and bad answers.
func checkNodes(body ast.Node) error {
	var err error
	ast.Walk(visitFunc(func(n ast.Node) bool {
		if err != nil {
			return false
		}
		err = checkNode(n)
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

func checkNode(n ast.Node) error {
	switch n := n.(type) {
	case *ast.AnchorNode, *ast.AliasNode, *ast.MergeKeyNode:
		return errAt(lineOf(n), "anchors, aliases and merge keys (&, *, <<) are not allowed in a practice file")
	case *ast.TagNode:
		return errAt(lineOf(n), "YAML tags (!!) are not allowed in a practice file")
	case *ast.StringNode:
		if strings.ContainsFunc(n.Value, standards.UnsafeRune) {
			return errAt(lineOf(n), "a control or invisible character in %q", strings.Map(visible, n.Value))
		}
	case *ast.MappingValueNode:
		return checkValue(n)
	}
	return nil
}

func visible(r rune) rune {
	if standards.UnsafeRune(r) {
		return '?'
	}
	return r
}

func checkValue(n *ast.MappingValueNode) error {
	key := n.Key.String()
	if !slices.Contains(dateKeys, key) && key != "answer" {
		return nil
	}
	if _, null := n.Value.(*ast.NullNode); null {
		return nil
	}
	s, ok := scalar(n.Value)
	if key == "answer" {
		if !ok || !slices.Contains([]standards.Answer{standards.AnswerMet, standards.AnswerNotMet, standards.AnswerPartly, ""}, standards.Answer(s)) {
			return errAt(lineOf(n.Value), "answer %s is not met, not met or partly", quoteNode(n.Value))
		}
		return nil
	}
	if !ok {
		return errAt(lineOf(n.Value), "%s %s is not a date (YYYY-MM-DD)", key, quoteNode(n.Value))
	}
	if s == "" {
		return nil
	}
	if _, err := standards.ParseDate(s); err != nil {
		return errAt(lineOf(n.Value), "%s %q is not a date of the form YYYY-MM-DD", key, s)
	}
	return nil
}

func scalar(n ast.Node) (string, bool) {
	switch v := n.(type) {
	case *ast.StringNode:
		return v.Value, true
	case *ast.LiteralNode:
		return "", false
	case ast.ScalarNode:
		return fmt.Sprint(v.GetValue()), true
	}
	return "", false
}

func quoteNode(n ast.Node) string {
	s := n.String()
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	return strconv.Quote(s)
}

var (
	odsCode = regexp.MustCompile(`^[A-Z0-9]{3,10}$`)
	ndgItem = regexp.MustCompile(`^NDG ([1-9]|10)$`)
)

// checker tests the decoded file against the catalogue, finding the
// line of each value from its path in the tree.
type checker struct {
	file *ast.File
	opts Options
}

func (c checker) line(p string) int {
	for p != "$" {
		if path, err := yaml.PathString(p); err == nil {
			if n, err := path.FilterFile(c.file); err == nil && n != nil {
				return lineOf(n)
			}
		}
		i := strings.LastIndexAny(p, ".[")
		if i <= 0 {
			break
		}
		p = p[:i]
	}
	return 1
}

func (c checker) errAt(p, format string, args ...any) *Error {
	return errAt(c.line(p), format, args...)
}

func (c checker) check(v *file) error {
	if v.ODS != "" && !odsCode.MatchString(v.ODS) {
		return c.errAt("$.ods_code", "ods_code %q is not an ODS code (capital letters and digits, such as A81001)", v.ODS)
	}
	for _, step := range []func(*file) error{c.items, c.risks, c.hosts, c.assets} {
		if err := step(v); err != nil {
			return err
		}
	}
	return nil
}

func (c checker) items(v *file) error {
	seen := map[string]bool{}
	for i := range v.Items {
		a := &v.Items[i]
		at := fmt.Sprintf("$.items[%d]", i)
		standard, err := c.standardOf(a.Item)
		if err != nil {
			return c.errAt(at+".item", "%v", err)
		}
		if a.Standard != 0 && a.Standard != standard {
			return c.errAt(at+".standard", "item %s is under standard %d, not %d", a.Item, standard, a.Standard)
		}
		a.Standard = standard
		if seen[a.Item] {
			return c.errAt(at+".item", "item %s is listed twice", a.Item)
		}
		seen[a.Item] = true
		if !a.Reviewed.IsZero() && !a.NextReview.IsZero() && a.NextReview.Before(a.Reviewed.Time) {
			return c.errAt(at+".next_review", "item %s: next_review %s is before reviewed %s", a.Item, a.NextReview, a.Reviewed)
		}
	}
	return nil
}

// standardOf is the standard an item belongs to: a toolkit item of the
// catalogue, or "NDG n" for a standard that no item covers.
func (c checker) standardOf(id string) (int, error) {
	if id == "" {
		return 0, errors.New("an entry without item: (a toolkit item such as 4.3.1)")
	}
	if it, ok := c.opts.Items.Item(id); ok {
		return it.Standard, nil
	}
	if m := ndgItem.FindStringSubmatch(id); m != nil {
		n, _ := strconv.Atoi(m[1])
		if slices.ContainsFunc(c.opts.Items.Items, func(it standards.DSPTItem) bool { return it.Standard == n }) {
			return 0, fmt.Errorf("item %q: standard %d has toolkit items; answer those instead", id, n)
		}
		return n, nil
	}
	return 0, fmt.Errorf("item %q is not an item of the %s toolkit (Category %d)", id, c.opts.Items.Toolkit, c.opts.Items.Category)
}

func (c checker) risks(v *file) error {
	for i, r := range v.Risks {
		at := fmt.Sprintf("$.accepted_risks[%d]", i)
		switch {
		case r.Check == "":
			return c.errAt(at, "an accepted risk without check: (the check it accepts)")
		case c.opts.Checks != nil && !slices.Contains(c.opts.Checks, r.Check):
			return c.errAt(at+".check", "accepted risk names check %q, which does not exist (dspt-audit catalog lists them)", r.Check)
		case len(r.Hosts) == 0:
			return c.errAt(at+".hosts", "accepted risk for %s names no hosts", r.Check)
		case r.Reason == "":
			return c.errAt(at, "accepted risk for %s gives no reason", r.Check)
		case r.Owner == "":
			return c.errAt(at, "accepted risk for %s names no owner", r.Check)
		case r.ApprovedBy == "":
			return c.errAt(at, "accepted risk for %s names no approved_by", r.Check)
		case r.Expires.IsZero():
			return c.errAt(at, "accepted risk for %s has no expires date (a risk is accepted for a time, at most a year)", r.Check)
		case c.opts.RefuseExpired && r.Expired(c.opts.Now):
			return c.errAt(at+".expires", "accepted risk for %s expired on %s; renew it or remove it", r.Check, r.Expires)
		}
		for j, h := range r.Hosts {
			if err := hostPattern(h); err != nil {
				return c.errAt(fmt.Sprintf("%s.hosts[%d]", at, j), "accepted risk for %s: %v", r.Check, err)
			}
		}
	}
	return nil
}

func hostPattern(h string) error {
	if strings.TrimSpace(h) == "" {
		return errors.New("an empty host name")
	}
	if _, err := path.Match(h, ""); err != nil {
		return fmt.Errorf("host pattern %q is not a valid pattern", h)
	}
	return nil
}

func (c checker) hosts(v *file) error {
	seen := map[string]bool{}
	for i, h := range v.Hosts {
		at := fmt.Sprintf("$.hosts[%d]", i)
		name := strings.ToUpper(strings.TrimSpace(h.Host))
		if name == "" {
			return c.errAt(at, "a host note without host: (the PC's name)")
		}
		if seen[name] {
			return c.errAt(at+".host", "host %s has two notes", h.Host)
		}
		seen[name] = true
	}
	return nil
}

func (c checker) assets(v *file) error {
	for i, a := range v.Assets {
		at := fmt.Sprintf("$.assets[%d]", i)
		if strings.TrimSpace(a.Name) == "" {
			return c.errAt(at, "an asset without name:")
		}
		if !slices.Contains(AssetKinds, a.Kind) {
			return c.errAt(at+".kind", "asset %s: kind %q is not one of %s", a.Name, a.Kind, strings.Join(AssetKinds, ", "))
		}
	}
	return nil
}
