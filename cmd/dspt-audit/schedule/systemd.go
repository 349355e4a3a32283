package schedule

import (
	"fmt"
	"strings"
)

// SystemdDir is where the units are installed.
const SystemdDir = "/etc/systemd/system"

// Units are the systemd service and timer for the plan (systemd.service(5),
// systemd.timer(5)): a one-shot service as root, started daily by a timer
// with a randomised delay, catching up a run missed while the machine was
// off (Persistent=). Exit status 3 (standards not met) is a successful run
// to systemd, so that only a scan that could not run marks the unit failed.
func Units(p Plan) (service, timer string) {
	args := []string{quoteSystemd(p.Exe)}
	for _, a := range p.RunArgs() {
		args = append(args, quoteSystemd(a))
	}
	service = fmt.Sprintf(`[Unit]
Description=dspt-audit nightly NHS data security standards (DSPT) machine audit
Wants=network-online.target
After=network-online.target

[Service]
Type=oneshot
ExecStart=%s
SuccessExitStatus=3
TimeoutStartSec=%d
Nice=10
IOSchedulingClass=idle
SyslogIdentifier=dspt-audit
`, strings.Join(args, " "), int(RunTimeLimit.Seconds()))
	timer = fmt.Sprintf(`[Unit]
Description=Run dspt-audit daily at %02d:%02d

[Timer]
OnCalendar=*-*-* %02d:%02d:00
RandomizedDelaySec=%d
Persistent=true
AccuracySec=1min

[Install]
WantedBy=timers.target
`, p.Hour, p.Minute, p.Hour, p.Minute, int(p.RandomDelay.Seconds()))
	return service, timer
}

// quoteSystemd quotes one ExecStart word: double quotes with C-style
// escapes, and "%" and "$" doubled so systemd expands neither specifiers
// nor variables in a path (systemd.service(5), "Command lines").
func quoteSystemd(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "%", "%%", "$", "$$", "\n", `\n`, "\t", `\t`)
	return `"` + r.Replace(s) + `"`
}
