package datafeed

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/nhs-dspt/dspt-audit/standards"
)

// ImportError is a file that cannot be imported: bad input, not a failure
// of the tool.
type ImportError struct {
	File string
	Err  error
}

func (e *ImportError) Error() string { return fmt.Sprintf("%s: %v", e.File, e.Err) }
func (e *ImportError) Unwrap() error { return e.Err }

// Imported is what documents saved by hand convert to.
type Imported struct {
	// Bodies are the data files, by kind.
	Bodies map[string][]byte
	Months []string
	Notes  []string
	// Unchanged are kinds converted from documents that added nothing to
	// the facts held: worth writing with -o to inspect, not installing.
	Unchanged []string
}

// Import converts documents saved by hand, on a computer that could reach
// the sources, into data files on top of base: CVRF monthly documents (XML
// or JSON, plain or gzip), endoflife.date API v1 product responses, and
// data files as dspt-audit writes them.
func Import(files []string, base *standards.Data, now time.Time) (Imported, error) {
	var months []standards.CVRFMonth
	var cvrfDocs [][]byte
	var catalog *standards.KEVCatalog
	var notes []string
	eol := map[string][]byte{}
	passed := map[string][]byte{}
	for _, file := range files {
		b, err := readDocument(file)
		if err != nil {
			return Imported{}, &ImportError{file, err}
		}
		switch kind := sniff(b); kind {
		case "cvrf":
			m, err := standards.ParseCVRF(b)
			if errors.Is(err, standards.ErrNoWindowsUpdates) {
				notes = append(notes, fmt.Sprintf("%s holds no Windows cumulative update (an early release): no month added", file))
				continue
			}
			if err != nil {
				return Imported{}, &ImportError{file, err}
			}
			months = append(months, m)
			cvrfDocs = append(cvrfDocs, b)
		case "kev":
			c, err := standards.ParseKEV(b)
			if err != nil {
				return Imported{}, &ImportError{file, err}
			}
			if catalog != nil {
				return Imported{}, &ImportError{file, errors.New("a second KEV catalogue: import one at a time")}
			}
			catalog = &c
		case "endoflife":
			product, err := endOfLifeProduct(b)
			if err != nil {
				return Imported{}, &ImportError{file, err}
			}
			eol[product] = b
		case "data":
			v, err := standards.DecodeDataFile(b)
			if err != nil {
				return Imported{}, &ImportError{file, err}
			}
			if _, err := standards.LoadFrom(standards.Sources{Files: []string{file}, Now: now}); err != nil {
				return Imported{}, &ImportError{file, err}
			}
			passed[v.Meta().Kind] = b
		default:
			return Imported{}, &ImportError{file, errors.New("neither a CVRF document, a CISA KEV catalogue, an endoflife.date API response nor a dspt-audit data file")}
		}
	}
	conv, err := convert(base, months, eol, now)
	if err != nil {
		return Imported{}, err
	}
	if catalog != nil {
		kev, err := importKEV(*catalog, cvrfDocs, base)
		if err != nil {
			return Imported{}, err
		}
		if err := conv.add(kev); err != nil {
			return Imported{}, err
		}
	}
	for kind, b := range passed {
		if _, clash := conv.bodies[kind]; clash {
			return Imported{}, fmt.Errorf("both a %s data file and documents that convert to one were given: import them separately", kind)
		}
		conv.bodies[kind] = b
	}
	imp := Imported{Bodies: conv.bodies, Months: conv.months, Notes: unique(append(notes, conv.notes...))}
	if _, converted := conv.bodies["windows-updates"]; converted && len(conv.months) == 0 && passed["windows-updates"] == nil {
		imp.Unchanged = append(imp.Unchanged, "windows-updates")
	}
	return imp, nil
}

// importKEV builds the windows-kev body from a saved KEV catalogue and the
// CVRF documents imported with it, keeping what the base data holds.
func importKEV(c standards.KEVCatalog, docs [][]byte, base *standards.Data) (*standards.KEVFile, error) {
	var months []standards.CVRFCVEs
	for _, b := range docs {
		m, err := standards.ParseCVRFCVEs(b)
		if err != nil {
			return nil, err
		}
		months = append(months, m)
	}
	kev := standards.BuildKEV(c, months...).Keep(&base.KEV)
	return &kev, nil
}

// readDocument reads a file, gunzipping it, within MaxDocumentSize.
func readDocument(file string) ([]byte, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, MaxDocumentSize+1))
	if err != nil {
		return nil, err
	}
	if b, err = standards.Gunzip(b, MaxDocumentSize, "the document"); err != nil {
		return nil, err
	}
	return standards.UTF8Text(b)
}

// sniff tells the kinds of document apart by their structure.
func sniff(b []byte) string {
	t := bytes.TrimLeft(b, " \t\r\n\ufeff")
	if bytes.HasPrefix(t, []byte("\xef\xbb\xbf")) {
		t = t[3:]
	}
	if len(t) == 0 {
		return ""
	}
	if t[0] == '<' {
		if standards.LooksLikeHTML(t) {
			return ""
		}
		return "cvrf"
	}
	var head map[string]json.RawMessage
	if json.Unmarshal(t, &head) != nil {
		return ""
	}
	switch {
	case head["DocumentTracking"] != nil:
		return "cvrf"
	case head["schema_version"] != nil && head["result"] != nil:
		return "endoflife"
	case head["kind"] != nil:
		return "data"
	case standards.LooksLikeKEV(t):
		return "kev"
	}
	return ""
}

func endOfLifeProduct(b []byte) (string, error) {
	var r struct {
		Result struct {
			Name string `json:"name"`
		} `json:"result"`
	}
	if err := json.Unmarshal(b, &r); err != nil || r.Result.Name == "" {
		return "", errors.New("an endoflife.date response without a product name")
	}
	return r.Result.Name, nil
}
