package checkfile

import (
	"encoding/json"
	"fmt"
	"github.com/nhs-dspt/dspt-audit/standards"
	"regexp"
	"slices"
	"strings"

	"github.com/nhs-dspt/dspt-audit/checks/probe"
)

// readSpec is one named read: exactly one kind of probe.
type readSpec struct {
	Name     string        `yaml:"name"`
	About    string        `yaml:"about"`
	Registry *registrySpec `yaml:"registry"`
	Policy   *policySpec   `yaml:"policy"`
	File     *fileSpec     `yaml:"file"`
	Service  *serviceSpec  `yaml:"service"`
	Program  *programSpec  `yaml:"program"`
	Setting  *settingSpec  `yaml:"setting"`
}

type registrySpec struct {
	Key   string `yaml:"key"`
	Value string `yaml:"value"`
	// Type is number (the default: DWORD, QWORD or a number as REG_SZ) or text.
	Type string `yaml:"type"`
}

type policySpec struct {
	PolicyKey  string `yaml:"policy_key"`
	LocalKey   string `yaml:"local_key"`
	Value      string `yaml:"value"`
	LocalValue string `yaml:"local_value"`
}

type fileSpec struct {
	Path string `yaml:"path"`
}

type serviceSpec struct {
	Name string `yaml:"name"`
}

type programSpec struct {
	// Name is a regular expression on the program's display name, matched
	// case-insensitively.
	Name string `yaml:"name"`
}

type settingSpec struct {
	Path    string `yaml:"path"`
	Key     string `yaml:"key"`
	Include string `yaml:"include"`
}

// Kind is the kind of a read.
type Kind string

// The kinds of read a checks file may use.
const (
	RegistryRead Kind = "registry"
	PolicyRead   Kind = "policy"
	FileRead     Kind = "file"
	ServiceRead  Kind = "service"
	ProgramRead  Kind = "program"
	SettingRead  Kind = "setting"
)

// kindPlatform is the one platform a kind of read works on (a file read's
// is its path's); a check that uses it must run on that platform alone, or
// it could never be told on the other.
var kindPlatform = map[Kind]string{
	RegistryRead: "windows", PolicyRead: "windows", ServiceRead: "windows", ProgramRead: "windows",
	SettingRead: "linux",
}

// read is a compiled read.
type read struct {
	name, about string
	kind        Kind
	text        bool // a registry read of a text value
	queries     []probe.Query
	program     *regexp.Regexp
	settingKey  string // lower case, as sshd compares keywords
	settingName string // as the check writes it
}

var (
	readName     = regexp.MustCompile(`^[a-z][a-z0-9_]{0,31}$`)
	checkID      = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,63}$`)
	registryPath = regexp.MustCompile(`^(HKLM|HKU)\\[^*?\x00]{1,250}$`)
	valueName    = regexp.MustCompile(`^[^\\*?\x00]{1,200}$`)
	serviceName  = regexp.MustCompile(`^[A-Za-z0-9_.\-]{1,80}$`)
	settingKey   = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_.\-]{0,63}$`)
)

// maxRegex bounds a regular expression's length; RE2 runs in time linear
// in its input, so the length is the only bound needed.
const maxRegex = 1000

func (c *compiler) compileReads(s *checkSpec, out *Check) error {
	if len(s.Reads) == 0 {
		return c.at("$", "check %s has no reads:", s.ID)
	}
	if len(s.Reads) > 32 {
		return c.at("$.reads", "check %s has %d reads; at most 32", s.ID, len(s.Reads))
	}
	for i, rs := range s.Reads {
		at := fmt.Sprintf("$.reads[%d]", i)
		r, err := c.compileRead(rs, at, s.Platforms)
		if err != nil {
			return err
		}
		if slices.ContainsFunc(out.reads, func(o *read) bool { return o.name == r.name }) {
			return c.at(at+".name", "read %q is named twice", r.name)
		}
		out.reads = append(out.reads, r)
	}
	return nil
}

