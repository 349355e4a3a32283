package checks

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sync"

	"github.com/nhs-dspt/dspt-audit/checks/checkfile"
)

// FromFile makes a catalogue check of a check written as data. origin is
// the checks file a custom check came from; empty for a built-in one.
func FromFile(c *checkfile.Check, origin string) *Check {
	out := &Check{
		ID:          c.ID,
		Title:       c.Title,
		Severity:    c.Severity,
		Platforms:   slices.Clone(c.Platforms),
		Mappings:    c.Mappings,
		Remediation: c.Remediations[0].Text,
		Reads:       c.Queries(),
		Origin:      origin,
		Evaluate: func(e *Env) Verdict {
			j := c.Judge(e)
			if j.Failed != nil {
				return cannotTell(j.About, j.Failed...)
			}
			return Verdict{Status: j.Status, Summary: j.Summary}
		},
	}
	if len(c.Remediations) > 1 {
		out.Remediations = map[string]string{}
		for _, r := range c.Remediations {
			out.Remediations[r.Platform] = r.Text
		}
	}
	return out
}

// builtinFiles are the built-in checks written as data: the plain policy
// reads, in the same format as custom checks.
//
//go:embed builtin/*.yaml
var builtinFiles embed.FS

// builtinSpecs are the embedded checks, compiled once: they never change
// while the program runs, and a check's Judge keeps no state.
var builtinSpecs = sync.OnceValue(func() map[string]*checkfile.Check {
	specs, err := loadBuiltinFiles()
	if err != nil {
		panic(err) // the embedded files are tested; this cannot happen in a release
	}
	return specs
})

// loadBuiltinFiles compiles the embedded checks files, keyed by check ID.
func loadBuiltinFiles() (map[string]*checkfile.Check, error) {
	names, err := fs.Glob(builtinFiles, "builtin/*.yaml")
	if err != nil {
		return nil, err
	}
	out := map[string]*checkfile.Check{}
	for _, name := range names {
		b, err := builtinFiles.ReadFile(name)
		if err != nil {
			return nil, err
		}
		specs, problems := checkfile.Parse(b, checkfile.Options{Prefix: CustomPrefix})
		if len(problems) > 0 {
			return nil, fmt.Errorf("built-in checks file %s: %v", path.Base(name), problems[0])
		}
		for _, s := range specs {
			if _, dup := out[s.ID]; dup {
				return nil, fmt.Errorf("built-in checks file %s: id %s is in two files", path.Base(name), s.ID)
			}
			out[s.ID] = s
		}
	}
	return out, nil
}

func builtinCheck(id string) *Check {
	s, ok := builtinSpecs()[id]
	if !ok {
		panic("no built-in checks file defines " + id)
	}
	return FromFile(s, "")
}
