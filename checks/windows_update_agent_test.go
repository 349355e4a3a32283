package checks

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/nhs-dspt/dspt-audit/checks/probe"
	"github.com/nhs-dspt/dspt-audit/standards"
)

// edit replaces (or adds) one observation of a snapshot: a value, or a
// classified error.
type edit struct {
	q     probe.Query
	value any
	err   *probe.Error
}

func edited(t *testing.T, name string, edits ...edit) *probe.Snapshot {
	t.Helper()
	snap := loadProfile(t, name)
	for _, ed := range edits {
		o := probe.Observation{Key: ed.q.Key(), Kind: ed.q.Kind, Query: ed.q.String(), Error: ed.err}
		if ed.err == nil {
			b, err := json.Marshal(ed.value)
			if err != nil {
				t.Fatal(err)
			}
			o.Value = b
		}
		replaced := false
		for i := range snap.Observations {
			if snap.Observations[i].Key == o.Key {
				snap.Observations[i], replaced = o, true
			}
		}
		if !replaced {
			snap.Observations = append(snap.Observations, o)
		}
	}
	return snap
}

func resultOf(t *testing.T, snap *probe.Snapshot, id string) Result {
	t.Helper()
	r, ok := resultsByID(replay(t, snap, loadData(t)))[id]
	if !ok {
		t.Fatalf("no %s result", id)
	}
	return r
}

func regDWORD(n uint64) probe.RegValue {
	return probe.RegValue{Type: probe.RegDWORD, Data: json.RawMessage(fmt.Sprint(n))}
}

func at(s string) *time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return &t
}

var (
	securityUpdates = probe.WUACategory{ID: probe.WUASecurityUpdates, Name: "Sicherheitsupdates"}
	criticalUpdates = probe.WUACategory{ID: "{" + strings.ToLower(probe.WUACriticalUpdates) + "}", Name: "Kritische Updates"}
	definitions     = probe.WUACategory{ID: "E0789628-CE08-4437-BE74-2495B842F43B", Name: "Definitionsupdates"}
)

func agentSaying(search *time.Time, missing ...probe.WUAUpdate) edit {
	if missing == nil {
		missing = []probe.WUAUpdate{}
	}
	return edit{q: wuaAgent, value: probe.WindowsUpdateAgent{LastSearchSuccess: search, Missing: missing}}
}

func update(kb, released string, cats ...probe.WUACategory) probe.WUAUpdate {
	return probe.WUAUpdate{Title: "Kumulatives Update (" + kb + ")", KBs: []string{strings.TrimPrefix(kb, "KB")}, Categories: cats, Released: at(released)}
}

