package checks

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nhs-dspt/dspt-audit/checks/probe"
	"github.com/nhs-dspt/dspt-audit/standards"
)

const profileDir = "../testdata/profiles"

func loadData(t testing.TB) *standards.Data {
	t.Helper()
	d, err := standards.Load()
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func loadProfile(t testing.TB, name string) *probe.Snapshot {
	t.Helper()
	f, err := os.Open(filepath.Join(profileDir, name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s, err := probe.ReadSnapshot(f)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return s
}

// replay judges a profile at the time it was collected, as scan --from does.
func replay(t testing.TB, s *probe.Snapshot, data *standards.Data) *Scan {
	t.Helper()
	scan, err := Run(context.Background(), probe.NewReplay(s), Options{Checks: All(), Data: data, Clock: func() time.Time { return s.CollectedAt }})
	if err != nil {
		t.Fatal(err)
	}
	return scan
}

type expect struct {
	status standards.Status
	// says are fragments the summary must contain: the value that decided.
	says []string
}

func TestProfiles(t *testing.T) {
	data := loadData(t)
	pass, fail, warn, unknown := standards.Pass, standards.Fail, standards.Warn, standards.Unknown
	admin, na := standards.NeedsAdmin, standards.NotApplicable
	profiles := map[string]map[string]expect{
		"debian-12-container-neglected": {
			"os-supported":               {pass, nil},
			"patches-current":            {unknown, []string{"refreshed 52 days ago", "hold no security suite"}},
			"antimalware-active":         {warn, nil},
			"firewall-on":                {pass, nil},
			"risky-ports":                {fail, []string{"Telnet on 0.0.0.0:23 (inetd, PID 41)"}},
			"smb1-disabled":              {na, nil},
			"disk-encrypted":             {unknown, []string{"overlay (type overlay)"}},
			"secure-boot":                {admin, nil},
			"tpm-present":                {fail, nil},
			"screen-lock":                {na, nil},
			"local-admins":               {fail, []string{"UID 0 in /etc/passwd: toor"}},
			"password-policy":            {unknown, nil},
			"ssh-hardened":               {fail, []string{"permitrootlogin yes (/etc/ssh/sshd_config)", "passwordauthentication yes (default)"}},
			"time-sync":                  {fail, nil},
			"audit-logging":              {fail, []string{"/var/log/journal does not exist"}},
			"remote-access-inventory":    {warn, nil},
			"removable-media-controlled": {unknown, nil},
			"backups-evident":            {unknown, []string{"/etc/cron.d/* (contents) (not_recorded)"}},
		},
		"debian-12-nftables": {
			"os-supported":               {pass, []string{"Debian 12 (bookworm) is supported until 2028-06-30", "Debian LTS"}},
			"patches-current":            {fail, []string{"74 security updates are pending", "apt 2.6.1 → 2.6.2", "libcups2 2.4.2-3+deb12u8 → 2.4.2-3+deb12u9", "and 64 more"}},
			"antimalware-active":         {fail, nil},
			"firewall-on":                {pass, []string{`"inet filter input" hooks input with policy drop`}},
			"risky-ports":                {pass, nil},
			"smb1-disabled":              {na, []string{"Samba is not installed"}},
			"disk-encrypted":             {fail, []string{"vda (disk) has no crypt layer"}},
			"secure-boot":                {fail, nil},
			"tpm-present":                {fail, nil},
			"screen-lock":                {na, nil},
			"local-admins":               {pass, nil},
			"password-policy":            {fail, []string{"minimum length 6, no account lockout"}},
			"ssh-hardened":               {na, nil},
			"time-sync":                  {fail, nil},
			"audit-logging":              {fail, nil},
			"remote-access-inventory":    {pass, []string{"No way in from outside"}},
			"removable-media-controlled": {warn, []string{"chassis type 1"}},
			"backups-evident":            {fail, []string{"No scheduled backup was found"}},
		},
		"debian-12-probes-timed-out": {
			"os-supported":               {unknown, nil},
			"patches-current":            {unknown, nil},
			"antimalware-active":         {unknown, nil},
			"firewall-on":                {unknown, nil},
			"risky-ports":                {unknown, nil},
			"smb1-disabled":              {unknown, nil},
			"disk-encrypted":             {unknown, nil},
			"secure-boot":                {unknown, nil},
			"tpm-present":                {unknown, nil},
			"screen-lock":                {unknown, nil},
			"local-admins":               {unknown, nil},
			"password-policy":            {unknown, nil},
			"ssh-hardened":               {unknown, nil},
			"time-sync":                  {unknown, nil},
			"audit-logging":              {unknown, nil},
			"remote-access-inventory":    {unknown, nil},
			"removable-media-controlled": {unknown, nil},
			"backups-evident":            {unknown, nil},
		},
		"ubuntu-2404-desktop-hardened": {
			"os-supported":               {pass, nil},
			"patches-current":            {pass, []string{"No security update is pending", "refreshed 3 hours ago", "12 installed packages checked against noble-security"}},
			"antimalware-active":         {pass, nil},
			"firewall-on":                {pass, nil},
			"risky-ports":                {pass, nil},
			"smb1-disabled":              {na, nil},
			"disk-encrypted":             {pass, []string{"dm_crypt-0 (crypt)"}},
			"secure-boot":                {pass, nil},
			"tpm-present":                {pass, nil},
			"screen-lock":                {pass, []string{"after 600 s idle"}},
			"local-admins":               {pass, nil},
			"password-policy":            {pass, []string{"minimum length 12, lockout after 5 failed attempts"}},
			"ssh-hardened":               {pass, []string{"permitrootlogin no (/etc/ssh/sshd_config.d/50-practice.conf)", "kbdinteractiveauthentication no (/etc/ssh/sshd_config)"}},
			"time-sync":                  {pass, nil},
			"audit-logging":              {pass, nil},
			"remote-access-inventory":    {warn, []string{"OpenSSH server (sshd)"}},
			"removable-media-controlled": {pass, []string{`"install usb-storage /bin/false" in /etc/modprobe.d/practice-usb-storage.conf`}},
			"backups-evident":            {warn, []string{"borgmatic is scheduled"}},
		},
		"win10-1607-wannacry-era": {
			"os-supported":               {fail, []string{"Windows 10 1607", "ended 2018-04-10"}},
			"patches-current":            {fail, []string{"servicing ended on 2018-04-10"}},
			"known-exploits":             {fail, []string{"EXPOSED to MS17-010", "fixed by KB4013429 (UBR 953)", "EXPOSED to CVE-2021-34527", "Not exposed to CVE-2020-0796, CVE-2019-0708"}},
			"unsupported-software":       {fail, []string{"Java 7 Update 79 (64-bit) 7.0.790 (Java SE 7, support ended 2022-07-19)", "Adobe Flash Player 25 NPAPI", "Adobe Reader XI (11.0.19)"}},
			"pending-reboot":             {pass, nil},
			"windows-update-enabled":     {fail, nil},
			"antimalware-active":         {fail, nil},
			"defender-for-endpoint":      {fail, nil},
			"firewall-on":                {fail, []string{"Private: OFF (local setting EnableFirewall = 0)", "Public: on (local setting EnableFirewall = 1), inbound ALLOWED (local setting DefaultInboundAction = 0)"}},
			"risky-ports":                {fail, []string{"VNC on 0.0.0.0:5900 (winvnc.exe, PID 2410)", "FTP on :::21", "Remote Desktop on 0.0.0.0:3389"}},
			"smb1-disabled":              {fail, []string{"SMBv1 server ENABLED (MSFT_SmbServerConfiguration.EnableSMB1Protocol = true)", "client ENABLED (mrxsmb10 Start = 2)"}},
			"rdp-secure":                 {fail, nil},
			"llmnr-disabled":             {pass, nil},
			"autorun-disabled":           {fail, nil},
			"powershell2-removed":        {fail, []string{"MicrosoftWindowsPowerShellV2Root InstallState = 1"}},
			"disk-encrypted":             {fail, nil},
			"secure-boot":                {fail, nil},
			"tpm-present":                {fail, nil},
			"screen-lock":                {fail, nil},
			"guest-disabled":             {fail, []string{"Gast", "-501) is ENABLED"}},
			"local-admins":               {fail, []string{"Authenticated Users (S-1-5-11) is a member of Administratoren (S-1-5-32-544)"}},
			"password-policy":            {fail, []string{"minimum length 0, no account lockout"}},
			"time-sync":                  {fail, nil},
			"audit-logging":              {fail, nil},
			"remote-access-inventory":    {warn, []string{"without Network Level Authentication", "VNC (service uvnc_service, automatic)"}},
			"removable-media-controlled": {fail, []string{"portable machine (chassis type 9)", "not protected by BitLocker"}},
			"backups-evident":            {fail, []string{"No backup of this PC was found"}},
		},
		"win10-enterprise-ltsc-2021": {
			"os-supported":               {warn, []string{"Windows 10 Enterprise LTSC 2021", "until 2027-01-12", "50 days of support left"}},
			"patches-current":            {fail, []string{"KB5120249 (2026-08-11)", "released since 2026-09-08 are missing: 76 days"}},
			"known-exploits":             {pass, nil},
			"unsupported-software":       {pass, nil},
			"pending-reboot":             {pass, nil},
			"windows-update-enabled":     {pass, nil},
			"antimalware-active":         {pass, nil},
			"defender-for-endpoint":      {pass, nil},
			"firewall-on":                {pass, []string{"Group Policy EnableFirewall = 1"}},
			"risky-ports":                {pass, nil},
			"smb1-disabled":              {pass, nil},
			"rdp-secure":                 {pass, nil},
			"llmnr-disabled":             {pass, nil},
			"autorun-disabled":           {pass, nil},
			"powershell2-removed":        {pass, nil},
			"disk-encrypted":             {fail, []string{"OFF or suspended (ProtectionStatus = 0) on C: (OS volume)", "Protected: D: (fixed data volume)"}},
			"secure-boot":                {fail, []string{"UEFISecureBootEnabled = 0"}},
			"tpm-present":                {pass, nil},
			"screen-lock":                {pass, nil},
			"guest-disabled":             {pass, nil},
			"local-admins":               {pass, nil},
			"password-policy":            {warn, []string{"minimum length 8", "only if MFA or a deny-list"}},
			"time-sync":                  {pass, nil},
			"audit-logging":              {fail, []string{"Credential Validation: success false, failure false"}},
			"remote-access-inventory":    {unknown, nil},
			"removable-media-controlled": {unknown, nil},
			"backups-evident":            {unknown, nil},
		},
		"win10-pro-22h2-esu-year2": {
			"os-supported":               {pass, []string{"servicing ended 2025-10-14", "Extended Security Updates Year 2 covers it until 2027-10-12"}},
			"patches-current":            {unknown, []string{"19045.7801 is newer than the newest update in the data", "since 2026-09-08 cannot be told"}},
			"known-exploits":             {pass, nil},
			"unsupported-software":       {pass, nil},
			"pending-reboot":             {pass, nil},
			"windows-update-enabled":     {pass, nil},
			"antimalware-active":         {pass, nil},
			"defender-for-endpoint":      {pass, nil},
			"firewall-on":                {pass, nil},
			"risky-ports":                {pass, nil},
			"smb1-disabled":              {pass, []string{"mrxsmb10 Start = 4"}},
			"rdp-secure":                 {pass, nil},
			"llmnr-disabled":             {pass, nil},
			"autorun-disabled":           {pass, nil},
			"powershell2-removed":        {pass, nil},
			"disk-encrypted":             {pass, nil},
			"secure-boot":                {pass, nil},
			"tpm-present":                {warn, []string{"TPM 1.2"}},
			"screen-lock":                {pass, []string{"every logged-on user's screen saver locks", "timeout 600 s"}},
			"guest-disabled":             {pass, nil},
			"local-admins":               {warn, []string{"5 members, more than 3", "(Entra ID, unresolved)"}},
			"password-policy":            {pass, nil},
			"time-sync":                  {pass, nil},
			"audit-logging":              {pass, nil},
			"remote-access-inventory":    {unknown, nil},
			"removable-media-controlled": {unknown, nil},
			"backups-evident":            {unknown, nil},
		},
		"win10-pro-22h2-no-esu": {
			"os-supported":               {fail, []string{"ended 2025-10-14", "No active Extended Security Updates licence"}},
			"patches-current":            {fail, []string{"servicing ended on 2025-10-14"}},
			"known-exploits":             {pass, nil},
			"unsupported-software":       {pass, nil},
			"pending-reboot":             {pass, nil},
			"windows-update-enabled":     {pass, nil},
			"antimalware-active":         {pass, []string{"Sophos Endpoint Agent (Security Center productState 0x41000: on, signatures up to date)"}},
			"defender-for-endpoint":      {fail, []string{"OnboardingState is not set and the Sense service is not installed"}},
			"firewall-on":                {pass, nil},
			"risky-ports":                {pass, nil},
			"smb1-disabled":              {pass, nil},
			"rdp-secure":                 {fail, []string{"WITHOUT Network Level Authentication"}},
			"llmnr-disabled":             {fail, []string{"EnableMulticast is not set"}},
			"autorun-disabled":           {pass, nil},
			"powershell2-removed":        {pass, nil},
			"disk-encrypted":             {pass, nil},
			"secure-boot":                {pass, nil},
			"tpm-present":                {pass, nil},
			"screen-lock":                {pass, nil},
			"guest-disabled":             {pass, nil},
			"local-admins":               {pass, nil},
			"password-policy":            {pass, nil},
			"time-sync":                  {pass, nil},
			"audit-logging":              {pass, nil},
			"remote-access-inventory":    {warn, []string{"Remote Desktop is on", "TeamViewer (service TeamViewer, automatic)", "ScreenConnect Client (6f3a9b1c2d4e5f70)"}},
			"removable-media-controlled": {warn, []string{"Files can be copied to any USB drive"}},
			"backups-evident":            {warn, []string{"Veeam Agent (service VeeamEndpointBackupSvc, automatic)", "2 volume shadow copies, the newest from 2026-11-22"}},
		},
		"win11-enterprise-24h2-agent-current-beyond-data": {
			"os-supported":               {pass, nil},
			"patches-current":            {pass, []string{"Windows Update Agent, the source of this verdict, searched successfully on 2026-11-26 14:02 UTC", "lists no missing security update", "26100.9873 is newer than the update data (as of 2026-09-14)"}},
			"known-exploits":             {pass, nil},
			"unsupported-software":       {pass, nil},
			"pending-reboot":             {pass, nil},
			"windows-update-enabled":     {pass, nil},
			"antimalware-active":         {pass, nil},
			"defender-for-endpoint":      {pass, nil},
			"firewall-on":                {pass, nil},
			"risky-ports":                {pass, nil},
			"smb1-disabled":              {pass, nil},
			"rdp-secure":                 {pass, nil},
			"llmnr-disabled":             {pass, nil},
			"autorun-disabled":           {pass, nil},
			"powershell2-removed":        {pass, nil},
			"disk-encrypted":             {pass, nil},
			"secure-boot":                {pass, nil},
			"tpm-present":                {pass, nil},
			"screen-lock":                {pass, nil},
			"guest-disabled":             {pass, nil},
			"local-admins":               {pass, nil},
			"password-policy":            {pass, nil},
			"time-sync":                  {pass, nil},
			"audit-logging":              {pass, nil},
			"remote-access-inventory":    {unknown, nil},
			"removable-media-controlled": {unknown, nil},
			"backups-evident":            {unknown, nil},
		},
		"win11-enterprise-24h2-agent-missing-kb": {
			"os-supported":               {pass, nil},
			"patches-current":            {fail, []string{"KB5131990 (released 2026-11-10, missing for 20 days)"}},
			"known-exploits":             {pass, nil},
			"unsupported-software":       {pass, nil},
			"pending-reboot":             {pass, nil},
			"windows-update-enabled":     {pass, nil},
			"antimalware-active":         {pass, nil},
			"defender-for-endpoint":      {pass, nil},
			"firewall-on":                {pass, nil},
			"risky-ports":                {pass, nil},
			"smb1-disabled":              {pass, nil},
			"rdp-secure":                 {pass, nil},
			"llmnr-disabled":             {pass, nil},
			"autorun-disabled":           {pass, nil},
			"powershell2-removed":        {pass, nil},
			"disk-encrypted":             {pass, nil},
			"secure-boot":                {pass, nil},
			"tpm-present":                {pass, nil},
			"screen-lock":                {pass, nil},
			"guest-disabled":             {pass, nil},
			"local-admins":               {pass, nil},
			"password-policy":            {pass, nil},
			"time-sync":                  {pass, nil},
			"audit-logging":              {pass, nil},
			"remote-access-inventory":    {unknown, nil},
			"removable-media-controlled": {unknown, nil},
			"backups-evident":            {unknown, nil},
		},
		"win11-enterprise-24h2-agent-stale-search": {
			"os-supported":               {pass, nil},
			"patches-current":            {unknown, []string{"26100.9873 is newer than the newest update in the data", "cannot vouch for it: its last successful search was 10 days ago (2026-11-17)"}},
			"known-exploits":             {pass, nil},
			"unsupported-software":       {pass, nil},
			"pending-reboot":             {pass, nil},
			"windows-update-enabled":     {pass, nil},
			"antimalware-active":         {pass, nil},
			"defender-for-endpoint":      {pass, nil},
			"firewall-on":                {pass, nil},
			"risky-ports":                {pass, nil},
			"smb1-disabled":              {pass, nil},
			"rdp-secure":                 {pass, nil},
			"llmnr-disabled":             {pass, nil},
			"autorun-disabled":           {pass, nil},
			"powershell2-removed":        {pass, nil},
			"disk-encrypted":             {pass, nil},
			"secure-boot":                {pass, nil},
			"tpm-present":                {pass, nil},
			"screen-lock":                {pass, nil},
			"guest-disabled":             {pass, nil},
			"local-admins":               {pass, nil},
			"password-policy":            {pass, nil},
			"time-sync":                  {pass, nil},
			"audit-logging":              {pass, nil},
			"remote-access-inventory":    {unknown, nil},
			"removable-media-controlled": {unknown, nil},
			"backups-evident":            {unknown, nil},
		},
		"win11-enterprise-24h2-hotpatch-policy-firewall": {
			"os-supported":               {pass, nil},
			"patches-current":            {pass, []string{"hotpatch KB5120994 (2026-08-11)"}},
			"known-exploits":             {pass, nil},
			"unsupported-software":       {pass, nil},
			"pending-reboot":             {pass, nil},
			"windows-update-enabled":     {pass, nil},
			"antimalware-active":         {pass, nil},
			"defender-for-endpoint":      {pass, nil},
			"firewall-on":                {pass, []string{"Domain: on (Group Policy EnableFirewall = 1), inbound blocked (Group Policy DefaultInboundAction = 1)"}},
			"risky-ports":                {pass, nil},
			"smb1-disabled":              {pass, nil},
			"rdp-secure":                 {pass, nil},
			"llmnr-disabled":             {pass, nil},
			"autorun-disabled":           {pass, nil},
			"powershell2-removed":        {pass, nil},
			"disk-encrypted":             {pass, nil},
			"secure-boot":                {pass, nil},
			"tpm-present":                {pass, nil},
			"screen-lock":                {pass, nil},
			"guest-disabled":             {pass, nil},
			"local-admins":               {pass, nil},
			"password-policy":            {pass, nil},
			"time-sync":                  {pass, nil},
			"audit-logging":              {pass, nil},
			"remote-access-inventory":    {unknown, nil},
			"removable-media-controlled": {unknown, nil},
			"backups-evident":            {unknown, nil},
		},
		"win11-enterprise-24h2-non-admin": {
			"os-supported":               {pass, nil},
			"patches-current":            {pass, []string{"KB5121003 (2026-08-11)"}},
			"known-exploits":             {pass, nil},
			"unsupported-software":       {pass, nil},
			"pending-reboot":             {pass, nil},
			"windows-update-enabled":     {pass, nil},
			"antimalware-active":         {admin, []string{"MSFT_MpComputerStatus (access_denied)"}},
			"defender-for-endpoint":      {pass, nil},
			"firewall-on":                {pass, nil},
			"risky-ports":                {warn, []string{"Remote Desktop on 0.0.0.0:3389 (PID 1188, name unreadable without admin)"}},
			"smb1-disabled":              {admin, []string{"MSFT_SmbServerConfiguration (access_denied)"}},
			"rdp-secure":                 {pass, nil},
			"llmnr-disabled":             {pass, nil},
			"autorun-disabled":           {pass, nil},
			"powershell2-removed":        {pass, nil},
			"disk-encrypted":             {admin, nil},
			"secure-boot":                {pass, nil},
			"tpm-present":                {admin, nil},
			"screen-lock":                {pass, nil},
			"guest-disabled":             {pass, nil},
			"local-admins":               {pass, nil},
			"password-policy":            {pass, nil},
			"time-sync":                  {pass, nil},
			"audit-logging":              {admin, nil},
			"remote-access-inventory":    {warn, nil},
			"removable-media-controlled": {standards.NeedsAdmin, []string{"portable machine is encrypted"}},
			"backups-evident":            {admin, []string{"Win32_ShadowCopy (access_denied)"}},
		},
		"win11-enterprise-24h2-patched": {
			"os-supported":               {pass, []string{"Windows 11 24H2", "Enterprise/Education editions until 2027-10-12", `ProductName says "Windows 10 Enterprise"`}},
			"patches-current":            {pass, []string{"26100.9445", "KB5124008 (2026-09-08)", "next is due 2026-10-13 (update data as of 2026-09-14)", `lists 2 hotfixes, the newest KB5124008, installed "9/9/2026"`}},
			"known-exploits":             {pass, []string{"Build 26100.9445 is not exposed to MS17-010, CVE-2020-0796, CVE-2019-0708, CVE-2021-34527"}},
			"unsupported-software":       {pass, []string{"No installed program matches", "5 programs checked"}},
			"pending-reboot":             {pass, nil},
			"windows-update-enabled":     {pass, nil},
			"antimalware-active":         {pass, nil},
			"defender-for-endpoint":      {pass, nil},
			"firewall-on":                {pass, []string{"Public: on (local setting EnableFirewall = 1), inbound blocked (not set; Windows default)"}},
			"risky-ports":                {pass, []string{"Loopback only, so not reachable: SQL Server on 127.0.0.1:1433 (sqlservr.exe, PID 2876)"}},
			"smb1-disabled":              {pass, []string{"EnableSMB1Protocol = false", "mrxsmb10 driver not installed"}},
			"rdp-secure":                 {pass, nil},
			"llmnr-disabled":             {pass, nil},
			"autorun-disabled":           {pass, nil},
			"powershell2-removed":        {pass, []string{"not a feature of this Windows at all"}},
			"disk-encrypted":             {pass, nil},
			"secure-boot":                {pass, nil},
			"tpm-present":                {pass, nil},
			"screen-lock":                {pass, []string{"InactivityTimeoutSecs) = 900 s"}},
			"guest-disabled":             {pass, nil},
			"local-admins":               {pass, []string{"Administrators (S-1-5-32-544) has 2 members", `PRACTICE\Domain Admins`}},
			"password-policy":            {pass, nil},
			"time-sync":                  {pass, nil},
			"audit-logging":              {pass, nil},
			"remote-access-inventory":    {pass, []string{"No way in from outside was found"}},
			"removable-media-controlled": {pass, []string{"writing to removable disks is denied by policy (Deny_Write = 1)"}},
			"backups-evident":            {pass, []string{"OneDrive Known Folder Move is enforced by policy", "KFMBlockOptOut = 1"}},
		},
		"win11-enterprise-24h2-probes-timed-out": {
			"os-supported":               {unknown, nil},
			"patches-current":            {unknown, nil},
			"known-exploits":             {unknown, nil},
			"unsupported-software":       {unknown, nil},
			"pending-reboot":             {unknown, nil},
			"windows-update-enabled":     {unknown, nil},
			"antimalware-active":         {unknown, nil},
			"defender-for-endpoint":      {unknown, nil},
			"firewall-on":                {unknown, nil},
			"risky-ports":                {unknown, nil},
			"smb1-disabled":              {unknown, nil},
			"rdp-secure":                 {unknown, nil},
			"llmnr-disabled":             {unknown, nil},
			"autorun-disabled":           {unknown, nil},
			"powershell2-removed":        {unknown, nil},
			"disk-encrypted":             {unknown, nil},
			"secure-boot":                {unknown, nil},
			"tpm-present":                {unknown, nil},
			"screen-lock":                {unknown, nil},
			"guest-disabled":             {unknown, nil},
			"local-admins":               {unknown, nil},
			"password-policy":            {unknown, nil},
			"time-sync":                  {unknown, nil},
			"audit-logging":              {unknown, nil},
			"remote-access-inventory":    {unknown, nil},
			"removable-media-controlled": {unknown, nil},
			"backups-evident":            {unknown, nil},
		},
		"win11-pro-24h2-servicing-ended": {
			"os-supported":               {fail, []string{"Home/Pro editions ended 2026-10-13, 41 days ago"}},
			"patches-current":            {fail, []string{"no security updates since its servicing ended on 2026-10-13"}},
			"known-exploits":             {pass, nil},
			"unsupported-software":       {fail, []string{"Microsoft Office Professional Plus 2016", "support ended 2025-10-14", "Old runtimes: Microsoft Visual C++ 2008"}},
			"pending-reboot":             {warn, []string{`Auto Update\RebootRequired exists`}},
			"windows-update-enabled":     {pass, nil},
			"antimalware-active":         {warn, []string{"signatures are 5 days old"}},
			"defender-for-endpoint":      {pass, nil},
			"firewall-on":                {pass, nil},
			"risky-ports":                {pass, nil},
			"smb1-disabled":              {pass, nil},
			"rdp-secure":                 {pass, nil},
			"llmnr-disabled":             {pass, nil},
			"autorun-disabled":           {pass, nil},
			"powershell2-removed":        {pass, nil},
			"disk-encrypted":             {pass, nil},
			"secure-boot":                {pass, nil},
			"tpm-present":                {pass, nil},
			"screen-lock":                {pass, nil},
			"guest-disabled":             {pass, nil},
			"local-admins":               {pass, nil},
			"password-policy":            {pass, nil},
			"time-sync":                  {pass, nil},
			"audit-logging":              {pass, nil},
			"remote-access-inventory":    {unknown, nil},
			"removable-media-controlled": {unknown, nil},
			"backups-evident":            {unknown, nil},
		},
		"win11-pro-25h2-public-firewall-off-by-gpo": {
			"os-supported":               {pass, []string{"Windows 11 25H2", "Home/Pro editions until 2027-10-12"}},
			"patches-current":            {pass, []string{"KB5124008"}},
			"known-exploits":             {pass, nil},
			"unsupported-software":       {pass, nil},
			"pending-reboot":             {warn, nil},
			"windows-update-enabled":     {pass, nil},
			"antimalware-active":         {pass, nil},
			"defender-for-endpoint":      {pass, nil},
			"firewall-on":                {fail, []string{"Public: OFF (Group Policy EnableFirewall = 0)"}},
			"risky-ports":                {pass, nil},
			"smb1-disabled":              {pass, nil},
			"rdp-secure":                 {pass, nil},
			"llmnr-disabled":             {pass, nil},
			"autorun-disabled":           {pass, nil},
			"powershell2-removed":        {pass, nil},
			"disk-encrypted":             {pass, nil},
			"secure-boot":                {pass, nil},
			"tpm-present":                {pass, nil},
			"screen-lock":                {unknown, []string{"no user is logged on"}},
			"guest-disabled":             {pass, nil},
			"local-admins":               {pass, nil},
			"password-policy":            {pass, nil},
			"time-sync":                  {pass, nil},
			"audit-logging":              {pass, nil},
			"remote-access-inventory":    {warn, []string{`"Practice VPN", "Supplier support"`}},
			"removable-media-controlled": {pass, []string{"RDVDenyWriteAccess = 1", "portable"}},
			"backups-evident":            {pass, []string{"File History for S-1-5-21-3623811015-3361044348-30300820-1001 completed a backup on 2026-09-19"}},
		},
		"windows-server-2025-patched": {
			"os-supported":               {pass, []string{"Windows Server 2025", "until 2034-11-14"}},
			"patches-current":            {pass, []string{"26100.33296", "KB5120233 (2026-08-11)"}},
			"known-exploits":             {pass, nil},
			"unsupported-software":       {pass, nil},
			"pending-reboot":             {pass, nil},
			"windows-update-enabled":     {pass, nil},
			"antimalware-active":         {pass, []string{"AMRunningMode \"Normal\""}},
			"defender-for-endpoint":      {pass, nil},
			"firewall-on":                {pass, nil},
			"risky-ports":                {pass, nil},
			"smb1-disabled":              {pass, nil},
			"rdp-secure":                 {pass, nil},
			"llmnr-disabled":             {pass, nil},
			"autorun-disabled":           {pass, nil},
			"powershell2-removed":        {pass, nil},
			"disk-encrypted":             {unknown, []string{"missing_class", "Windows Home has no BitLocker management"}},
			"secure-boot":                {pass, nil},
			"tpm-present":                {pass, nil},
			"screen-lock":                {pass, nil},
			"guest-disabled":             {pass, nil},
			"local-admins":               {pass, nil},
			"password-policy":            {pass, nil},
			"time-sync":                  {pass, nil},
			"audit-logging":              {pass, nil},
			"remote-access-inventory":    {unknown, nil},
			"removable-media-controlled": {unknown, nil},
			"backups-evident":            {unknown, nil},
		},
	}
	files, _ := filepath.Glob(filepath.Join(profileDir, "*.json"))
	if len(files) != len(profiles) {
		t.Errorf("%d profiles in %s, %d with expectations: every profile needs its expected verdicts", len(files), profileDir, len(profiles))
	}
	for name, want := range profiles {
		t.Run(name, func(t *testing.T) {
			scan := replay(t, loadProfile(t, name), data)
			if len(scan.Results) != len(want) {
				t.Errorf("%d results, want %d", len(scan.Results), len(want))
			}
			for _, r := range scan.Results {
				w, ok := want[r.Check.ID]
				if !ok {
					t.Errorf("unexpected result %s", r.Check.ID)
					continue
				}
				if r.Verdict.Status != w.status {
					t.Errorf("%s: %s, want %s: %s", r.Check.ID, r.Verdict.Status, w.status, r.Verdict.Summary)
				}
				for _, frag := range w.says {
					if !strings.Contains(r.Verdict.Summary, frag) {
						t.Errorf("%s: summary %q lacks %q", r.Check.ID, r.Verdict.Summary, frag)
					}
				}
				if len(r.Evidence) == 0 {
					t.Errorf("%s: no evidence", r.Check.ID)
				}
				for _, o := range r.Evidence {
					// Profiles recorded before a probe existed replay it as
					// not recorded: the data decides as before, or the newer
					// check cannot tell.
					if Undeclared(o) || o.Is(probe.NotRecorded) && !(o.Key == wuaAgent.Key() || !recordsNewerChecks[name] && newerCheck[r.Check.ID]) {
						t.Errorf("%s: %s", r.Check.ID, o.Error)
					}
				}
			}
		})
	}
}

// newerCheck are the checks added after most profiles were recorded;
// recordsNewerChecks are the profiles that record everything they read.
var (
	newerCheck         = map[string]bool{"backups-evident": true, "removable-media-controlled": true, "remote-access-inventory": true}
	recordsNewerChecks = map[string]bool{
		"win11-enterprise-24h2-patched": true, "win10-pro-22h2-no-esu": true, "win11-pro-25h2-public-firewall-off-by-gpo": true,
		"win10-1607-wannacry-era": true, "win11-enterprise-24h2-non-admin": true, "ubuntu-2404-desktop-hardened": true, "debian-12-nftables": true,
	}
)

// TestUnreadableESULicenceIsNeverJudged: a Windows 10 22H2 past its end whose
// licence store cannot be read must not be called supported or unsupported.
func TestUnreadableESULicenceIsNeverJudged(t *testing.T) {
	snap := loadProfile(t, "win10-pro-22h2-esu-year2")
	for i, o := range snap.Observations {
		if o.Key == esuLicences.Key() {
			snap.Observations[i].Value = nil
			snap.Observations[i].Error = probe.Errorf(probe.AccessDenied, "access denied (0x80041003)")
		}
	}
	for _, r := range replay(t, snap, loadData(t)).Results {
		if r.Check.ID != "os-supported" && r.Check.ID != "patches-current" {
			continue
		}
		if r.Verdict.Status != standards.NeedsAdmin || !strings.Contains(r.Verdict.Summary, "Extended Security Updates licence") {
			t.Errorf("%s: %s %q, want needs_admin about the ESU licence", r.Check.ID, r.Verdict.Status, r.Verdict.Summary)
		}
	}
}

// TestNothingPassesOnFailedProbes replays every profile with every probe
// but the host failing, once denied and once timed out: every check must
// then say it cannot tell, never pass, warn or fail.
func TestNothingPassesOnFailedProbes(t *testing.T) {
	data := loadData(t)
	files, _ := filepath.Glob(filepath.Join(profileDir, "*.json"))
	for _, class := range []probe.ErrorClass{probe.AccessDenied, probe.Timeout} {
		want := map[probe.ErrorClass]standards.Status{probe.AccessDenied: standards.NeedsAdmin, probe.Timeout: standards.Unknown}[class]
		for _, file := range files {
			name := strings.TrimSuffix(filepath.Base(file), ".json")
			snap := loadProfile(t, name)
			src := failingSource{snap: probe.NewReplay(snap), class: class}
			scan, err := Run(context.Background(), src, Options{Checks: All(), Data: data, Clock: func() time.Time { return snap.CollectedAt }})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range scan.Results {
				if r.Verdict.Status != want {
					t.Errorf("%s with every probe %s: %s is %s, want %s: %s", name, class, r.Check.ID, r.Verdict.Status, want, r.Verdict.Summary)
				}
			}
		}
	}
}

// failingSource answers the host from the snapshot and fails everything else.
type failingSource struct {
	snap  *probe.Replay
	class probe.ErrorClass
}

func (f failingSource) Read(ctx context.Context, q probe.Query) (any, error) {
	if q.Kind == probe.Host {
		return f.snap.Read(ctx, q)
	}
	return nil, probe.Errorf(f.class, "planted failure")
}

// TestNonAdminNeverPassesOnADeniedProbe: in the unelevated profile, no
// check that passes read anything it was denied.
func TestNonAdminNeverPassesOnADeniedProbe(t *testing.T) {
	scan := replay(t, loadProfile(t, "win11-enterprise-24h2-non-admin"), loadData(t))
	admin := 0
	for _, r := range scan.Results {
		if r.Verdict.Status == standards.NeedsAdmin {
			admin++
		}
		if r.Verdict.Status != standards.Pass {
			continue
		}
		for _, o := range r.Evidence {
			if o.Is(probe.AccessDenied) {
				t.Errorf("%s passes although %s was denied", r.Check.ID, o.Query)
			}
		}
	}
	if admin < 5 {
		t.Errorf("%d checks need admin in the non-admin profile, want at least 5 (SMB, Defender, BitLocker, TPM, audit policy)", admin)
	}
}
