package client

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"golang.org/x/sync/errgroup"
)

// ChunkProgress reports how far a chunked run has got. It is delivered after each call.
type ChunkProgress struct {
	CallsDone, CallsTotal int
	ItemsDone, ItemsTotal int
}

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
// transport's rate limiter paces them further). After the first failure no new chunk starts,
// but calls already sent are allowed to finish so the count of completed work stays true.
// onProgress, if set, is called after every successful call, from the worker goroutine. The
// returned progress says how much completed, also when the run failed.
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
			if failed.Load() {
				return nil
			}
			if err := fn(ctx, chunk); err != nil {
				failed.Store(true)
				if len(chunks) == 1 {
					return err
				}
				// Name the chunk's first and last item, so the user can tell which part failed.
				return fmt.Errorf("call %d of %d (%d items, %v to %v): %w", i+1, len(chunks), len(chunk), chunk[0], chunk[len(chunk)-1], err)
			}
			mu.Lock()
			progress.CallsDone++
			progress.ItemsDone += len(chunk)
			snapshot := progress
			mu.Unlock()
			if onProgress != nil {
				onProgress(snapshot)
			}
			return nil
		})
	}
	err := group.Wait()
	if err == nil && ctx.Err() != nil {
		err = ctx.Err()
	}
	mu.Lock()
	defer mu.Unlock()
	return progress, err
}
