package checkfile

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/nhs-dspt/dspt-audit/checks/probe"
	"github.com/nhs-dspt/dspt-audit/standards"
)

// ruleSpec is a rule: a combinator of rules, or one test on a read.
type ruleSpec struct {
	All  []ruleSpec `yaml:"all"`
	Any  []ruleSpec `yaml:"any"`
	None []ruleSpec `yaml:"none"`

	Read           string  `yaml:"read"`
	Exists         *bool   `yaml:"exists"`
	Equals         any     `yaml:"equals"`
	OneOf          []any   `yaml:"one_of"`
	Min            *uint64 `yaml:"min"`
	Max            *uint64 `yaml:"max"`
	Bits           *uint64 `yaml:"bits"`
	Matches        *string `yaml:"matches"`
	VersionAtLeast *string `yaml:"version_at_least"`
}

// tri is a three-valued truth: a rule over a read that failed is unknown.
type tri int8

const (
	no tri = iota
	yes
	unknown
)

func truth(b bool) tri {
	if b {
		return yes
	}
	return no
}

// rule is a compiled rule.
type rule struct {
	combinator string // all, any, none; empty for a test
	rules      []*rule
	read       int
	test       func(value) bool
}

// eval judges the rule, reading what it needs through get. all is false
// when any part is false, any is true when any part is true, whatever the
// others' values; otherwise a part that is unknown makes the whole unknown.
func (r *rule) eval(get func(int) value) tri {
	if r.combinator == "" {
		v := get(r.read)
		if v.failed != nil {
			return unknown
		}
		return truth(r.test(v))
	}
	stop := no // the value of a part that decides all (no) or any/none (yes)
	if r.combinator != "all" {
		stop = yes
	}
	sawUnknown := false
	for _, p := range r.rules {
		switch p.eval(get) {
		case stop:
			return truth(r.combinator == "any")
		case unknown:
			sawUnknown = true
		}
	}
	switch {
	case sawUnknown:
		return unknown
	case r.combinator == "any":
		return no
	}
	return yes // all with every part true; none with every part false
}

// refs adds the reads the rule names to set.
func (r *rule) refs(set map[int]bool) {
	if r.combinator == "" {
		set[r.read] = true
	}
	for _, p := range r.rules {
		p.refs(set)
	}
}

// maxRuleDepth bounds how deeply combinators nest.
const maxRuleDepth = 8

func (c *compiler) compileRule(s *ruleSpec, at string, reads []*read, depth int) (*rule, error) {
	if depth > maxRuleDepth {
		return nil, c.at(at, "rules nested more than %d deep", maxRuleDepth)
	}
	var parts []string
	for _, p := range []struct {
		name string
		set  bool
	}{{"all", s.All != nil}, {"any", s.Any != nil}, {"none", s.None != nil}, {"read", s.Read != ""}} {
		if p.set {
			parts = append(parts, p.name)
		}
	}
	if len(parts) != 1 {
		return nil, c.at(at, "a rule must be exactly one of all:, any:, none: or a test on a read: (it has %s)", describeParts(parts))
	}
	if s.Read == "" {
		return c.combinator(s, parts[0], at, reads, depth)
	}
	i := slices.IndexFunc(reads, func(r *read) bool { return r.name == s.Read })
	if i < 0 {
		return nil, c.at(at+".read", "rule reads %q, which is not one of the check's reads", s.Read)
	}
	test, err := c.compileTest(s, at, reads[i])
	if err != nil {
		return nil, err
	}
	return &rule{read: i, test: test}, nil
}

func describeParts(parts []string) string {
	if len(parts) == 0 {
		return "none of them"
	}
	return strings.Join(parts, " and ")
}

func (c *compiler) combinator(s *ruleSpec, name, at string, reads []*read, depth int) (*rule, error) {
	specs := map[string][]ruleSpec{"all": s.All, "any": s.Any, "none": s.None}[name]
	if len(specs) == 0 {
		return nil, c.at(at+"."+name, "%s: lists no rules", name)
	}
	if s.Exists != nil || s.Equals != nil || s.OneOf != nil || s.Min != nil || s.Max != nil || s.Bits != nil || s.Matches != nil || s.VersionAtLeast != nil {
		return nil, c.at(at, "%s: has a test beside it; a test goes with read:", name)
	}
	r := &rule{combinator: name}
	for i := range specs {
		p, err := c.compileRule(&specs[i], fmt.Sprintf("%s.%s[%d]", at, name, i), reads, depth+1)
		if err != nil {
			return nil, err
		}
		r.rules = append(r.rules, p)
	}
	return r, nil
}

