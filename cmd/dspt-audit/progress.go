package main

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// progressBar draws one line of progress on a terminal's standard error,
// and nothing at all when no person is watching (a pipe, a scheduled task).
type progressBar struct {
	w     io.Writer
	label string
	shown bool
	last  time.Time
}

// progressMin is how many files make a wait worth a bar.
const progressMin = 200

func newProgressBar(s *streams, label string) *progressBar {
	if !s.ErrTTY {
		return &progressBar{}
	}
	return &progressBar{w: s.Err, label: label}
}

// Update redraws the bar at most ten times a second, and at the end.
func (p *progressBar) Update(done, total int) {
	if p.w == nil || total < progressMin {
		return
	}
	if done < total && time.Since(p.last) < 100*time.Millisecond {
		return
	}
	p.last = time.Now()
	const width = 30
	filled := width * done / total
	fmt.Fprintf(p.w, "\r%s [%s%s] %d/%d", p.label, strings.Repeat("=", filled), strings.Repeat(" ", width-filled), done, total)
	p.shown = true
}

// Clear removes the bar so that what follows starts on a clean line.
func (p *progressBar) Clear() {
	if p.shown {
		fmt.Fprint(p.w, "\r\x1b[K")
	}
}
