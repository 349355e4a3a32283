package standards

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

//go:embed data/*.json
var embedded embed.FS

// DataSchema is the newest data-file schema this build reads. Files written
// before the field existed have none and are schema 1.
const DataSchema = 1

// MaxDataFileSize bounds a data file: the largest real one is well under
// 1 MiB, so anything near this is not a data file.
const MaxDataFileSize = 16 << 20

// Kinds are the bodies of facts, in the order reports list them.
var Kinds = []string{"ndg-standards", "windows-releases", "windows-updates", "linux-releases", "windows-exploits", "eol-software", "dspt-items", "windows-kev"}

// Provenance says where a body of facts came from and how fresh it is; every
// report shows it, so a reader can tell when the data has gone stale.
type Provenance struct {
	Kind   string `json:"kind"`
	Schema int    `json:"schema,omitempty"`
	AsOf   Date   `json:"as_of"`
	Source string `json:"source"`
	// File is the data file the facts were read from; empty when built in.
	File string `json:"file,omitempty"`
}

// Describe names the body, its date and, when it is not built in, its file.
func (p Provenance) Describe() string {
	if p.File == "" {
		return fmt.Sprintf("%s as of %s", p.Kind, p.AsOf)
	}
	return fmt.Sprintf("%s as of %s (%s)", p.Kind, p.AsOf, p.File)
}

// Meta is the provenance of a body, to fill in before writing it.
func (p *Provenance) Meta() *Provenance { return p }

// Body is one kind of data file, decoded.
type Body interface {
	Meta() *Provenance
	validate() error
	// compare names the facts b changes from the built-in body, and fails
	// when b drops one (a series, a release, a month): a data file may add
	// and correct facts, never silently lose them.
	compare(builtIn Body) ([]FactChange, error)
}

// Data holds every fact the checks judge against.
type Data struct {
	NDG             NDGFile
	WindowsReleases WindowsReleaseFile
	WindowsUpdates  WindowsUpdateFile
	LinuxReleases   LinuxReleaseFile
	Exploits        ExploitFile
	Software        SoftwareFile
	DSPT            DSPTItemFile
	KEV             KEVFile
	// Changes are the built-in facts a data file changed.
	Changes []FactChange
	// Notes say which files of a data folder were not used, and why.
	Notes []string
}

// FactChange is a built-in fact that a data file replaced.
type FactChange struct {
	Kind    string `json:"kind"`
	Key     string `json:"key"`
	Field   string `json:"field"`
	BuiltIn string `json:"built_in"`
	Value   string `json:"value"`
	File    string `json:"file"`
}

func (c FactChange) String() string {
	return fmt.Sprintf("%s %s: %s is %s in %s (built-in: %s)", c.Kind, c.Key, c.Field, c.Value, c.File, c.BuiltIn)
}

// NDGFile is the list of the 10 standards.
type NDGFile struct {
	Provenance
	Standards []Standard `json:"standards"`
}

func (f *NDGFile) validate() error {
	if len(f.Standards) != 10 {
		return fmt.Errorf("%d NDG standards, want 10", len(f.Standards))
	}
	for i, s := range f.Standards {
		if s.Number != i+1 {
			return fmt.Errorf("standard %d is listed as number %d", i+1, s.Number)
		}
	}
	return nil
}

func (f *NDGFile) compare(Body) ([]FactChange, error) { return nil, nil }

// Provenances lists the provenance of every body of facts, in a fixed order.
func (d *Data) Provenances() []Provenance {
	var out []Provenance
	for _, kind := range Kinds {
		out = append(out, *d.body(kind).Meta())
	}
	return out
}

// Provenance returns the provenance of one kind of facts.
func (d *Data) Provenance(kind string) Provenance { return *d.body(kind).Meta() }

