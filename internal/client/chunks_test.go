package client

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
)

func TestChunkSizes(t *testing.T) {
	items := make([]int, 250)
	chunks := Chunk(items, 100)
	if len(chunks) != 3 || len(chunks[0]) != 100 || len(chunks[1]) != 100 || len(chunks[2]) != 50 {
		t.Errorf("chunk sizes = %d chunks, want 100,100,50", len(chunks))
	}
	if len(Chunk([]int{}, 10)) != 0 {
		t.Error("empty input must give no chunks")
	}
}

func TestRunChunksCoversEveryItemOnce(t *testing.T) {
	var items []string
	for i := range 1234 {
		items = append(items, fmt.Sprint(i))
	}
	var (
		mu       sync.Mutex
		seen     []string
		inFlight atomic.Int32
		peak     atomic.Int32
		updates  atomic.Int32
	)
	progress, err := RunChunks(context.Background(), items, 50, 4, func(_ context.Context, chunk []string) error {
		now := inFlight.Add(1)
		defer inFlight.Add(-1)
		for {
			old := peak.Load()
			if now <= old || peak.CompareAndSwap(old, now) {
				break
			}
		}
		if len(chunk) > 50 {
			return fmt.Errorf("chunk of %d", len(chunk))
		}
		mu.Lock()
		seen = append(seen, chunk...)
		mu.Unlock()
		return nil
	}, func(ChunkProgress) { updates.Add(1) })
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(seen)
	want := append([]string(nil), items...)
	sort.Strings(want)
	if fmt.Sprint(seen) != fmt.Sprint(want) {
		t.Error("items sent differ from items given")
	}
	if progress.CallsDone != 25 || progress.CallsTotal != 25 || progress.ItemsDone != 1234 || updates.Load() != 25 {
		t.Errorf("progress = %+v, updates = %d", progress, updates.Load())
	}
	if peak.Load() > 4 {
		t.Errorf("%d calls in flight, limit 4", peak.Load())
	}
}

func TestRunChunksStopsStartingAfterFailure(t *testing.T) {
	items := make([]int, 100)
	for i := range items {
		items[i] = i
	}
	var calls atomic.Int32
	progress, err := RunChunks(context.Background(), items, 10, 1, func(_ context.Context, _ []int) error {
		if calls.Add(1) == 3 {
			return errors.New("vendor said no")
		}
		return nil
	}, nil)
	if err == nil || err.Error() != "call 3 of 10 (10 items, 20 to 29): vendor said no" {
		t.Fatalf("err = %v", err)
	}
	if calls.Load() != 3 || progress.CallsDone != 2 || progress.ItemsDone != 20 {
		t.Errorf("calls = %d, progress = %+v; want 3 calls, 2 done", calls.Load(), progress)
	}
}
