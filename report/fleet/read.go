package fleet

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"iter"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/nhs-dspt/dspt-audit/report"
	"github.com/nhs-dspt/dspt-audit/report/history"
	"github.com/nhs-dspt/dspt-audit/standards"
)

// Options say what to read and how to judge it.
type Options struct {
	Tool       report.Tool // the program rolling up, named in the output
	Now        time.Time
	StaleAfter time.Duration
	// Recursive reads folders below the ones named (history/ included).
	Recursive bool
	// Standards are the NDG standards, for titles and order.
	Standards []standards.Standard
	// Progress, when set, is called after each file with the number done
	// and the total.
	Progress func(done, total int)
	// Workers is how many files are decoded at once; 0 means one per CPU.
	Workers int
	// Trust, when set, counts only results signed by the key pinned for
	// their host; the others are listed as untrusted. Nil counts every
	// result (the library's callers that vouch for their files).
	Trust *Trust
	// Practice, when set, is the practice file: attestations, accepted
	// risks and asset notes for the roll-up and the register.
	Practice *standards.Practice
}

// Kind marks the JSON roll-up so that a roll-up saved into a results
// folder is recognised, and skipped, by the next one.
const Kind = "dspt-audit fleet roll-up"

// Read rolls up every result in the paths: folders (their files, and with
// Recursive the folders below) and files. A path that cannot be listed is an
// error; a file that is not a usable result is skipped with the reason.
func Read(ctx context.Context, paths []string, opts Options) (*Rollup, error) {
	files, _, skipped, err := list(paths, opts.Recursive)
	if err != nil {
		return nil, err
	}
	c := newCollector(opts)
	rd := reader{ndg: opts.Standards, now: c.roll.GeneratedAt, practice: opts.Practice}
	c.roll.Sources = paths
	c.roll.Tool = opts.Tool
	c.roll.Skipped = skipped
	c.roll.FilesSeen = len(files) + len(skipped)
	for i, res := range inOrder(ctx, len(files), opts.Workers, func(i int) decoded { return rd.decodeFile(files[i]) }) {
		c.add(res)
		if opts.Progress != nil {
			opts.Progress(i+1, len(files))
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return c.finish(), nil
}

// list names the files to read. Files inside a folder are read when they
// end in .json; compact histories (HOST.history.jsonl) are listed apart;
// others are listed as skipped, as are links, FIFOs, devices
// and sockets, in a folder or named, which are never opened. Names
// starting with a dot are ignored: they are the temporary files of writes
// in progress.
func list(paths []string, recursive bool) (files, histories []string, skipped []Skipped, err error) {
	for _, p := range paths {
		info, err := os.Lstat(p)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("cannot read %s: %w", p, unwrapPath(err))
		}
		switch {
		case info.Mode()&fs.ModeSymlink != 0:
			skipped = append(skipped, Skipped{p, notRegular(info.Mode()) + ": name the folder or file it points to"})
			continue
		case info.Mode().IsRegular() && strings.HasSuffix(strings.ToLower(p), history.Suffix):
			histories = append(histories, p)
			continue
		case info.Mode().IsRegular():
			files = append(files, p)
			continue
		case !info.IsDir():
			skipped = append(skipped, Skipped{p, notRegular(info.Mode())})
			continue
		}
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			switch {
			case err != nil && path == p:
				return err
			case err != nil:
				skipped = append(skipped, Skipped{path, "cannot read folder: " + unwrapPath(err).Error()})
				return fs.SkipDir
			case path == p:
				return nil
			case strings.HasPrefix(d.Name(), "."):
				return skipIfDir(d)
			case d.IsDir() && !recursive:
				return fs.SkipDir
			case d.IsDir():
				return nil
			case !d.Type().IsRegular():
				skipped = append(skipped, Skipped{path, notRegular(d.Type())})
			case strings.HasSuffix(strings.ToLower(d.Name()), history.Suffix):
				histories = append(histories, path)
			case !strings.EqualFold(filepath.Ext(path), ".json"):
				skipped = append(skipped, Skipped{path, "not a .json file"})
			default:
				files = append(files, path)
			}
			return nil
		})
		if err != nil {
			return nil, nil, nil, fmt.Errorf("cannot read folder %s: %w", p, unwrapPath(err))
		}
	}
	return files, histories, skipped, nil
}

// notRegular says what a file that is not a regular file is; it is never
// opened (a FIFO would wait for a writer for ever, a device never ends).
func notRegular(mode fs.FileMode) string {
	switch {
	case mode&fs.ModeSymlink != 0:
		return "a symbolic link, not followed (a link planted in a share can point anywhere)"
	case mode&fs.ModeNamedPipe != 0:
		return "a FIFO (named pipe), not opened: reading it would wait for ever"
	}
	return report.DescribeMode(mode) + ", not read: it is not a result"
}

func skipIfDir(d fs.DirEntry) error {
	if d.IsDir() {
		return fs.SkipDir
	}
	return nil
}

// unwrapPath drops the path an *fs.PathError repeats, since the message
// names it already.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// decoded is one file's outcome: a result, or the reason it was skipped.
type decoded struct {
	path   string
	result *result
	reason string
}

// inOrder runs work(0) ... work(n-1) on several goroutines and yields the
// results in that order, so that the output is the same however the work is
// split. At most a small window of results waits to be used, so memory does
// not grow with n.
func inOrder[T any](ctx context.Context, n, workers int, work func(int) T) iter.Seq2[int, T] {
	return func(yield func(int, T) bool) {
		if workers <= 0 {
			workers = runtime.GOMAXPROCS(0)
		}
		window := 4 * workers
		// Result i lands in ring[i%window]; it is started only once result
		// i-window has been used, so a slot never holds two results.
		ring := make([]chan T, window)
		for i := range ring {
			ring[i] = make(chan T, 1)
		}
		tokens := make(chan struct{}, window)
		next := make(chan int)
		done := make(chan struct{})
		var wg sync.WaitGroup
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range next {
					ring[i%window] <- work(i)
				}
			}()
		}
		go func() {
			defer close(next)
			for i := range n {
				if !send(ctx, done, tokens, struct{}{}) || !send(ctx, done, next, i) {
					return
				}
			}
		}()
		defer func() { close(done); wg.Wait() }()
		for i := range n {
			var v T
			select {
			case v = <-ring[i%window]:
			case <-ctx.Done():
				return
			}
			<-tokens
			if !yield(i, v) {
				return
			}
		}
	}
}

// send sends v unless the work is stopped or cancelled first.
func send[T any](ctx context.Context, done <-chan struct{}, ch chan<- T, v T) bool {
	select {
	case ch <- v:
		return true
	case <-done:
	case <-ctx.Done():
	}
	return false
}
