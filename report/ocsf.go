package report

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/nhs-dspt/dspt-audit/standards"
)

// OCSF Compliance Finding (class 2003, Findings category 2), schema 1.3.0:
// https://schema.ocsf.io/1.3.0/classes/compliance_finding. One event per
// check, so that a SIEM that reads OCSF (Sentinel, Splunk, Elastic, Security
// Lake) ingests the results without a custom parser.
const (
	ocsfVersion        = "1.3.0"
	ocsfClassUID       = 2003
	ocsfCategoryUID    = 2
	ocsfActivityCreate = 1
	ocsfFindingNew     = 1 // finding status_id: 1 New
)

// ocsfProfiles are the schema profiles an event uses: device belongs to the
// host profile in 1.3.0, and a validator that honours profiles rejects it
// undeclared.
var ocsfProfiles = []string{"host"}

type ocsfEvent struct {
	ActivityID   int    `json:"activity_id"`
	ActivityName string `json:"activity_name"`
	CategoryUID  int    `json:"category_uid"`
	CategoryName string `json:"category_name"`
	ClassUID     int    `json:"class_uid"`
	ClassName    string `json:"class_name"`
	TypeUID      int    `json:"type_uid"`
	TypeName     string `json:"type_name"`
	Time         int64  `json:"time"`
	// TimezoneOffset is minutes from UTC of the times given; they are UTC.
	TimezoneOffset int             `json:"timezone_offset"`
	StatusID       int             `json:"status_id"`
	Status         string          `json:"status"`
	SeverityID     int             `json:"severity_id"`
	Severity       string          `json:"severity"`
	Message        string          `json:"message"`
	Metadata       ocsfMetadata    `json:"metadata"`
	FindingInfo    ocsfFindingInfo `json:"finding_info"`
	Compliance     ocsfCompliance  `json:"compliance"`
	Device         ocsfDevice      `json:"device"`
	Remediation    ocsfRemediation `json:"remediation"`
	Unmapped       ocsfUnmapped    `json:"unmapped"`
}

type ocsfMetadata struct {
	Version  string      `json:"version"`
	Profiles []string    `json:"profiles"`
	Product  ocsfProduct `json:"product"`
}

type ocsfProduct struct {
	Name       string `json:"name"`
	VendorName string `json:"vendor_name"`
	Version    string `json:"version"`
}

type ocsfFindingInfo struct {
	UID         string   `json:"uid"`
	Title       string   `json:"title"`
	Desc        string   `json:"desc"`
	Types       []string `json:"types"`
	CreatedTime int64    `json:"created_time"`
}

type ocsfCompliance struct {
	Control      string   `json:"control"`
	Standards    []string `json:"standards"`
	Requirements []string `json:"requirements"`
	StatusID     int      `json:"status_id"`
	Status       string   `json:"status"`
	StatusCode   string   `json:"status_code"`
	StatusDetail string   `json:"status_detail"`
}

type ocsfDevice struct {
	Hostname string `json:"hostname"`
	Name     string `json:"name"`
	UID      string `json:"uid,omitempty"`
	TypeID   int    `json:"type_id"`
	Type     string `json:"type"`
	OS       ocsfOS `json:"os"`
}

type ocsfOS struct {
	Name   string `json:"name"`
	TypeID int    `json:"type_id"`
	Type   string `json:"type"`
}

type ocsfRemediation struct {
	Desc string `json:"desc"`
}

// ocsfUnmapped keeps what OCSF has no field for: the evidence behind the
// verdict and the report's overall outcome.
type ocsfUnmapped struct {
	Evidence     []Evidence         `json:"evidence"`
	IfFixed      []standards.Change `json:"if_fixed,omitempty"`
	Outcome      standards.Outcome  `json:"dspt_outcome"`
	ReportSource string             `json:"report_source"`
	// CustomCheckFile and CustomCheckSHA256 name the checks file a custom
	// check came from; absent for a built-in check.
	CustomCheckFile   string `json:"custom_check_file,omitempty"`
	CustomCheckSHA256 string `json:"custom_check_sha256,omitempty"`
}

// ocsfCompliance status_id: 0 Unknown, 1 Pass, 2 Warning, 3 Fail, 99 Other,
// whose status is then the source's own word.
var ocsfComplianceStatus = map[standards.Status]struct {
	id   int
	name string
}{
	standards.Pass: {1, "Pass"}, standards.Warn: {2, "Warning"}, standards.Fail: {3, "Fail"},
	standards.Unknown: {0, "Unknown"}, standards.NeedsAdmin: {0, "Unknown"},
	standards.NotApplicable: {99, "Not Applicable"},
}