// ChangesTo lists the changes data files made to one fact's key.
func (d *Data) ChangesTo(kind, key string) []FactChange {
	var out []FactChange
	for _, c := range d.Changes {
		if c.Kind == kind && c.Key == key {
			out = append(out, c)
		}
	}
	return out
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

// fresh returns an empty body of a kind, so a file is never decoded over
// facts already held (the decoder would fill existing slices in place).
func fresh(kind string) Body {
	switch kind {
	case "ndg-standards":
		return &NDGFile{}
	case "windows-releases":
		return &WindowsReleaseFile{}
	case "windows-updates":
		return &WindowsUpdateFile{}
	case "linux-releases":
		return &LinuxReleaseFile{}
	case "windows-exploits":
		return &ExploitFile{}
	case "eol-software":
		return &SoftwareFile{}
	case "dspt-items":
		return &DSPTItemFile{}
	case "windows-kev":
		return &KEVFile{}
	}
	return nil
}

func (d *Data) body(kind string) Body {
	switch kind {
	case "ndg-standards":
		return &d.NDG
	case "windows-releases":
		return &d.WindowsReleases
	case "windows-updates":
		return &d.WindowsUpdates
	case "linux-releases":
		return &d.LinuxReleases
	case "windows-exploits":
		return &d.Exploits
	case "eol-software":
		return &d.Software
	case "dspt-items":
		return &d.DSPT
	case "windows-kev":
		return &d.KEV
	}
	return nil
}

func (d *Data) install(b Body) {
	switch v := b.(type) {
	case *NDGFile:
		d.NDG = *v
	case *WindowsReleaseFile:
		d.WindowsReleases = *v
	case *WindowsUpdateFile:
		d.WindowsUpdates = *v
	case *LinuxReleaseFile:
		d.LinuxReleases = *v
	case *ExploitFile:
		d.Exploits = *v
	case *SoftwareFile:
		d.Software = *v
	case *DSPTItemFile:
		d.DSPT = *v
	case *KEVFile:
		d.KEV = *v
	}
}

// Sources are the data beyond the built-in facts.
type Sources struct {
	// Dir is a data folder, as `dspt-audit data update` keeps it: each
	// KIND.json in it is used when it is newer than the built-in body. A
	// file there that is bad or older is left aside with a note, never an
	// error, so an unattended scan does not stop for it.
	Dir string
	// Files are data files the user named (--data); a bad one is an error.
	Files []string
	// Now bounds as_of dates (a file from the future is not believed);
	// zero means the clock.
	Now time.Time
}

// Load returns the built-in facts with each data file applied.
func Load(files ...string) (*Data, error) { return LoadFrom(Sources{Files: files}) }

// LoadFrom returns the built-in facts, then those of the data folder that
// are newer, then the named files. Each body is decoded fresh, checked on
// its own and against the built-in body it replaces.
func LoadFrom(src Sources) (*Data, error) {
	now := src.Now
	if now.IsZero() {
		now = time.Now()
	}
	d, err := builtIn()
	if err != nil || src.Dir == "" && len(src.Files) == 0 {
		return d, err
	}
	base, _ := builtIn() // the same embedded bytes decoded a second time
	if src.Dir != "" {
		d.applyDir(base, src.Dir, now)
	}
	for _, file := range src.Files {
		if err := d.applyFile(base, file, now, false); err != nil {
			return nil, err
		}
	}
	return d, nil
}

func builtIn() (*Data, error) {
	d := &Data{}
	for _, kind := range Kinds {
		b, err := embedded.ReadFile(path.Join("data", kind+".json"))
		if err != nil {
			return nil, fmt.Errorf("built-in data %s: %w", kind, err)
		}
		v, err := DecodeDataFile(b)
		if err != nil {
			return nil, fmt.Errorf("built-in data %s: %w", kind, err)
		}
		d.install(v)
	}
	return d, nil
}

func (d *Data) applyDir(base *Data, dir string, now time.Time) {
	for _, kind := range Kinds {
		file := filepath.Join(dir, kind+".json")
		if _, err := os.Stat(file); errors.Is(err, os.ErrNotExist) {
			continue
		}
		err := d.applyFile(base, file, now, true)
		if err != nil && !errors.Is(err, errNotNewer) {
			d.Notes = append(d.Notes, fmt.Sprintf("%s not used: %v", file, err))
		}
	}
}

// errNotNewer marks a data-folder file that adds nothing to the built-in
// facts, which is normal after upgrading dspt-audit: it is passed over
// without a note (the provenance shows the built-in facts are in use).
var errNotNewer = errors.New("not newer than the built-in data")

func (d *Data) applyFile(base *Data, file string, now time.Time, onlyNewer bool) error {
	b, err := readBounded(file)
	if err != nil {
		return fmt.Errorf("data file: %w", err)
	}
	v, err := DecodeDataFile(b)
	if err != nil {
		return fmt.Errorf("data file %s: %w", file, err)
	}
	p := v.Meta()
	kind := p.Kind
	if p.AsOf.After(now.Add(48 * time.Hour)) {
		return fmt.Errorf("data file %s is as of %s, which is in the future: the file or this computer's clock is wrong", file, p.AsOf)
	}
	builtInAsOf := base.body(kind).Meta().AsOf
	switch {
	case onlyNewer && !p.AsOf.After(builtInAsOf.Time):
		return fmt.Errorf("%w (as of %s; built-in %s)", errNotNewer, p.AsOf, builtInAsOf)
	case p.AsOf.Before(builtInAsOf.Time):
		return fmt.Errorf("data file %s is as of %s, older than the built-in %s data (as of %s): use a newer file or drop --data", file, p.AsOf, kind, builtInAsOf)
	}
	changes, err := v.compare(base.body(kind))
	if err != nil {
		return fmt.Errorf("data file %s: %w", file, err)
	}
	p.File = file
	for i := range changes {
		changes[i].Kind, changes[i].File = kind, file
	}
	d.Changes = append(dropChanges(d.Changes, kind), changes...)
	d.install(v)
	return nil
}

func dropChanges(changes []FactChange, kind string) []FactChange {
	var out []FactChange
	for _, c := range changes {
		if c.Kind != kind {
			out = append(out, c)
		}
	}
	return out
}

func readBounded(file string) ([]byte, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, MaxDataFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(b) > MaxDataFileSize {
		return nil, fmt.Errorf("%s is larger than %d MiB, too large for a data file", file, MaxDataFileSize>>20)
	}
	return b, nil
}

// DecodeDataFile reads one data file into a fresh body and checks it on its
// own: schema, dates, order.
func DecodeDataFile(b []byte) (Body, error) {
	b, err := UTF8Text(b)
	if err != nil {
		return nil, err
	}
	head, err := peekHead(b)
	if err != nil {
		return nil, err
	}
	v := fresh(head.Kind)
	if v == nil {
		return nil, fmt.Errorf("kind %q is not one of %v", head.Kind, Kinds)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return nil, fmt.Errorf("%s: %w", head.Kind, err)
	}
	if v.Meta().Source == "" {
		return nil, fmt.Errorf("%s: no \"source\": a data file must say where its facts come from", head.Kind)
	}
	if s, ok := unsafeString(b); ok {
		return nil, fmt.Errorf("%s: the text %q holds a control character; a data file never needs one", head.Kind, s)
	}
	if err := v.validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", head.Kind, err)
	}
	return v, nil
}

