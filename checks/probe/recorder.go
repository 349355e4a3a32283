package probe

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"slices"
	"strings"
	"sync"
	"time"
)

// Source answers queries: the live machine or a replayed snapshot. A value
// it returns must marshal to JSON. Errors may be *Error; others are
// classified by the Recorder.
type Source interface {
	Read(ctx context.Context, q Query) (any, error)
}

// Observer is what a check reads the machine through.
type Observer interface {
	Observe(q Query) Observation
}

// DefaultTimeout bounds each probe unless --probe-timeout says otherwise.
const DefaultTimeout = 10 * time.Second

// Recorder runs each distinct query once against a Source, bounded by a
// timeout, and keeps every Observation. It is safe for concurrent use; two
// checks asking the same question share one probe.
type Recorder struct {
	ctx     context.Context
	src     Source
	timeout time.Duration

	mu      sync.Mutex
	entries map[string]*entry
}

type entry struct {
	done chan struct{}
	obs  Observation
}

// NewRecorder records probes against src, each bounded by timeout.
func NewRecorder(ctx context.Context, src Source, timeout time.Duration) *Recorder {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	return &Recorder{ctx: ctx, src: src, timeout: timeout, entries: map[string]*entry{}}
}

// Observe runs the query (once per key) and returns its observation.
func (r *Recorder) Observe(q Query) Observation {
	key := q.Key()
	r.mu.Lock()
	e, seen := r.entries[key]
	if !seen {
		e = &entry{done: make(chan struct{})}
		r.entries[key] = e
	}
	r.mu.Unlock()
	if !seen {
		e.obs = r.probe(q)
		close(e.done)
	}
	<-e.done
	return e.obs
}

type answer struct {
	value any
	err   error
}

// probe reads q in its own goroutine so that a source that ignores its
// context (a hung WMI call) costs this probe its timeout and nothing more.
func (r *Recorder) probe(q Query) Observation {
	obs := Observation{Key: q.Key(), Kind: q.Kind, Query: q.String()}
	ctx, cancel := context.WithTimeout(r.ctx, r.timeout)
	defer cancel()
	ch := make(chan answer, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				ch <- answer{err: Errorf(Other, "probe panicked: %v", p)}
			}
		}()
		v, err := r.src.Read(ctx, q)
		ch <- answer{v, err}
	}()
	var a answer
	select {
	case a = <-ch:
	case <-ctx.Done():
		a.err = ctx.Err()
	}
	if a.err != nil {
		obs.Error = classify(a.err, r.timeout)
		return obs
	}
	raw, err := json.Marshal(a.value)
	if err != nil {
		obs.Error = Errorf(Other, "value does not encode: %v", err)
		return obs
	}
	obs.Value = raw
	return obs
}

func classify(err error, timeout time.Duration) *Error {
	var pe *Error
	switch {
	case errors.As(err, &pe):
		return pe
	case errors.Is(err, context.DeadlineExceeded):
		return Errorf(Timeout, "no answer within %s", timeout)
	case errors.Is(err, context.Canceled):
		return Errorf(Timeout, "scan cancelled")
	case errors.Is(err, os.ErrNotExist):
		return Errorf(NotFound, "%v", err)
	case errors.Is(err, os.ErrPermission):
		return Errorf(AccessDenied, "%v", err)
	}
	return Errorf(Other, "%v", err)
}

// Observations returns every observation made so far, sorted by key.
// Probes still running (abandoned after a timeout) are not included.
func (r *Recorder) Observations() []Observation {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []Observation
	for _, e := range r.entries {
		select {
		case <-e.done:
			out = append(out, e.obs)
		default:
		}
	}
	slices.SortFunc(out, func(a, b Observation) int { return strings.Compare(a.Key, b.Key) })
	return out
}
