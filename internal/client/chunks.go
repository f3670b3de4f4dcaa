package client

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"golang.org/x/sync/errgroup"
)

// ChunkProgress reports how far a chunked run has got. It is delivered after each call, and
// returned at the end with every call sorted into done, unknown or not done.
type ChunkProgress struct {
	CallsDone, CallsTotal int
	ItemsDone, ItemsTotal int
	// CallsUnknown counts calls that failed or were interrupted after they may have reached
	// the vendor (in flight at a cancel, a timeout after sending, a 5xx): they may have taken
	// effect. ItemsUnknown counts their items.
	CallsUnknown, ItemsUnknown int
}

// CallsNotDone counts calls that certainly had no effect: never sent, or refused.
func (p ChunkProgress) CallsNotDone() int { return p.CallsTotal - p.CallsDone - p.CallsUnknown }

// ItemsNotDone counts the items of those calls.
func (p ChunkProgress) ItemsNotDone() int { return p.ItemsTotal - p.ItemsDone - p.ItemsUnknown }

// ChunkError is the failure of one call of a chunked run. Its message names the call by its
// position only; First and Last (the chunk's first and last item) are personal data such as
// message IDs, for DEBUG logs, never for the message.
type ChunkError struct {
	// Call is the 1-based position of the failed call among Calls.
	Call, Calls int
	// Items is how many items the call carried.
	Items int
	// First and Last are the chunk's first and last item, formatted with %v.
	First, Last string
	Err         error
}

// Error names the call by position, never by its items.
func (e *ChunkError) Error() string {
	return fmt.Sprintf("call %d of %d (%d items): %v", e.Call, e.Calls, e.Items, e.Err)
}

// Unwrap exposes the call's own error.
func (e *ChunkError) Unwrap() error { return e.Err }

// Chunk splits items into consecutive slices of at most size items.
func Chunk[T any](items []T, size int) [][]T {
	if size <= 0 {
		panic("client.Chunk: size must be positive")
	}
	chunks := make([][]T, 0, (len(items)+size-1)/size)
	for start := 0; start < len(items); start += size {
		chunks = append(chunks, items[start:min(start+size, len(items))])
	}
	return chunks
}

// RunChunks calls fn once per chunk of at most size items, at most concurrency at a time (the
// transport's rate limiter paces them further). After the first failure, or once ctx is
// cancelled, no new chunk starts, but calls already sent are allowed to finish so the count of
// completed work stays true. onProgress, if set, is called after every successful call, from
// the worker goroutine. The returned progress sorts every call into done, unknown (failed or
// interrupted after it may have reached the vendor, see OutcomeUnknown) or not done, also when
// the run failed. A failure is a *ChunkError unless the run had a single call; a cancel is
// reported as ctx's error.
func RunChunks[T any](ctx context.Context, items []T, size, concurrency int, fn func(ctx context.Context, chunk []T) error, onProgress func(ChunkProgress)) (ChunkProgress, error) {
	chunks := Chunk(items, size)
	var (
		mu       sync.Mutex
		progress = ChunkProgress{CallsTotal: len(chunks), ItemsTotal: len(items)}
		failed   atomic.Bool
		group    errgroup.Group
	)
	group.SetLimit(max(concurrency, 1))
	for i, chunk := range chunks {
		if failed.Load() || ctx.Err() != nil {
			break
		}
		group.Go(func() error {
			// A slot may free up only after the run failed or was cancelled.
			if failed.Load() || ctx.Err() != nil {
				return nil
			}
			err := fn(ctx, chunk)
			mu.Lock()
			switch {
			case err == nil:
				progress.CallsDone++
				progress.ItemsDone += len(chunk)
			case OutcomeUnknown(err):
				progress.CallsUnknown++
				progress.ItemsUnknown += len(chunk)
			}
			snapshot := progress
			mu.Unlock()
			if err != nil {
				failed.Store(true)
				if len(chunks) == 1 {
					return err
				}
				return &ChunkError{Call: i + 1, Calls: len(chunks), Items: len(chunk),
					First: fmt.Sprint(chunk[0]), Last: fmt.Sprint(chunk[len(chunk)-1]), Err: err}
			}
			if onProgress != nil {
				onProgress(snapshot)
			}
			return nil
		})
	}
	err := group.Wait()
	mu.Lock()
	defer mu.Unlock()
	if ctxErr := ctx.Err(); ctxErr != nil && progress.CallsDone < progress.CallsTotal &&
		(err == nil || (len(chunks) > 1 && errors.Is(err, ctxErr))) {
		// A cancel stops every call at once; which of them noticed first says nothing. A
		// cancel that came after the last call completed stopped nothing.
		err = fmt.Errorf("stopped before every call completed: %w", ctxErr)
	}
	return progress, err
}
