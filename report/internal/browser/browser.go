// Package browser renders the tool's HTML pages in headless Chromium for
// tests: printed to PDF and read back with pdftotext, or laid out at a
// phone's width and measured. Tests skip when the programs are missing,
// unless DSPT_AUDIT_REQUIRE_CHROMIUM is set (as CI sets it).
package browser

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// chromium finds the browser, or skips the test.
func chromium(t testing.TB) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	need(t, "Chromium (apt-get install chromium)")
	return ""
}

func need(t testing.TB, what string) {
	t.Helper()
	if os.Getenv("DSPT_AUDIT_REQUIRE_CHROMIUM") != "" {
		t.Fatalf("%s is required here but not installed", what)
	}
	t.Skipf("%s is not installed", what)
}

// run runs headless Chromium on the page with the given extra arguments,
// offline, in a profile of its own.
func run(t testing.TB, page []byte, args ...string) []byte {
	t.Helper()
	bin := chromium(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "page.html")
	if err := os.WriteFile(file, page, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + filepath.Join(dir, "profile")}
	args = append(append(base, args...), "file://"+file)
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium: %v\n%s", err, stderr.Bytes())
	}
	return stdout.Bytes()
}

// PrintedPages prints the page to PDF as a person printing it from the
// browser would get it, without the browser's own header and footer (so
// that whatever each page says of itself comes from the page), and returns
// the text of each printed page in the order Chromium drew it (pdftotext -raw: -layout
// would interleave the lines of neighbouring table cells).
func PrintedPages(t testing.TB, page []byte) []string {
	t.Helper()
	pdftotext, err := exec.LookPath("pdftotext")
	if err != nil {
		need(t, "pdftotext (apt-get install poppler-utils)")
	}
	dir := t.TempDir()
	pdf := filepath.Join(dir, "out.pdf")
	run(t, page, "--no-pdf-header-footer", "--print-to-pdf="+pdf)
	out, err := exec.Command(pdftotext, "-raw", pdf, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	pages := strings.Split(string(out), "\f")
	if n := len(pages); n > 0 && strings.TrimSpace(pages[n-1]) == "" {
		pages = pages[:n-1]
	}
	return pages
}

// measure is appended to a copy of the page: it writes, as text the DOM
// dump carries, the viewport width, how wide the document laid out, and for
// the innermost, last element reaching furthest past the viewport ("none"
// when none does), and for each table (by its position
// in the page) its right edge, the right edge
// and overflow-x of its parent, and its visible header cells.
const measure = `<script>
function widest() {
  var w = {right: innerWidth, name: "none"};
  document.querySelectorAll("body *").forEach(function (e) {
    var box = e.getBoundingClientRect(), r = Math.ceil(Math.max(box.right, box.left + e.scrollWidth));
    if (r >= w.right && r > innerWidth) {
      w = {right: r, name: e.tagName.toLowerCase() + "[" + e.textContent.trim().slice(0, 30).replace(/\\s+/g, "_") + "]"};
    }
  });
  return w.name;
}
parent.document.body.insertAdjacentHTML("beforeend", "<pre id=measured>viewport " + innerWidth +
  " document " + document.documentElement.scrollWidth + " widest " + widest() + "\\n" +
  Array.from(document.querySelectorAll("table")).map(function (t, i) {
    var p = t.parentElement;
    return "table " + i + " right " + Math.ceil(t.getBoundingClientRect().right) +
      " parent " + Math.ceil(p.getBoundingClientRect().right) + " " + getComputedStyle(p).overflowX + " heads " +
      Array.from(t.rows[0].cells).filter(function (c) { return c.offsetWidth > 0; }).map(function (c) { return c.textContent.trim().replace(/ /g, "_"); }).join("|");
  }).join("\\n") + "</pre>");
</script>`

var measuredRE = regexp.MustCompile(`<pre id="measured">([^<]*)</pre>`)

// Layout lays the page out width pixels wide, as a phone would (in a frame
// of that width: headless Chromium will not make its window narrower than
// 500 pixels), and returns what the measuring script saw: a first line
// "viewport W document W widest TAG.CLASS", then a line per table: "table I right R parent R
// OVERFLOW-X heads Head|Head" (the header cells shown, spaces as
// underscores).
func Layout(t testing.TB, page []byte, width int) string {
	t.Helper()
	i := bytes.LastIndex(page, []byte("</body>"))
	if i < 0 {
		t.Fatal("page has no </body>")
	}
	probe := append(append(append([]byte{}, page[:i]...), measure...), page[i:]...)
	frame := fmt.Sprintf(`<!DOCTYPE html><html><body style="margin:0"><iframe style="border:0;width:%dpx;height:844px" srcdoc="%s"></iframe></body></html>`,
		width, html.EscapeString(string(probe)))
	dom := run(t, []byte(frame), "--dump-dom")
	m := measuredRE.FindSubmatch(dom)
	if m == nil {
		t.Fatalf("the measuring script did not run; DOM ends %q", dom[max(0, len(dom)-300):])
	}
	return strings.ReplaceAll(string(m[1]), `\n`, "\n")
}