type dataHead struct {
	Kind   string `json:"kind"`
	Schema int    `json:"schema"`
	AsOf   string `json:"as_of"`
}

// peekHead reads a data file's kind, schema and as_of date.
func peekHead(b []byte) (dataHead, error) {
	var head dataHead
	if err := json.Unmarshal(b, &head); err != nil {
		return head, fmt.Errorf("not valid JSON: %w", err)
	}
	if head.Kind == "" {
		return head, fmt.Errorf("no \"kind\" field")
	}
	if head.Schema > DataSchema {
		return head, fmt.Errorf("written for data schema %d by a newer dspt-audit; this build reads up to %d: upgrade dspt-audit", head.Schema, DataSchema)
	}
	d, err := ParseDate(head.AsOf)
	if err != nil {
		return head, fmt.Errorf("\"as_of\": %w", err)
	}
	if err := plausible(d); err != nil {
		return head, fmt.Errorf("\"as_of\": %w", err)
	}
	return head, nil
}

// plausible refuses dates no lifecycle or update fact can have.
func plausible(d Date) error {
	if d.Year() < 1990 || d.Year() > 2100 {
		return fmt.Errorf("date %s is out of range", d)
	}
	return nil
}

// unsafeString finds a string in a JSON document that holds a control
// character or a bidirectional override, which could act on a terminal or
// disguise a fact when shown.
func unsafeString(b []byte) (string, bool) {
	if !mayHoldUnsafe(b) {
		return "", false
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	for {
		tok, err := dec.Token()
		if err != nil {
			return "", false
		}
		if s, ok := tok.(string); ok && textUnsafe(s) {
			return s, true
		}
	}
}

// mayHoldUnsafe reports whether a JSON document could hold a string with a
// character UnsafeRune names: an escape that can spell one (\u, \n, \t,
// \r, \b, \f), or one written raw beyond ASCII (raw ASCII control
// characters are not valid inside JSON strings). Most data files hold
// neither, and are spared tokenizing.
func mayHoldUnsafe(b []byte) bool {
	for i := 0; i < len(b); i++ {
		switch c := b[i]; {
		case c == '\\':
			if i+1 < len(b) && bytes.IndexByte([]byte("untrbf"), b[i+1]) >= 0 {
				return true
			}
			i++
		case c >= utf8.RuneSelf:
			r, size := utf8.DecodeRune(b[i:])
			if UnsafeRune(r) {
				return true
			}
			i += size - 1
		}
	}
	return false
}

// textUnsafe reports whether s holds a character UnsafeRune names.
func textUnsafe(s string) bool { return strings.ContainsFunc(s, UnsafeRune) }

// UnsafeRune reports a character that can act on a terminal or a log, or
// disguise text when shown: a control character (tab and line breaks
// included), a line or paragraph separator, a bidirectional override.
func UnsafeRune(r rune) bool {
	return unicode.IsControl(r) || r == 0x2028 || r == 0x2029 || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069)
}