// compileTest turns the one test beside read: into a function of the
// value. A test of a read that is not set is false, except exists: false.
func (c *compiler) compileTest(s *ruleSpec, at string, r *read) (func(value) bool, error) {
	var tests []func(value) bool
	var names []string
	add := func(name string, f func(value) bool) {
		tests, names = append(tests, f), append(names, name)
	}
	if s.Exists != nil {
		want := *s.Exists
		add("exists", func(v value) bool { return v.set == want })
	}
	if s.Equals != nil {
		want, err := scalarText(s.Equals)
		if err != nil {
			return nil, c.at(at+".equals", "equals: %v", err)
		}
		add("equals", func(v value) bool { return v.set && strings.EqualFold(v.text, want) })
	}
	if s.OneOf != nil {
		var want []string
		for i, x := range s.OneOf {
			t, err := scalarText(x)
			if err != nil {
				return nil, c.at(fmt.Sprintf("%s.one_of[%d]", at, i), "one_of: %v", err)
			}
			want = append(want, t)
		}
		if len(want) == 0 {
			return nil, c.at(at+".one_of", "one_of: lists no values")
		}
		add("one_of", func(v value) bool {
			return v.set && slices.ContainsFunc(want, func(w string) bool { return strings.EqualFold(v.text, w) })
		})
	}
	if s.Min != nil || s.Max != nil {
		if err := c.numericRead(r, at, "min/max"); err != nil {
			return nil, err
		}
		lo, hi := uint64(0), ^uint64(0)
		if s.Min != nil {
			lo = *s.Min
		}
		if s.Max != nil {
			hi = *s.Max
		}
		if lo > hi {
			return nil, c.at(at, "min %d is above max %d", lo, hi)
		}
		add("min/max", func(v value) bool { n, ok := v.numeric(); return ok && n >= lo && n <= hi })
	}
	if s.Bits != nil {
		if err := c.numericRead(r, at, "bits"); err != nil {
			return nil, err
		}
		mask := *s.Bits
		if mask == 0 {
			return nil, c.at(at+".bits", "bits: 0 sets no bit")
		}
		add("bits", func(v value) bool { n, ok := v.numeric(); return ok && n&mask == mask })
	}
	if s.Matches != nil {
		re, err := compileRegex(*s.Matches)
		if err != nil {
			return nil, c.at(at+".matches", "matches: %v", err)
		}
		add("matches", func(v value) bool { return v.set && re.MatchString(v.text) })
	}
	if s.VersionAtLeast != nil {
		if r.kind != ProgramRead && r.kind != RegistryRead && r.kind != SettingRead && r.kind != FileRead {
			return nil, c.at(at, "version_at_least: over a %s read, which has no version", r.kind)
		}
		floor, ok := parseVersion(*s.VersionAtLeast)
		if !ok || !versionForm.MatchString(*s.VersionAtLeast) {
			return nil, c.at(at+".version_at_least", "version_at_least %q is not a version of dotted numbers (10.2.1)", *s.VersionAtLeast)
		}
		add("version_at_least", func(v value) bool {
			got, ok := parseVersion(v.text)
			return v.set && ok && standards.CompareVersions(got, floor) >= 0
		})
	}
	if len(tests) != 1 {
		return nil, c.at(at, "a test on read %s must be exactly one of exists, equals, one_of, min/max, bits, matches, version_at_least (it has %s)", r.name, describeParts(names))
	}
	return tests[0], nil
}

var versionForm = regexp.MustCompile(`^[0-9]{1,8}(\.[0-9]{1,8}){0,7}$`)

func (c *compiler) numericRead(r *read, at, test string) error {
	if r.kind == FileRead || r.kind == ProgramRead || r.text {
		return c.at(at, "%s: over read %s, whose value is not a number", test, r.name)
	}
	return nil
}

// scalarText is a rule's operand as the text it is compared with.
func scalarText(x any) (string, error) {
	switch v := x.(type) {
	case string:
		return v, nil
	case bool:
		return "", fmt.Errorf("true/false is not a value to compare with; quote it (\"yes\")")
	case uint64, int64, int, uint32, int32:
		return fmt.Sprint(v), nil
	case float64:
		if v == float64(uint64(v)) && v >= 0 {
			return fmt.Sprint(uint64(v)), nil
		}
	}
	return "", fmt.Errorf("%v is not a number or a text", x)
}

// outcome is a case: when its rule is true, the status and summary.
type outcome struct {
	when    *rule // nil for otherwise
	status  standards.Status
	summary template
	refs    []int // the reads the rule and summary name, in declared order
	quoted  []int // the reads the summary names, in declared order
}

