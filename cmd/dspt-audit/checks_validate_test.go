package main

import (
	"path/filepath"
	"strings"
	"testing"
)

const packDir = "../../checks/declared/testdata"

func TestChecksValidate(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		want []string // the lines of standard output
	}{
		{"a good folder", []string{packDir + "/pack"}, exitOK, []string{
			packDir + "/pack/ten.yaml: 10 checks loaded: custom-llmnr-policy, custom-public-firewall, custom-spooler-disabled, custom-sshd-config-present, custom-sshd-no-root-line, custom-chrome-present, custom-chrome-150, custom-sshd-root, custom-usb-or-autorun, custom-no-risky-services",
			packDir + "/pack/unrecorded.yaml: 2 checks loaded: custom-unrecorded-policy, custom-unrecorded-file",
			"2 files, 12 checks loaded, 0 problems",
		}},
		{"bad files and a missing one", []string{packDir + "/malformed/alias.yaml", packDir + "/malformed/duplicate-id.yaml", packDir + "/missing.yaml"}, exitBadChecks, []string{
			packDir + "/malformed/alias.yaml: 0 checks loaded",
			"  " + packDir + "/malformed/alias.yaml:7: anchors, aliases and merge keys (&, *, <<) are not allowed in a checks file",
			packDir + "/malformed/duplicate-id.yaml: 1 check loaded: custom-base",
			"  " + packDir + "/malformed/duplicate-id.yaml:20: id custom-base is taken by the check on line 3",
			packDir + "/missing.yaml: does not exist",
			"2 files, 1 check loaded, 3 problems",
		}},
		{"no argument", nil, exitUsage, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, out, errOut := testStreams()
			code := run(append([]string{"checks", "validate"}, tt.args...), s)
			if code != tt.code {
				t.Errorf("exit %d, want %d; stderr %s", code, tt.code, errOut)
			}
			got := strings.Split(strings.TrimSuffix(filepath.ToSlash(out.String()), "\n"), "\n")
			if tt.want == nil {
				tt.want = []string{""}
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("stdout:\n%s\nwant:\n%s", out, strings.Join(tt.want, "\n"))
			}
		})
	}
}