func TestAgentCombinedWithData(t *testing.T) {
	const (
		beyond  = "win11-enterprise-24h2-agent-current-beyond-data" // 2026-11-27, build newer than the data
		patched = "win11-enterprise-24h2-patched"                   // 2026-09-20, data pass
		behind  = "win10-enterprise-ltsc-2021"                      // data fail: 76 days behind
	)
	fresh := at("2026-11-26T14:02:31Z")
	tests := []struct {
		name    string
		profile string
		edits   []edit
		want    standards.Status
		says    []string
	}{
		{"data fail stays fail when the agent lists nothing", behind,
			[]edit{agentSaying(at("2026-11-22T23:00:00Z"))},
			standards.Fail, []string{"KB5120249 (2026-08-11)", "missing: 76 days"}},
		{"data fail names the agent's overdue updates too", behind,
			[]edit{agentSaying(at("2026-11-22T23:00:00Z"), update("KB5130001", "2026-10-13T00:00:00Z", securityUpdates))},
			standards.Fail, []string{"missing: 76 days", "also lists as missing: KB5130001 (released 2026-10-13, missing for 41 days)"}},
		{"agent's overdue security update fails a data pass", patched,
			[]edit{agentSaying(at("2026-09-19T10:00:00Z"), update("KB5125555", "2026-09-01T00:00:00Z", securityUpdates))},
			standards.Fail, []string{"KB5125555 (released 2026-09-01, missing for 19 days)"}},
		{"agent's security update within 14 days warns a data pass", patched,
			[]edit{agentSaying(at("2026-09-19T10:00:00Z"), update("KB5125555", "2026-09-10T00:00:00Z", securityUpdates))},
			standards.Warn, []string{"within the 14-day window: KB5125555 (released 2026-09-10, missing for 10 days)"}},
		{"overdue non-security update does not fail", beyond,
			[]edit{agentSaying(fresh, update("KB2267602", "2026-10-01T00:00:00Z", definitions))},
			standards.Pass, []string{"source of this verdict"}},
		{"missing critical update keeps the agent from vouching", beyond,
			[]edit{agentSaying(fresh, update("KB5131111", "2026-11-20T00:00:00Z", criticalUpdates))},
			standards.Unknown, []string{"lists critical or rollup updates as missing: KB5131111"}},
		{"WSUS filters what the agent sees", beyond,
			[]edit{{q: regUseWUServer, value: regDWORD(1)}},
			standards.Unknown, []string{"WSUS server (UseWUServer = 1)"}},
		{"deferred quality updates hide new ones", beyond,
			[]edit{{q: regDeferDays, value: regDWORD(7)}},
			standards.Unknown, []string{"deferred by 7 days"}},
		{"an Intune deferral hides new ones too", beyond,
			[]edit{{q: regMDMDeferDays, value: regDWORD(5)}},
			standards.Unknown, []string{"deferred by 5 days", `PolicyManager\current\device\Update`}},
		{"unreadable WSUS policy is no pass", beyond,
			[]edit{{q: regUseWUServer, err: probe.Errorf(probe.AccessDenied, "planted")}},
			standards.Unknown, []string{"whether a WSUS server filters"}},
		{"search later than the time judged", beyond,
			[]edit{agentSaying(at("2026-12-05T00:00:00Z"))},
			standards.Unknown, []string{"later than the time judged"}},
		{"no recorded search", beyond,
			[]edit{{q: wuaAgent, value: probe.WindowsUpdateAgent{Missing: []probe.WUAUpdate{}, ResultsError: "Microsoft.Update.AutoUpdate Results: 0x80004001 E_NOTIMPL"}}},
			standards.Unknown, []string{"when it last searched could not be read", "E_NOTIMPL"}},
		{"service disabled: the data decides", beyond,
			[]edit{{q: wuaAgent, err: probe.Errorf(probe.ServiceDisabled, "IUpdateSearcher.Search: the Windows Update service (wuauserv) is disabled (0x80070422 ERROR_SERVICE_DISABLED)")}},
			standards.Unknown, []string{"cannot be told from this data", "could not be asked", "service_disabled"}},
		{"Wine's stub: the data decides", beyond,
			[]edit{{q: wuaAgent, err: probe.Errorf(probe.MissingClass, "IUpdateSearcher.Search: the Windows Update Agent does not provide this here (0x80004001 E_NOTIMPL)")}},
			standards.Unknown, []string{"could not be asked", "E_NOTIMPL"}},
		{"timed out: the data decides", beyond,
			[]edit{{q: wuaAgent, err: probe.Errorf(probe.Timeout, "no answer within 10s")}},
			standards.Unknown, []string{"could not be asked: no answer within 10s (timeout)"}},
		{"an answer larger than the agent gives is not believed", beyond,
			[]edit{agentSaying(fresh, make([]probe.WUAUpdate, maxAgentUpdates+1)...)},
			standards.Unknown, []string{"not credible"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := resultOf(t, edited(t, tt.profile, tt.edits...), "patches-current")
			if r.Verdict.Status != tt.want {
				t.Errorf("%s, want %s: %s", r.Verdict.Status, tt.want, r.Verdict.Summary)
			}
			for _, frag := range tt.says {
				if !strings.Contains(r.Verdict.Summary, frag) {
					t.Errorf("summary %q lacks %q", r.Verdict.Summary, frag)
				}
			}
		})
	}
}