// OCSF severity_id: 2 Low, 3 Medium, 4 High, 5 Critical.
var ocsfSeverity = map[standards.Severity]int{
	standards.Low: 2, standards.Medium: 3, standards.High: 4, standards.Critical: 5,
}

// OCSF writes one Compliance Finding event per check as newline-delimited
// JSON.
func OCSF(w io.Writer, rep *Report) error {
	enc := json.NewEncoder(w) // one object a line; <, > and & escaped
	for _, r := range rep.Results {
		if err := enc.Encode(ocsfFinding(rep, r)); err != nil {
			return err
		}
	}
	return nil
}

func ocsfFinding(rep *Report, r CheckResult) ocsfEvent {
	when := rep.JudgedAt.UnixMilli()
	status := ocsfComplianceStatus[r.Status]
	frameworks, requirements := ocsfRequirements(r)
	host := cmp.Or(rep.Host.ID, rep.Host.Name)
	return ocsfEvent{
		ActivityID: ocsfActivityCreate, ActivityName: "Create",
		CategoryUID: ocsfCategoryUID, CategoryName: "Findings",
		ClassUID: ocsfClassUID, ClassName: "Compliance Finding",
		TypeUID: ocsfClassUID*100 + ocsfActivityCreate, TypeName: "Compliance Finding: Create",
		Time: when, TimezoneOffset: utcOffsetMinutes(rep.JudgedAt),
		StatusID: ocsfFindingNew, Status: "New",
		SeverityID: ocsfSeverity[r.Severity], Severity: titleCase(r.Severity.String()),
		Message:  fmt.Sprintf("%s on %s: %s. %s", r.ID, rep.Host.Name, r.Status, r.Summary),
		Metadata: ocsfMetadata{Version: ocsfVersion, Profiles: ocsfProfiles, Product: ocsfProduct{Name: rep.Tool.Name, VendorName: "dspt-audit", Version: rep.Tool.Version}},
		FindingInfo: ocsfFindingInfo{
			UID:   fmt.Sprintf("%s:%s:%s", host, r.ID, rep.JudgedAt.UTC().Format("20060102T150405Z")),
			Title: r.Title, Desc: r.Summary, Types: []string{"Compliance"}, CreatedTime: when,
		},
		Compliance: ocsfCompliance{
			Control: r.ID, Standards: frameworks, Requirements: requirements,
			StatusID: status.id, Status: status.name, StatusCode: r.Status.String(), StatusDetail: r.Summary,
		},
		Device: ocsfDevice{
			Hostname: rep.Host.Name, Name: rep.Host.Name, UID: rep.Host.ID,
			TypeID: 0, Type: "Unknown",
			OS: ocsfOSFor(rep.Host),
		},
		Remediation: ocsfRemediation{Desc: r.Remediation},
		Unmapped:    ocsfUnmappedFor(rep, r),
	}
}

func ocsfUnmappedFor(rep *Report, r CheckResult) ocsfUnmapped {
	u := ocsfUnmapped{Evidence: r.Evidence, IfFixed: r.IfFixed, Outcome: rep.Outcome, ReportSource: rep.Source, CustomCheckFile: r.Origin}
	if f, ok := rep.customFile(r.Origin); ok && r.Origin != "" {
		u.CustomCheckSHA256 = f.SHA256
	}
	return u
}

func utcOffsetMinutes(t time.Time) int {
	_, seconds := t.Zone()
	return seconds / 60
}

// ocsfRequirements lists the frameworks a check serves and its items in each.
func ocsfRequirements(r CheckResult) (frameworks, requirements []string) {
	add := func(framework, prefix string, items []string) {
		if len(items) == 0 {
			return
		}
		frameworks = append(frameworks, framework)
		for _, it := range items {
			requirements = append(requirements, prefix+it)
		}
	}
	var ndg []string
	for _, n := range r.Mappings.NDG {
		ndg = append(ndg, fmt.Sprint(n))
	}
	add("NDG Data Security Standards", "NDG standard ", ndg)
	add("NHS DSPT", "DSPT ", r.Mappings.DSPTItems)
	add("Cyber Essentials", "Cyber Essentials: ", r.Mappings.CyberEssentials)
	add("NCSC CAF", "CAF ", r.Mappings.CAF)
	add("CIS Benchmark", "CIS ", r.Mappings.CIS)
	return frameworks, requirements
}

// ocsfOSFor maps the platform to OCSF os.type_id: 100 Windows, 200 Linux.
func ocsfOSFor(h Host) ocsfOS {
	switch h.Platform {
	case "windows":
		return ocsfOS{Name: h.OS, TypeID: 100, Type: "Windows"}
	case "linux":
		return ocsfOS{Name: h.OS, TypeID: 200, Type: "Linux"}
	}
	return ocsfOS{Name: h.OS, TypeID: 0, Type: "Unknown"}
}

func titleCase(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