func (c *compiler) compileRead(rs readSpec, at string, platforms []string) (*read, error) {
	if !readName.MatchString(rs.Name) {
		return nil, c.at(at, "read name %q is not lower-case letters, digits and _ starting with a letter", rs.Name)
	}
	r := &read{name: rs.Name, about: strings.TrimSpace(rs.About)}
	var kinds []Kind
	var err error
	if rs.Registry != nil {
		kinds = append(kinds, RegistryRead)
		err = c.registry(r, rs.Registry, at+".registry")
	}
	if rs.Policy != nil {
		kinds = append(kinds, PolicyRead)
		err = c.policy(r, rs.Policy, at+".policy")
	}
	if rs.File != nil {
		kinds = append(kinds, FileRead)
		err = c.file(r, rs.File, at+".file")
	}
	if rs.Service != nil {
		kinds = append(kinds, ServiceRead)
		err = c.service(r, rs.Service, at+".service")
	}
	if rs.Program != nil {
		kinds = append(kinds, ProgramRead)
		err = c.program(r, rs.Program, at+".program")
	}
	if rs.Setting != nil {
		kinds = append(kinds, SettingRead)
		err = c.setting(r, rs.Setting, at+".setting")
	}
	if len(kinds) != 1 {
		return nil, c.at(at, "read %s must be exactly one of registry, policy, file, service, program or setting (it has %d)", rs.Name, len(kinds))
	}
	if err != nil {
		return nil, err
	}
	r.kind = kinds[0]
	p := kindPlatform[r.kind]
	if r.kind == FileRead {
		p = "windows"
		if strings.HasPrefix(rs.File.Path, "/") {
			p = "linux"
		}
	}
	if len(platforms) != 1 || platforms[0] != p {
		return nil, c.at(at, "read %s is a %s read, which only %s has, but the check runs on %s (write one check for each platform)", rs.Name, r.kind, p, strings.Join(platforms, ", "))
	}
	return r, nil
}

func (c *compiler) registryValue(key, value, at string) (probe.Query, error) {
	if !registryPath.MatchString(key) {
		return probe.Query{}, c.at(at, "registry key \"%s\" is not a path under HKLM\\ or HKU\\ without wildcards", key)
	}
	if !valueName.MatchString(value) {
		return probe.Query{}, c.at(at, "registry value name \"%s\" is empty or has \\, * or ?", value)
	}
	return probe.RegistryValue(key, value), nil
}

func (c *compiler) registry(r *read, s *registrySpec, at string) error {
	q, err := c.registryValue(s.Key, s.Value, at)
	if err != nil {
		return err
	}
	switch s.Type {
	case "", "number":
	case "text":
		r.text = true
	default:
		return c.at(at+".type", "registry type %q is not number or text", s.Type)
	}
	r.queries = []probe.Query{q}
	return nil
}

func (c *compiler) policy(r *read, s *policySpec, at string) error {
	local := s.LocalValue
	if local == "" {
		local = s.Value
	}
	pol, err := c.registryValue(s.PolicyKey, s.Value, at)
	if err != nil {
		return err
	}
	loc, err := c.registryValue(s.LocalKey, local, at)
	if err != nil {
		return err
	}
	r.queries = []probe.Query{pol, loc}
	return nil
}

func (c *compiler) file(r *read, s *fileSpec, at string) error {
	p := s.Path
	if p == "" || len(p) > 260 || strings.ContainsAny(p, "*?[\x00") || !(strings.HasPrefix(p, "/") || len(p) > 2 && p[1] == ':' && p[2] == '\\') {
		return c.at(at, "file path \"%s\" is not an absolute path (/etc/... or C:\\...) without wildcards", p)
	}
	r.queries = []probe.Query{probe.FilesWithContents(p)}
	return nil
}

