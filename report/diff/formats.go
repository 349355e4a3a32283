package diff

import (
	"io"

	"github.com/nhs-dspt/dspt-audit/report"
)

// Formats lists the diff's file formats, named as the report's are.
func Formats() []report.Format[*Diff] {
	return []report.Format[*Diff]{
		{Name: "json", Exts: []string{".json"}, Doc: "the JSON diff (diff_schema_version 1)", Write: func(w io.Writer, d *Diff) error { return report.JSON(w, d) }},
		{Name: "xlsx", Exts: []string{".xlsx"}, Binary: true, Doc: "Excel workbook: Changes and Standards sheets", Write: XLSX},
		{Name: "html", Exts: []string{".html", ".htm"}, Doc: "one self-contained, printable page", Write: HTML},
	}
}