// TestEveryValueGivesTheSameVerdict: where an unreadable value could not
// change the verdict, the verdict is given; where it could, it is not.
func TestEveryValueGivesTheSameVerdict(t *testing.T) {
	denied := probe.Errorf(probe.AccessDenied, "access denied (0x80041003)")
	policy := func(profile, value string) probe.Query {
		return probe.RegistryValue(firewallPolicyKey+`\`+profile, value)
	}
	local := func(profile, value string) probe.Query {
		return probe.RegistryValue(firewallLocalKey+`\`+profile, value)
	}
	tests := []struct {
		name, profile, check string
		edits                []edit
		now                  string
		want                 standards.Status
		says                 []string
	}{
		{"Windows 10 22H2 a year behind fails with or without ESU", "win10-pro-22h2-no-esu", "patches-current",
			[]edit{{q: esuLicences.Query, err: denied}}, "",
			standards.Fail, []string{"whether or not it holds an Extended Security Updates licence", "no security updates since its servicing ended on 2025-10-14", "released since 2025-11-11 are missing"}},
		{"its support still depends on the licence", "win10-pro-22h2-no-esu", "os-supported",
			[]edit{{q: esuLicences.Query, err: denied}}, "",
			standards.NeedsAdmin, []string{"Extended Security Updates licence"}},
		{"a current ESU machine still depends on the licence", "win10-pro-22h2-esu-year2", "patches-current",
			[]edit{{q: esuLicences.Query, err: denied}}, "",
			standards.NeedsAdmin, []string{"Extended Security Updates licence"}},
		{"after the last ESU year the licence cannot matter", "win10-pro-22h2-no-esu", "os-supported",
			[]edit{{q: esuLicences.Query, err: denied}}, "2028-11-01",
			standards.Fail, []string{"ended 2025-10-14"}},
		{"a profile that is off fails whatever its inbound action", "win11-enterprise-24h2-patched", "firewall-on",
			[]edit{{q: local("PublicProfile", "EnableFirewall"), value: regDWORD(0)}, {q: policy("PublicProfile", "DefaultInboundAction"), err: denied}}, "",
			standards.Fail, []string{"Public: OFF (local setting EnableFirewall = 0), inbound unreadable"}},
		{"inbound allowed fails whether the profile is on or off", "win11-enterprise-24h2-patched", "firewall-on",
			[]edit{{q: policy("DomainProfile", "EnableFirewall"), err: denied}, {q: local("DomainProfile", "DefaultInboundAction"), value: regDWORD(0)}}, "",
			standards.Fail, []string{"Domain: on/off unreadable, inbound ALLOWED (local setting DefaultInboundAction = 0)"}},
		{"an on profile with unreadable inbound action cannot be told", "win11-enterprise-24h2-patched", "firewall-on",
			[]edit{{q: policy("PublicProfile", "DefaultInboundAction"), err: denied}}, "",
			standards.NeedsAdmin, []string{"DefaultInboundAction (access_denied)"}},
		{"Windows Update disabled by policy fails whatever the service is", "win11-enterprise-24h2-patched", "windows-update-enabled",
			[]edit{{q: serviceStart("wuauserv"), err: denied}, {q: regNoAutoUpdate, value: regDWORD(1)}}, "",
			standards.Fail, []string{"NoAutoUpdate = 1"}},
		{"Windows Update settings partly unreadable cannot be told", "win11-enterprise-24h2-patched", "windows-update-enabled",
			[]edit{{q: serviceStart("wuauserv"), err: denied}}, "",
			standards.NeedsAdmin, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			snap := edited(t, tt.profile, tt.edits...)
			if tt.now != "" {
				snap.CollectedAt = standards.MustDate(tt.now).Time
			}
			r := resultOf(t, snap, tt.check)
			if r.Verdict.Status != tt.want {
				t.Errorf("%s, want %s: %s", r.Verdict.Status, tt.want, r.Verdict.Summary)
			}
			for _, frag := range tt.says {
				if !strings.Contains(r.Verdict.Summary, frag) {
					t.Errorf("summary %q lacks %q", r.Verdict.Summary, frag)
				}
			}
		})
	}
}