func (c *compiler) compileCases(s *checkSpec, out *Check) error {
	if len(s.Verdicts) == 0 {
		return c.at("$", "check %s has no verdicts:", s.ID)
	}
	if s.Otherwise == nil {
		return c.at("$", "check %s has no otherwise: (the verdict when no case applies)", s.ID)
	}
	for i := range s.Verdicts {
		at := fmt.Sprintf("$.verdicts[%d]", i)
		v := &s.Verdicts[i]
		if v.When == nil {
			return c.at(at, "a verdict without when:")
		}
		when, err := c.compileRule(v.When, at+".when", out.reads, 0)
		if err != nil {
			return err
		}
		o, err := c.outcome(v.Status, v.Summary, at, out.reads)
		if err != nil {
			return err
		}
		o.when = when
		out.cases = append(out.cases, o.withRefs())
	}
	o, err := c.outcome(s.Otherwise.Status, s.Otherwise.Summary, "$.otherwise", out.reads)
	if err != nil {
		return err
	}
	out.cases = append(out.cases, o.withRefs())
	return nil
}

func (c *compiler) outcome(status, summary, at string, reads []*read) (*outcome, error) {
	st, ok := statuses[status]
	if !ok {
		return nil, c.at(at+".status", "status %q is not pass, warn, fail or not_applicable", status)
	}
	if strings.TrimSpace(summary) == "" {
		return nil, c.at(at, "a verdict without summary:")
	}
	if err := c.textTooLong(at+".summary", "summary", summary); err != nil {
		return nil, err
	}
	t, err := parseTemplate(summary, reads)
	if err != nil {
		return nil, c.at(at+".summary", "summary: %v", err)
	}
	return &outcome{status: st, summary: t}, nil
}

func (o *outcome) withRefs() *outcome {
	set := map[int]bool{}
	for _, p := range o.summary {
		if p.field != "" {
			set[p.read] = true
		}
	}
	o.quoted = sortedKeys(set)
	if o.when != nil {
		o.when.refs(set)
	}
	o.refs = sortedKeys(set)
	return o
}

func sortedKeys(set map[int]bool) []int {
	var out []int
	for i := range set {
		out = append(out, i)
	}
	slices.Sort(out)
	return out
}

// Judgement is a check's judgement. When Failed is not empty, the reads it
// names made the verdict impossible to tell, and Status and Summary are
// empty: the caller says unknown or needs_admin, about About.
type Judgement struct {
	Status  standards.Status
	Summary string
	About   string
	Failed  []probe.Observation
}

// Judge reads what the check needs and judges it. Reads are made in the
// order the check declares them, up to the last one the deciding case
// needs, so the evidence is the same whatever order the rules name them.
// The first case whose rule is true gives the verdict; the first whose rule
// cannot be told (a read it needs failed) stops judging with the failed
// reads named, so a failed read never passes.
func (c *Check) Judge(o probe.Observer) Judgement {
	values := make([]value, len(c.reads))
	done := 0
	get := func(i int) value {
		for ; done <= i; done++ {
			values[done] = c.reads[done].observe(o)
		}
		return values[i]
	}
	for _, k := range c.cases {
		t := yes
		if k.when != nil {
			t = k.when.eval(get)
		}
		if t == no {
			continue
		}
		// A rule that cannot be told names the failures among every read
		// the case names; a rule that holds, those among the reads its
		// summary quotes, for a summary cannot quote what was not read.
		// (The built-in checks' Go code named every read of the case, and
		// the migrated ones stay byte-identical to it.)
		needed := k.quoted
		if t == unknown {
			needed = k.refs
		}
		about, failed := c.failures(needed, get)
		if failed != nil {
			return Judgement{About: about, Failed: failed}
		}
		return Judgement{Status: k.status, Summary: k.summary.render(get, c.reads)}
	}
	return Judgement{} // not reached: the last case is otherwise
}

// failures are the failed reads among needed, each probe once, and what
// the first of them could not tell (the check's about when it says none).
func (c *Check) failures(needed []int, get func(int) value) (string, []probe.Observation) {
	about := c.About
	var failed []probe.Observation
	seen := map[string]bool{}
	for _, i := range needed {
		v := get(i)
		if v.failed == nil {
			continue
		}
		if failed == nil && c.reads[i].about != "" {
			about = c.reads[i].about // the first failed read says what could not be told
		}
		for _, o := range v.failed {
			if !seen[o.Key] {
				seen[o.Key] = true
				failed = append(failed, o)
			}
		}
	}
	return about, failed
}
