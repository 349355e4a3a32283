package standards

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"os"
	"path"
)

//go:embed data/*.json
var embedded embed.FS

// Provenance says where a body of facts came from and how fresh it is; every
// report shows it, so a reader can tell when the data has gone stale.
type Provenance struct {
	Kind   string `json:"kind"`
	AsOf   Date   `json:"as_of"`
	Source string `json:"source"`
	// File is the override file the facts were read from; empty when built in.
	File string `json:"file,omitempty"`
}

// Data holds every fact the checks judge against.
type Data struct {
	NDG             NDGFile
	WindowsReleases WindowsReleaseFile
	WindowsUpdates  WindowsUpdateFile
	LinuxReleases   LinuxReleaseFile
	Exploits        ExploitFile
	Software        SoftwareFile
}

// NDGFile is the list of the 10 standards.
type NDGFile struct {
	Provenance
	Standards []Standard `json:"standards"`
}

// Provenances lists the provenance of every body of facts, in a fixed order.
func (d *Data) Provenances() []Provenance {
	return []Provenance{d.NDG.Provenance, d.WindowsReleases.Provenance, d.WindowsUpdates.Provenance, d.LinuxReleases.Provenance, d.Exploits.Provenance, d.Software.Provenance}
}

// Standard returns the NDG standard with that number.
func (d *Data) Standard(n int) (Standard, bool) {
	for _, s := range d.NDG.Standards {
		if s.Number == n {
			return s, true
		}
	}
	return Standard{}, false
}

// target returns where a file of that kind is decoded into.
func (d *Data) target(kind string) (any, *Provenance) {
	switch kind {
	case "ndg-standards":
		return &d.NDG, &d.NDG.Provenance
	case "windows-releases":
		return &d.WindowsReleases, &d.WindowsReleases.Provenance
	case "windows-updates":
		return &d.WindowsUpdates, &d.WindowsUpdates.Provenance
	case "linux-releases":
		return &d.LinuxReleases, &d.LinuxReleases.Provenance
	case "windows-exploits":
		return &d.Exploits, &d.Exploits.Provenance
	case "eol-software":
		return &d.Software, &d.Software.Provenance
	}
	return nil, nil
}

// Load returns the built-in facts, each body replaced by the override file
// of the same kind when one is given. An override older than the built-in
// facts is refused: it would silently make verdicts worse informed.
func Load(overrides ...string) (*Data, error) {
	d := &Data{}
	entries, err := embedded.ReadDir("data")
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		b, _ := embedded.ReadFile(path.Join("data", e.Name()))
		if err := d.decode(b, ""); err != nil {
			return nil, fmt.Errorf("built-in data %s: %w", e.Name(), err)
		}
	}
	for _, file := range overrides {
		if err := d.override(file); err != nil {
			return nil, err
		}
	}
	return d, d.validate()
}

func (d *Data) override(file string) error {
	b, err := os.ReadFile(file)
	if err != nil {
		return fmt.Errorf("data file: %w", err)
	}
	kind, err := peekKind(b)
	if err != nil {
		return fmt.Errorf("data file %s: %w", file, err)
	}
	_, current := d.target(kind)
	if current == nil {
		return fmt.Errorf("data file %s: kind %q is not one of ndg-standards, windows-releases, windows-updates, linux-releases, windows-exploits, eol-software", file, kind)
	}
	builtIn := *current
	if err := d.decode(b, file); err != nil {
		return fmt.Errorf("data file %s: %w", file, err)
	}
	if current.AsOf.Before(builtIn.AsOf.Time) {
		return fmt.Errorf("data file %s is as of %s, older than the built-in %s data (as of %s): use a newer file or drop --data", file, current.AsOf, kind, builtIn.AsOf)
	}
	return nil
}

// peekKind reads a data file's kind and checks it has an as_of date.
func peekKind(b []byte) (string, error) {
	var head struct {
		Kind string `json:"kind"`
		AsOf string `json:"as_of"`
	}
	if err := json.Unmarshal(b, &head); err != nil {
		return "", fmt.Errorf("not valid JSON: %w", err)
	}
	if head.Kind == "" {
		return "", fmt.Errorf("no \"kind\" field")
	}
	if _, err := ParseDate(head.AsOf); err != nil {
		return "", fmt.Errorf("\"as_of\": %w", err)
	}
	return head.Kind, nil
}

func (d *Data) decode(b []byte, file string) error {
	kind, err := peekKind(b)
	if err != nil {
		return err
	}
	dst, prov := d.target(kind)
	if dst == nil {
		return fmt.Errorf("unknown kind %q", kind)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return fmt.Errorf("%s: %w", kind, err)
	}
	prov.File = file
	return nil
}

func (d *Data) validate() error {
	if len(d.NDG.Standards) != 10 {
		return fmt.Errorf("data: %d NDG standards, want 10", len(d.NDG.Standards))
	}
	if err := d.WindowsUpdates.validate(); err != nil {
		return fmt.Errorf("data %s: %w", fileOrBuiltIn(d.WindowsUpdates.File), err)
	}
	if err := d.WindowsReleases.validate(); err != nil {
		return fmt.Errorf("data %s: %w", fileOrBuiltIn(d.WindowsReleases.File), err)
	}
	if err := d.Exploits.validate(); err != nil {
		return fmt.Errorf("data %s: %w", fileOrBuiltIn(d.Exploits.File), err)
	}
	if err := d.Software.validate(); err != nil {
		return fmt.Errorf("data %s: %w", fileOrBuiltIn(d.Software.File), err)
	}
	return nil
}

func fileOrBuiltIn(f string) string {
	if f == "" {
		return "built-in"
	}
	return f
}