func (c *compiler) service(r *read, s *serviceSpec, at string) error {
	if !serviceName.MatchString(s.Name) {
		return c.at(at, "service name %q is not a Windows service's key name (letters, digits, _ . -)", s.Name)
	}
	r.queries = []probe.Query{probe.RegistryValue(`HKLM\SYSTEM\CurrentControlSet\Services\`+s.Name, "Start")}
	return nil
}

// InstalledPrograms are the uninstall keys a program read looks in: both
// registry views and each logged-on user's hive, never Win32_Product (whose
// query repairs MSI installs). They are the keys the unsupported-software
// check reads, so a snapshot has them.
var InstalledPrograms = []probe.Query{
	probe.RegistryKeysMatching(`HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall\*`, uninstallValues...),
	probe.RegistryKeysMatching(`HKLM\SOFTWARE\WOW6432Node\Microsoft\Windows\CurrentVersion\Uninstall\*`, uninstallValues...),
	probe.RegistryKeysMatching(`HKU\*\Software\Microsoft\Windows\CurrentVersion\Uninstall\*`, uninstallValues...),
}

var uninstallValues = []string{"DisplayName", "DisplayVersion", "Publisher", "SystemComponent"}

func (c *compiler) program(r *read, s *programSpec, at string) error {
	re, err := compileRegex(s.Name)
	if err != nil {
		return c.at(at+".name", "program name: %v", err)
	}
	r.program = regexp.MustCompile("(?i)" + re.String())
	r.queries = InstalledPrograms
	return nil
}

func compileRegex(s string) (*regexp.Regexp, error) {
	if s == "" {
		return nil, fmt.Errorf("an empty regular expression")
	}
	if len(s) > maxRegex {
		return nil, fmt.Errorf("a regular expression of %d characters; at most %d", len(s), maxRegex)
	}
	re, err := regexp.Compile(s)
	if err != nil {
		return nil, fmt.Errorf("%q is not a regular expression (RE2): %s", s, strings.ReplaceAll(err.Error(), "\n", " "))
	}
	return re, nil
}

func (c *compiler) setting(r *read, s *settingSpec, at string) error {
	for _, p := range []string{s.Path, s.Include} {
		if p != "" && (!strings.HasPrefix(p, "/") || len(p) > 260 || strings.ContainsRune(p, 0)) {
			return c.at(at, "setting path %q is not an absolute path", p)
		}
	}
	if s.Path == "" || strings.ContainsAny(s.Path, "*?[") {
		return c.at(at, "setting path %q is not one file's absolute path", s.Path)
	}
	if strings.ContainsAny(s.Include, "[") || strings.Contains(path(s.Include), "*") {
		return c.at(at+".include", "include %q may have wildcards in its last part only", s.Include)
	}
	if !settingKey.MatchString(s.Key) {
		return c.at(at+".key", "setting key %q is not a keyword (letters, digits, _ . -)", s.Key)
	}
	r.settingKey, r.settingName = strings.ToLower(s.Key), s.Key
	r.queries = []probe.Query{probe.FilesWithContents(s.Path)}
	if s.Include != "" {
		r.queries = append(r.queries, probe.FilesWithContents(s.Include))
	}
	return nil
}

// path is a path's folder part.
func path(p string) string {
	if i := strings.LastIndex(p, "/"); i >= 0 {
		return p[:i]
	}
	return ""
}

// value is what a read found: failed, not set, or set to a number or a text.
type value struct {
	failed  []probe.Observation
	set     bool
	isNum   bool
	num     uint64
	text    string
	source  string            // a policy read: "Group Policy" or "local setting"
	decided probe.Observation // the observation the value came from
	program string            // a program read: the display name found
}

func (v value) numeric() (uint64, bool) { return v.num, v.set && v.isNum }

// observe makes the read's probes and interprets them.
func (r *read) observe(o probe.Observer) value {
	switch r.kind {
	case RegistryRead, ServiceRead:
		return registryValue(o.Observe(r.queries[0]), r.text)
	case PolicyRead:
		pol := registryValue(o.Observe(r.queries[0]), false)
		if pol.set || pol.failed != nil {
			pol.source = "Group Policy"
			return pol
		}
		loc := registryValue(o.Observe(r.queries[1]), false)
		loc.source = "local setting"
		return loc
	case FileRead:
		return fileValue(o.Observe(r.queries[0]))
	case ProgramRead:
		return r.programValue(o)
	case SettingRead:
		return r.settingValue(o)
	}
	return value{}
}

func registryValue(o probe.Observation, text bool) value {
	v := value{decided: o}
	switch {
	case o.Is(probe.NotFound):
		return v
	case o.Error != nil:
		v.failed = []probe.Observation{o}
	case text:
		s, err := o.RegString()
		if err != nil {
			v.failed = []probe.Observation{readAsWrongType(o, notText, err)}
			return v
		}
		v.set, v.text = true, s
	default:
		n, err := o.RegInt()
		if err != nil {
			v.failed = []probe.Observation{readAsWrongType(o, notANumber, err)}
			return v
		}
		v.set, v.isNum, v.num, v.text = true, true, n, fmt.Sprint(n)
	}
	return v
}

// The words a verdict gives a value read but not of the type expected, in
// place of an error class: "...\\NoAutorun (not a number)".
const (
	notANumber probe.ErrorClass = "not a number"
	notText    probe.ErrorClass = "not text"
)

// readAsWrongType is a value read but not of the type expected, as a failure a
// verdict names in words.
func readAsWrongType(o probe.Observation, words probe.ErrorClass, err error) probe.Observation {
	o.Error = probe.Errorf(words, "%v", err)
	return o
}

// notAs is an observation that was read but is not of the type expected,
// as a failure a verdict can name.
func notAs(o probe.Observation, err error) probe.Observation {
	o.Error = probe.Errorf(probe.Other, "%v", err)
	return o
}

func fileValue(o probe.Observation) value {
	v := value{decided: o}
	switch {
	case o.Is(probe.NotFound):
		return v
	case o.Error != nil:
		v.failed = []probe.Observation{o}
		return v
	}
	var files []probe.FileEntry
	if err := o.Decode(&files); err != nil {
		v.failed = []probe.Observation{notAs(o, err)}
		return v
	}
	if len(files) == 0 {
		return v
	}
	if len(files) != 1 || files[0].Contents == nil {
		v.failed = []probe.Observation{notAs(o, fmt.Errorf("contents not read: %s", files[0].Unreadable))}
		return v
	}
	v.set, v.text = true, *files[0].Contents
	return v
}

// uninstallKey is one key of a program read, decoded only as far as the
// read needs: a scan may judge hundreds of program reads over the same
// few hundred keys.
type uninstallKey struct {
	Values struct {
		DisplayName     *probe.RegValue
		DisplayVersion  *probe.RegValue
		SystemComponent *probe.RegValue
	} `json:"values"`
}

// regText is a string registry value's text; empty when it is not one.
func regText(v *probe.RegValue) string {
	var s string
	if v == nil || v.Type != probe.RegSZ && v.Type != probe.RegExpandSZ || json.Unmarshal(v.Data, &s) != nil {
		return ""
	}
	return s
}

// hidden reports whether SystemComponent = 1 hides a key from the list of
// installed programs.
func (k *uninstallKey) hidden() bool {
	v := k.Values.SystemComponent
	if v == nil {
		return false
	}
	if v.Type == probe.RegSZ {
		n, ok := parseUint(strings.TrimSpace(regText(v)))
		return ok && n == 1
	}
	return string(v.Data) == "1"
}

func (r *read) programValue(o probe.Observer) value {
	var v value
	var best []int
	for _, q := range r.queries {
		obs := o.Observe(q)
		var keys []uninstallKey
		if err := obs.Decode(&keys); err != nil {
			if obs.Error == nil {
				obs = notAs(obs, err)
			}
			if !obs.Is(probe.NotFound) || !strings.Contains(q.Path, "WOW6432Node") {
				v.failed = append(v.failed, obs) // a 64-bit-only PC has no WOW6432Node; the 64-bit list always exists
			}
			continue
		}
		for i := range keys {
			k := &keys[i]
			name := regText(k.Values.DisplayName)
			if name == "" || k.hidden() || !r.program.MatchString(name) {
				continue
			}
			version := regText(k.Values.DisplayVersion)
			parsed, _ := parseVersion(version)
			if !v.set || standards.CompareVersions(parsed, best) > 0 {
				v.set, v.text, v.program, v.decided, best = true, version, name, obs, parsed
			}
		}
	}
	if v.failed != nil {
		return value{failed: v.failed}
	}
	return v
}

func (r *read) settingValue(o probe.Observer) value {
	main := fileValue(o.Observe(r.queries[0]))
	if !main.set {
		return main // not there, or not read
	}
	v := value{decided: main.decided}
	var dropIns []probe.FileEntry
	if len(r.queries) > 1 {
		d := o.Observe(r.queries[1])
		if err := d.Decode(&dropIns); err != nil && !d.Is(probe.NotFound) {
			if d.Error == nil {
				d = notAs(d, err)
			}
			v.failed = []probe.Observation{d}
			return v
		}
	}
	if s, ok := firstSetting(main.text, r.settingKey, dropIns); ok {
		v.set, v.text = true, s
		if n, ok := parseUint(s); ok {
			v.isNum, v.num = true, n
		}
	}
	return v
}

// firstSetting reads a keyword the way sshd reads its configuration: the
// first value wins, Include pulls the drop-ins in where it stands, and a
// Match block (which applies to some connections only) ends the search.
func firstSetting(text, key string, dropIns []probe.FileEntry) (string, bool) {
	for line := range strings.SplitSeq(text, "\n") {
		f := strings.Fields(line)
		if len(f) < 2 || strings.HasPrefix(f[0], "#") {
			continue
		}
		switch k := strings.ToLower(f[0]); {
		case k == "match":
			return "", false
		case k == "include":
			for _, d := range dropIns {
				if d.Contents != nil {
					if s, ok := firstSetting(*d.Contents, key, nil); ok {
						return s, true
					}
				}
			}
		case k == key:
			return f[1], true
		}
	}
	return "", false
}

func parseUint(s string) (uint64, bool) {
	var n uint64
	if _, err := fmt.Sscan(s, &n); err != nil || fmt.Sprint(n) != s {
		return 0, false
	}
	return n, true
}

// parseVersion reads a dotted version of numbers: "10.2.0.1234". A part
// that is not a number ends it ("10.2-beta" is 10.2).
func parseVersion(s string) ([]int, bool) {
	var out []int
	for p := range strings.SplitSeq(strings.TrimSpace(s), ".") {
		n, digits := 0, 0
		for _, r := range p {
			if r < '0' || r > '9' || n > 1<<24 {
				break
			}
			n, digits = n*10+int(r-'0'), digits+1
		}
		if digits == 0 || len(out) == 8 {
			break
		}
		out = append(out, n)
		if digits != len(p) {
			break
		}
	}
	return out, len(out) > 0
}
