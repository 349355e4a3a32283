package checks_test

import (
	"bytes"
	"context"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/nhs-dspt/dspt-audit/checks"
	"github.com/nhs-dspt/dspt-audit/checks/probe"
	"github.com/nhs-dspt/dspt-audit/report"
	"github.com/nhs-dspt/dspt-audit/standards"
)

// TestDSPTItemsAreCurrentItems: every item a check names is an item of
// the current Category 4 toolkit the built-in data lists, and the earlier
// references carry no working notes an inspector would read.
func TestDSPTItemsAreCurrentItems(t *testing.T) {
	data, err := standards.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range checks.All() {
		if len(c.Mappings.DSPTItems) == 0 {
			t.Errorf("%s names no DSPT item", c.ID)
		}
		for _, id := range c.Mappings.DSPTItems {
			if _, ok := data.DSPT.Item(id); !ok {
				t.Errorf("%s names DSPT item %s, which is not in the %s Category %d list", c.ID, id, data.DSPT.Toolkit, data.DSPT.Category)
			}
		}
		for _, ref := range c.Mappings.DSPT {
			if lower := strings.ToLower(ref); strings.Contains(lower, "unconfirmed") || strings.Contains(lower, "v8") || slices.Contains(c.Mappings.DSPTItems, strings.Fields(ref)[0]) {
				t.Errorf("%s: earlier reference %q is a note or a current item", c.ID, ref)
			}
		}
	}
}

// TestDSPTItemsForTheGPITItems: the items the GP IT team evidences are
// each backed by the check that evidences them.
func TestDSPTItemsForTheGPITItems(t *testing.T) {
	want := map[string][]string{
		"disk-encrypted":     {"9.5.2"},
		"patches-current":    {"8.3.1"},
		"os-supported":       {"8.1.4"},
		"antimalware-active": {"6.2.1"},
		"local-admins":       {"4.3.1", "4.2.4"},
		"audit-logging":      {"4.4.1"},
		"risky-ports":        {"8.4.3"},
		"known-exploits":     {"8.4.3"},
		"rdp-secure":         {"4.5.3"},
	}
	for _, c := range checks.All() {
		for _, id := range want[c.ID] {
			if !slices.Contains(c.Mappings.DSPTItems, id) {
				t.Errorf("%s: DSPT items %v lack %s", c.ID, c.Mappings.DSPTItems, id)
			}
		}
	}
}

// TestNoReportSaysUnconfirmed renders a real profile's report in every
// text format and finds no "unconfirmed" in what a practice hands over.
func TestNoReportSaysUnconfirmed(t *testing.T) {
	data, err := standards.Load()
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open("../testdata/profiles/win10-1607-wannacry-era.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	snap, err := probe.ReadSnapshot(f)
	if err != nil {
		t.Fatal(err)
	}
	scan, err := checks.Run(context.Background(), probe.NewReplay(snap), checks.Options{Checks: checks.All(), Data: data, Now: snap.CollectedAt})
	if err != nil {
		t.Fatal(err)
	}
	rep := report.Build(scan, data, report.Tool{Name: "dspt-audit", Version: "test"}, "snapshot")
	var all bytes.Buffer
	for _, format := range report.Formats() {
		if format.Binary {
			continue
		}
		if err := format.Write(&all, rep); err != nil {
			t.Fatalf("%s: %v", format.Name, err)
		}
	}
	if err := report.Terminal(&all, rep, report.TerminalOptions{Width: 100}); err != nil {
		t.Fatal(err)
	}
	if i := bytes.Index(bytes.ToLower(all.Bytes()), []byte("unconfirmed")); i >= 0 {
		t.Errorf("a report says %q", all.Bytes()[max(0, i-80):i+20])
	}
	if !bytes.Contains(all.Bytes(), []byte("9.5.2")) {
		t.Errorf("the reports do not name DSPT item 9.5.2 at all: the test reads nothing")
	}
}
