// Command dspt-audit audits a Windows or Linux machine against the NHS
// National Data Guardian's 10 data security standards and reports evidence
// for the Data Security and Protection Toolkit (DSPT).
package main

import (
	"os"

	"github.com/nhs-dspt/dspt-audit/report"
)

func main() {
	report.RemoveTempFilesOnSignal(os.Exit)
	os.Exit(run(os.Args[1:], systemStreams()))
}
