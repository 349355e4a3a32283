package standards

import (
	"encoding/json"
	"path"
	"strings"
	"time"
)

// Practice is what a practice file says that no scan can see: the answers
// to the toolkit's people-and-process items, the risks the practice has
// accepted, and what its asset register needs beyond the scans. It is read
// by the practice package; scoring and reports only consume it.
type Practice struct {
	Name string `json:"name"`
	ODS  string `json:"ods_code,omitempty"`
	// File is where the practice file was read from, as given.
	File string `json:"file,omitempty"`
	// RecordLastUser allows the asset register to hold each PC's last
	// logged-on user; off unless the practice asks for it.
	RecordLastUser bool           `json:"record_last_user,omitempty"`
	Attestations   []Attestation  `json:"attestations,omitempty"`
	Risks          []AcceptedRisk `json:"accepted_risks,omitempty"`
	Hosts          []HostNote     `json:"hosts,omitempty"`
	Assets         []Asset        `json:"assets,omitempty"`
}

// Answer is a person's answer to one toolkit item.
type Answer string

const (
	AnswerMet    Answer = "met"
	AnswerNotMet Answer = "not met"
	AnswerPartly Answer = "partly"
)

// Attestation is a person's answer to one DSPT evidence item ("4.3.1") or,
// for a standard no item covers, to the standard itself ("NDG 3").
type Attestation struct {
	Item       string `json:"item"`
	Standard   int    `json:"standard"`
	Answer     Answer `json:"answer,omitempty"`
	Evidence   string `json:"evidence,omitempty"`
	Owner      string `json:"owner,omitempty"`
	Reviewed   Date   `json:"reviewed,omitzero"`
	NextReview Date   `json:"next_review,omitzero"`
}

// UnmarshalJSON reads an attestation as a result records it. Results
// written before November 2026 gave an unanswered item's dates as "",
// which is read as no date.
func (a *Attestation) UnmarshalJSON(b []byte) error {
	type plain Attestation
	var raw struct {
		plain
		Reviewed   string `json:"reviewed"`
		NextReview string `json:"next_review"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*a = Attestation(raw.plain)
	var err error
	if a.Reviewed, err = emptyOrDate(raw.Reviewed); err != nil {
		return err
	}
	a.NextReview, err = emptyOrDate(raw.NextReview)
	return err
}

func emptyOrDate(s string) (Date, error) {
	if s == "" {
		return Date{}, nil
	}
	return ParseDate(s)
}

// Answered is true once the item has an answer.
func (a Attestation) Answered() bool { return a.Answer != "" }

// Expired is true once the review date has passed (the day itself still counts).
func (a Attestation) Expired(now time.Time) bool {
	return !a.NextReview.IsZero() && DayOf(now).After(a.NextReview.Time)
}

// AcceptedRisk is a failing check the practice knows of, owns and has
// decided to live with until Expires. It never turns a failure into a pass.
type AcceptedRisk struct {
	Check                string   `json:"check"`
	Hosts                []string `json:"hosts"`
	Reason               string   `json:"reason"`
	CompensatingControls string   `json:"compensating_controls,omitempty"`
	Owner                string   `json:"owner"`
	ApprovedBy           string   `json:"approved_by"`
	Expires              Date     `json:"expires"`
}

// Covers reports whether the risk names host, by name or by a shell
// pattern ("RECEPTION-*"), ignoring case as Windows names do.
func (r AcceptedRisk) Covers(host string) bool {
	host = strings.ToUpper(host)
	for _, p := range r.Hosts {
		if ok, err := path.Match(strings.ToUpper(p), host); err == nil && ok {
			return true
		}
	}
	return false
}

// Expired is true once the expiry day has passed.
func (r AcceptedRisk) Expired(now time.Time) bool {
	return DayOf(now).After(r.Expires.Time)
}

// HostNote is what the register should say of a scanned PC that the PC
// cannot say itself.
type HostNote struct {
	Host     string `json:"host"`
	Location string `json:"location,omitempty"`
	Owner    string `json:"owner,omitempty"`
	Notes    string `json:"notes,omitempty"`
}

// Asset is something the register must list that is never scanned: a
// server, a network device, a data set.
type Asset struct {
	Name     string `json:"name"`
	Kind     string `json:"kind"`
	Location string `json:"location,omitempty"`
	Owner    string `json:"owner,omitempty"`
	Notes    string `json:"notes,omitempty"`
}
