package probe

import (
	"context"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeSource answers from a map of functions keyed by query key.
type fakeSource struct {
	answers map[string]func(ctx context.Context) (any, error)
	calls   atomic.Int32
}

func (f *fakeSource) Read(ctx context.Context, q Query) (any, error) {
	f.calls.Add(1)
	if fn, ok := f.answers[q.Key()]; ok {
		return fn(ctx)
	}
	return nil, os.ErrNotExist
}

func TestRecorderClassifiesAndTimesOut(t *testing.T) {
	hang := make(chan struct{})
	defer close(hang)
	ok := RegistryValue(`HKLM\X`, "Good")
	hung := NewWMI[struct{ A *int }](`root\cimv2`, "SELECT A FROM Hung")
	denied := FileContents("/etc/shadow")
	boom := FileContents("/boom")
	src := &fakeSource{answers: map[string]func(context.Context) (any, error){
		ok.Key():     func(context.Context) (any, error) { return map[string]any{"type": RegDWORD, "data": 7}, nil },
		hung.Key():   func(context.Context) (any, error) { <-hang; return nil, nil }, // ignores its context, like a stuck WMI call
		denied.Key(): func(context.Context) (any, error) { return nil, os.ErrPermission },
		boom.Key():   func(context.Context) (any, error) { panic("driver bug") },
	}}
	rec := NewRecorder(context.Background(), src, 50*time.Millisecond)

	start := time.Now()
	if o := rec.Observe(hung.Query); !o.Is(Timeout) {
		t.Errorf("hung probe: %+v, want a timeout", o)
	}
	if elapsed := time.Since(start); elapsed > 2*time.Second {
		t.Errorf("hung probe held the caller for %s", elapsed)
	}
	if n, err := rec.Observe(ok).RegInt(); err != nil || n != 7 {
		t.Errorf("good probe after a hung one: %d, %v", n, err)
	}
	if o := rec.Observe(denied); !o.Is(AccessDenied) {
		t.Errorf("denied: %+v", o.Error)
	}
	if o := rec.Observe(FileContents("/nope")); !o.Is(NotFound) {
		t.Errorf("missing: %+v", o.Error)
	}
	if o := rec.Observe(boom); !o.Is(Other) {
		t.Errorf("panicking source: %+v", o.Error)
	}
	if got := len(rec.Observations()); got != 5 {
		t.Errorf("%d observations recorded, want 5", got)
	}
}

func TestRecorderProbesEachKeyOnce(t *testing.T) {
	q := FileContents("/etc/os-release")
	src := &fakeSource{answers: map[string]func(context.Context) (any, error){
		q.Key(): func(context.Context) (any, error) { time.Sleep(10 * time.Millisecond); return "ID=debian", nil },
	}}
	rec := NewRecorder(context.Background(), src, time.Second)
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if s, err := rec.Observe(q).Text(); err != nil || s != "ID=debian" {
				t.Errorf("Text = %q, %v", s, err)
			}
		}()
	}
	wg.Wait()
	if n := src.calls.Load(); n != 1 {
		t.Errorf("source read %d times, want 1", n)
	}
}

func TestObservationDecoding(t *testing.T) {
	rec := NewRecorder(context.Background(), &fakeSource{answers: map[string]func(context.Context) (any, error){
		RegistryValue(`HKLM\K`, "S").Key(): func(context.Context) (any, error) { return map[string]any{"type": RegSZ, "data": "1"}, nil },
		RegistryValue(`HKLM\K`, "Q").Key(): func(context.Context) (any, error) {
			return map[string]any{"type": RegQWORD, "data": uint64(133500000000000000)}, nil
		},
	}}, time.Second)
	if n, err := rec.Observe(RegistryValue(`HKLM\K`, "S")).RegInt(); err != nil || n != 1 {
		t.Errorf("REG_SZ number: %d %v", n, err)
	}
	if n, err := rec.Observe(RegistryValue(`HKLM\K`, "Q")).RegInt(); err != nil || n != 133500000000000000 {
		t.Errorf("QWORD beyond float precision: %d %v", n, err)
	}
	if _, err := rec.Observe(RegistryValue(`HKLM\K`, "S")).RegString(); err != nil {
		t.Errorf("RegString: %v", err)
	}
	if got := rec.Observe(RegistryValue(`HKLM\K`, "Q")).Display(); got != fmt.Sprintf("%d (%s)", uint64(133500000000000000), RegQWORD) {
		t.Errorf("Display = %q", got)
	}
}
