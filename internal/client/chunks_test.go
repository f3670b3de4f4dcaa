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
	// The message names the call by position; its items (IDs, personal data) only travel in
	// the error's fields, for DEBUG logs.
	if err == nil || err.Error() != "call 3 of 10 (10 items): vendor said no" {
		t.Fatalf("err = %v", err)
	}
	var chunkErr *ChunkError
	if !errors.As(err, &chunkErr) || chunkErr.First != "20" || chunkErr.Last != "29" || chunkErr.Call != 3 {
		t.Errorf("ChunkError = %+v, want call 3 holding 20 to 29", chunkErr)
	}
	if calls.Load() != 3 || progress.CallsDone != 2 || progress.ItemsDone != 20 || progress.CallsNotDone() != 8 || progress.ItemsNotDone() != 80 {
		t.Errorf("calls = %d, progress = %+v; want 3 calls, 2 done, 8 not done", calls.Load(), progress)
	}
}

// A cancel stops the run at once. Calls in flight at that moment may have reached the vendor:
// they are counted as unknown, not dropped, and calls never started as not done.
func TestRunChunksCountsCallsInFlightAtCancel(t *testing.T) {
	items := make([]int, 100)
	for i := range items {
		items[i] = i
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var (
		started  atomic.Int32
		inFlight = make(chan struct{}, 10)
	)
	done := make(chan struct{})
	var (
		progress ChunkProgress
		err      error
	)
	go func() {
		defer close(done)
		progress, err = RunChunks(ctx, items, 10, 4, func(ctx context.Context, chunk []int) error {
			if started.Add(1) <= 2 {
				return nil
			}
			inFlight <- struct{}{}
			<-ctx.Done()
			// What the transport returns for a request sent and not yet answered.
			return &CallError{Vendor: "V", Operation: "x", Attempts: 1, OutcomeUnknown: true, InFlight: true,
				Interrupted: ctx.Err(), Err: &NetworkError{Err: ctx.Err()}}
		}, nil)
	}()
	for range 4 {
		<-inFlight
	}
	cancel()
	<-done
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want the cancel", err)
	}
	want := ChunkProgress{CallsDone: 2, CallsTotal: 10, ItemsDone: 20, ItemsTotal: 100, CallsUnknown: 4, ItemsUnknown: 40}
	if progress != want || progress.CallsNotDone() != 4 {
		t.Errorf("progress = %+v, want %+v (4 not done)", progress, want)
	}
}

// A call refused outright (the vendor did nothing) is not done, and not unknown; one that got
// a server error may have taken effect.
func TestRunChunksSortsFailuresByWhatTheVendorMayHaveDone(t *testing.T) {
	answers := map[string]error{"ok": nil, "refused": &APIError{HTTPStatus: 400, Code: "bad"}, "5xx": &APIError{HTTPStatus: 503}}
	for _, tc := range []struct {
		items []string
		want  ChunkProgress
	}{
		{[]string{"ok", "refused", "ok"}, ChunkProgress{CallsDone: 1, ItemsDone: 1}},
		{[]string{"ok", "5xx", "ok"}, ChunkProgress{CallsDone: 1, ItemsDone: 1, CallsUnknown: 1, ItemsUnknown: 1}},
	} {
		progress, err := RunChunks(context.Background(), tc.items, 1, 1, func(_ context.Context, chunk []string) error {
			return answers[chunk[0]]
		}, nil)
		tc.want.CallsTotal, tc.want.ItemsTotal = 3, 3
		if err == nil || progress != tc.want {
			t.Errorf("%v: progress = %+v, err = %v; want %+v and an error", tc.items, progress, err, tc.want)
		}
	}
}

// A cancel that comes after the last call completed stopped nothing: the run succeeded, and
// must not read as stopped (the provider would then record nothing of what was done).
func TestRunChunksCancelAfterTheLastCallIsNoFailure(t *testing.T) {
	items := make([]int, 30)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var completed atomic.Int32
	progress, err := RunChunks(ctx, items, 10, 3, func(context.Context, []int) error {
		if completed.Add(1) == 3 {
			cancel() // the interrupt lands as the last call returns its success
		}
		return nil
	}, nil)
	if err != nil {
		t.Errorf("err = %v after every call completed, want nil", err)
	}
	if progress.CallsDone != 3 || progress.ItemsDone != 30 {
		t.Errorf("progress = %+v, want all 3 calls and 30 items done", progress)
	}
}
