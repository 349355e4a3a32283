// Package checkfile reads checks files, the declarative check format, and
// judges a check written in it from observations. It does no I/O: bytes
// come in, checks (or one-line problems naming the line) come out, and a
// check's Judge reads the machine only through the Observer it is given.
//
// A checks file is YAML:
//
//	dspt_audit_checks: 1
//	checks:
//	  - id: custom-...
//	    reads: [...]      # named probes of a fixed set of kinds
//	    verdicts: [...]   # ordered cases: when (a rule), status, summary
//	    otherwise: {...}
//
// The README's "Writing your own checks" is the full reference.
package checkfile

import (
	"fmt"
	"slices"
	"strings"

	"github.com/goccy/go-yaml/ast"

	"github.com/nhs-dspt/dspt-audit/checks/probe"
	"github.com/nhs-dspt/dspt-audit/standards"
)

// Version is the format version a checks file declares as dspt_audit_checks.
const Version = 1

// MaxSize is the largest checks file read: a pack of a few hundred checks
// is well under it.
const MaxSize = 1 << 20

// Platforms a check may name.
var Platforms = []string{"windows", "linux"}

// Problem is what is wrong with a checks file, or with one check in it.
type Problem struct {
	Line int
	// ID is the check refused; empty when the whole file is.
	ID  string
	Msg string
}

func (p Problem) Error() string {
	if p.Line > 0 {
		return fmt.Sprintf("line %d: %s", p.Line, p.Msg)
	}
	return p.Msg
}

// problemAt makes a problem; its message is one line whatever the file
// quoted into it.
func problemAt(line int, format string, args ...any) Problem {
	return Problem{Line: line, Msg: oneLine.Replace(fmt.Sprintf(format, args...))}
}

var oneLine = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ")

// Options say what a checks file is checked against.
type Options struct {
	// Custom files must give every ID the checks.CustomPrefix; built-in
	// (embedded) files must not.
	Custom bool
	// Prefix is the ID prefix of custom checks.
	Prefix string
	// Builtin are the built-in checks' IDs, which a custom check may not take.
	Builtin map[string]bool
	// Items is the toolkit's item catalogue; nil skips checking that each
	// DSPT item exists (the built-in catalogue's tests check it instead).
	Items *standards.DSPTItemFile
}

// Check is one check of a checks file, checked and compiled.
type Check struct {
	ID        string
	Title     string
	Severity  standards.Severity
	Platforms []string
	Mappings  standards.Mappings
	// Remediations are the fix on each platform, in Platforms' order.
	Remediations []PlatformText
	// About is what the check could not tell when a read fails:
	// "Could not tell {About}: ...".
	About string
	// Line is where the check starts in its file.
	Line  int
	reads []*read
	cases []*outcome
}

// PlatformText is a text for one platform.
type PlatformText struct{ Platform, Text string }

// Queries are every probe the check may make, in the order of its reads,
// each once (two reads of one key are one probe).
func (c *Check) Queries() []probe.Query {
	var out []probe.Query
	seen := map[string]bool{}
	for _, r := range c.reads {
		for _, q := range r.queries {
			if k := q.Key(); !seen[k] {
				seen[k] = true
				out = append(out, q)
			}
		}
	}
	return out
}

// The file's layout. Strict decoding refuses any other key.
type checkSpec struct {
	ID          string            `yaml:"id"`
	Title       string            `yaml:"title"`
	Severity    string            `yaml:"severity"`
	Platforms   []string          `yaml:"platforms"`
	Mappings    mappingSpec       `yaml:"mappings"`
	Remediation map[string]string `yaml:"remediation"`
	About       string            `yaml:"about"`
	Reads       []readSpec        `yaml:"reads"`
	Verdicts    []caseSpec        `yaml:"verdicts"`
	Otherwise   *outcomeSpec      `yaml:"otherwise"`
}

type mappingSpec struct {
	NDG             []int    `yaml:"ndg"`
	DSPTItems       []string `yaml:"dspt_items"`
	DSPT            []string `yaml:"dspt"`
	CyberEssentials []string `yaml:"cyber_essentials"`
	CAF             []string `yaml:"caf"`
	CIS             []string `yaml:"cis"`
}

type caseSpec struct {
	When    *ruleSpec `yaml:"when"`
	Status  string    `yaml:"status"`
	Summary string    `yaml:"summary"`
}

type outcomeSpec struct {
	Status  string `yaml:"status"`
	Summary string `yaml:"summary"`
}

// statuses a case may give; unknown and needs_admin come only from reads
// that fail.
var statuses = map[string]standards.Status{
	"pass": standards.Pass, "warn": standards.Warn, "fail": standards.Fail,
	"not_applicable": standards.NotApplicable,
}

// compiler checks one decoded check, finding lines from paths in its node.
type compiler struct {
	node ast.Node
	opts Options
	line func(ast.Node, string) int
}

func (c *compiler) at(path, format string, args ...any) error {
	return problemAt(c.line(c.node, path), format, args...)
}

func (c *compiler) compile(s *checkSpec) (*Check, error) {
	out := &Check{ID: s.ID, Title: strings.TrimSpace(s.Title), About: strings.TrimSpace(s.About), Line: lineOf(c.node)}
	steps := []func(*checkSpec, *Check) error{c.identity, c.metadata, c.mappings, c.remediation, c.compileReads, c.compileCases}
	for _, step := range steps {
		if err := step(s, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (c *compiler) identity(s *checkSpec, out *Check) error {
	switch {
	case s.ID == "":
		return c.at("$", "a check without id:")
	case !checkID.MatchString(s.ID):
		return c.at("$.id", "id %q is not lower-case letters, digits and dashes (at most 64)", s.ID)
	case c.opts.Custom && c.opts.Builtin[s.ID]:
		return c.at("$.id", "id %s is a built-in check's; a custom check's id starts %q", s.ID, c.opts.Prefix)
	case c.opts.Custom && !strings.HasPrefix(s.ID, c.opts.Prefix):
		return c.at("$.id", "id %q does not start with %q, which every custom check's id must", s.ID, c.opts.Prefix)
	case !c.opts.Custom && c.opts.Prefix != "" && strings.HasPrefix(s.ID, c.opts.Prefix):
		return c.at("$.id", "id %q of a built-in check starts with %q, kept for custom checks", s.ID, c.opts.Prefix)
	}
	return nil
}

func (c *compiler) metadata(s *checkSpec, out *Check) error {
	if out.Title == "" {
		return c.at("$", "check %s has no title:", s.ID)
	}
	if err := c.textTooLong("$.title", "title", out.Title); err != nil {
		return err
	}
	if err := c.textTooLong("$.about", "about", out.About); err != nil {
		return err
	}
	if out.About == "" {
		return c.at("$", "check %s has no about: (what it could not tell when a read fails, such as \"the AutoRun policy\")", s.ID)
	}
	sev, err := standards.ParseSeverity(s.Severity)
	if err != nil {
		return c.at("$.severity", "severity %q is not low, medium, high or critical", s.Severity)
	}
	out.Severity = sev
	if len(s.Platforms) == 0 {
		return c.at("$", "check %s names no platforms: (windows, linux)", s.ID)
	}
	for i, p := range s.Platforms {
		if !slices.Contains(Platforms, p) || slices.Contains(s.Platforms[:i], p) {
			return c.at(fmt.Sprintf("$.platforms[%d]", i), "platform %q is not windows or linux, or is named twice", p)
		}
	}
	out.Platforms = s.Platforms
	return nil
}

func (c *compiler) mappings(s *checkSpec, out *Check) error {
	// Lists left out are empty, never null, in a report's JSON.
	m := standards.Mappings{
		NDG: s.Mappings.NDG, DSPTItems: s.Mappings.DSPTItems, DSPT: orEmpty(s.Mappings.DSPT),
		CyberEssentials: orEmpty(s.Mappings.CyberEssentials), CAF: orEmpty(s.Mappings.CAF), CIS: s.Mappings.CIS,
	}
	if err := m.Validate(); err != nil {
		return c.at("$.mappings", "mappings: %v", err)
	}
	if c.opts.Items != nil {
		for i, id := range m.DSPTItems {
			if _, ok := c.opts.Items.Item(id); !ok {
				return c.at(fmt.Sprintf("$.mappings.dspt_items[%d]", i), "DSPT item %s is not an item of the %s toolkit (Category %d)", id, c.opts.Items.Toolkit, c.opts.Items.Category)
			}
		}
	}
	out.Mappings = m
	return nil
}

func (c *compiler) remediation(s *checkSpec, out *Check) error {
	for p := range s.Remediation {
		if !slices.Contains(s.Platforms, p) {
			return c.at("$.remediation", "remediation for %s, which is not one of the check's platforms %v", keyName(p), s.Platforms)
		}
	}
	for _, p := range s.Platforms {
		text := strings.TrimSpace(s.Remediation[p])
		if text == "" {
			return c.at("$.remediation", "check %s has no remediation for %s", s.ID, p)
		}
		if err := c.textTooLong("$.remediation."+p, "remediation for "+p, text); err != nil {
			return err
		}
		out.Remediations = append(out.Remediations, PlatformText{p, text})
	}
	return nil
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
