package provider

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// fakeClock stands still until a test moves it; every timer it hands out is announced on
// timers so the test can fire it at the moment it chooses.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	timers chan fakeTimer
}

type fakeTimer struct {
	wait time.Duration
	fire chan time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2025, 11, 23, 12, 0, 0, 0, time.UTC), timers: make(chan fakeTimer, 16)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	timer := fakeTimer{wait: d, fire: make(chan time.Time, 1)}
	c.timers <- timer
	return timer.fire
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// scriptedStep lets a test hold the operation between progress lines: each step's lines are
// reported, then the run waits for the step's gate (nil: go straight on).
type scriptedStep struct {
	lines []string
	gate  chan struct{}
}

// actionHarness invokes an action built from a test operation and records what reached
// Terraform, in order.
type actionHarness struct {
	t        *testing.T
	act      *operationAction
	sent     chan string
	invoked  chan action.InvokeResponse
	observed []string
}

func newActionHarness(t *testing.T, op *Operation, clock progressClock) *actionHarness {
	t.Helper()
	act := newOperationAction(op).(*operationAction)
	act.clock = clock
	return &actionHarness{t: t, act: act, sent: make(chan string, 64), invoked: make(chan action.InvokeResponse, 1)}
}

// start invokes the action on a config with every argument left out, as Invoke's caller
// would: from its own goroutine.
func (h *actionHarness) start() {
	ctx := context.Background()
	config := emptyConfig(ctx, h.act)
	go func() {
		resp := action.InvokeResponse{SendProgress: func(event action.InvokeProgressEvent) { h.sent <- event.Message }}
		h.act.Invoke(ctx, action.InvokeRequest{Config: config}, &resp)
		h.invoked <- resp
	}()
}

// emptyConfig is a config of the action with every argument left out.
func emptyConfig(ctx context.Context, act *operationAction) tfsdk.Config {
	var schemaResp action.SchemaResponse
	act.Schema(ctx, action.SchemaRequest{}, &schemaResp)
	objectType := schemaResp.Schema.Type().TerraformType(ctx).(tftypes.Object)
	values := map[string]tftypes.Value{}
	for name, attrType := range objectType.AttributeTypes {
		values[name] = tftypes.NewValue(attrType, nil)
	}
	return tfsdk.Config{Raw: tftypes.NewValue(objectType, values), Schema: schemaResp.Schema}
}

// next waits for the next line Terraform receives.
func (h *actionHarness) next() string {
	h.t.Helper()
	select {
	case line := <-h.sent:
		h.observed = append(h.observed, line)
		return line
	case <-h.invoked:
		h.t.Fatalf("Invoke returned while a progress line was expected; lines so far: %q", h.observed)
	}
	return ""
}

// finish waits for Invoke to return and gives every line it sent, in order.
func (h *actionHarness) finish() (action.InvokeResponse, []string) {
	resp := <-h.invoked
	close(h.sent)
	for line := range h.sent {
		h.observed = append(h.observed, line)
	}
	return resp, h.observed
}

func scriptedOperation(outcome Outcome, err error, steps ...scriptedStep) *Operation {
	return &Operation{
		Name: "test_scripted", Vendor: "TestVendor", Summary: "run a script",
		Run: func(ctx context.Context, _ *Clients, _ Args, progress Progress) (Outcome, error) {
			for _, step := range steps {
				for _, line := range step.lines {
					progress(line)
				}
				if step.gate != nil {
					<-step.gate
				}
			}
			return outcome, err
		},
	}
}

func assertLines(t *testing.T, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("progress lines:\n got %q\nwant %q", got, want)
	}
}

// The first line goes out at once; lines inside the interval give way to the newest, which
// goes out before the run's summary.
func TestOperationAction_progressCoalescesWithinInterval(t *testing.T) {
	clock := newFakeClock()
	gate := make(chan struct{})
	op := scriptedOperation(Outcome{CallsDone: 3, CallsTotal: 3, ItemsDone: 250, ItemsTotal: 250, ItemNoun: "keys"}, nil,
		scriptedStep{lines: []string{"100 of 250"}, gate: gate},
		scriptedStep{lines: []string{"200 of 250", "250 of 250"}},
	)
	h := newActionHarness(t, op, clock)
	h.start()
	if got := h.next(); got != "100 of 250" {
		t.Fatalf("first line = %q, want it sent immediately", got)
	}
	close(gate)
	resp, lines := h.finish()
	if resp.Diagnostics.HasError() {
		t.Fatalf("unexpected diagnostics: %v", resp.Diagnostics)
	}
	assertLines(t, lines, []string{"100 of 250", "250 of 250", "TestVendor: done, 3 calls (250 of 250 keys)"})
}

// A line held back by the interval goes out when the interval ends, even if the run is still
// busy; a line after a long quiet spell goes out at once.
func TestOperationAction_progressCadence(t *testing.T) {
	clock := newFakeClock()
	afterFirst, afterSecond, afterThird := make(chan struct{}), make(chan struct{}), make(chan struct{})
	op := scriptedOperation(Outcome{CallsDone: 1, CallsTotal: 1}, nil,
		scriptedStep{lines: []string{"one"}, gate: afterFirst},
		scriptedStep{lines: []string{"two"}, gate: afterSecond},
		scriptedStep{lines: []string{"three"}, gate: afterThird},
		scriptedStep{lines: []string{"four"}},
	)
	h := newActionHarness(t, op, clock)
	h.start()
	h.next()

	clock.advance(300 * time.Millisecond)
	close(afterFirst)
	timer := <-clock.timers
	if timer.wait != 700*time.Millisecond {
		t.Errorf("held line waits %v, want the rest of the interval, 700ms", timer.wait)
	}
	clock.advance(timer.wait)
	timer.fire <- clock.Now()
	if got := h.next(); got != "two" {
		t.Fatalf("line after the interval = %q, want two", got)
	}

	clock.advance(5 * time.Second)
	close(afterSecond)
	if got := h.next(); got != "three" {
		t.Fatalf("line after a quiet spell = %q, want three, sent at once", got)
	}
	select {
	case timer := <-clock.timers:
		t.Errorf("a line after a quiet spell armed a %v timer; it should go out at once", timer.wait)
	default:
	}

	close(afterThird)
	_, lines := h.finish()
	assertLines(t, lines, []string{"one", "two", "three", "four", "TestVendor: done, 1 call"})
}

// A failed run ends in one error diagnostic naming the type, and the last progress line
// still reaches Terraform; no "done" line claims success.
func TestOperationAction_failure(t *testing.T) {
	op := scriptedOperation(Outcome{CallsDone: 1, CallsTotal: 3, ItemsDone: 100, ItemsTotal: 250, ItemNoun: "keys"},
		errors.New("call 2 of 3 (100 items): code 1002"),
		scriptedStep{lines: []string{"100 of 250"}},
	)
	h := newActionHarness(t, op, newFakeClock())
	h.start()
	resp, lines := h.finish()
	assertLines(t, lines, []string{"100 of 250"})
	if len(resp.Diagnostics) != 1 || !resp.Diagnostics.HasError() {
		t.Fatalf("diagnostics = %v, want exactly one error", resp.Diagnostics)
	}
	d := resp.Diagnostics[0]
	if d.Summary() != "Error running imops_test_scripted" {
		t.Errorf("summary = %q", d.Summary())
	}
	for _, want := range []string{"code 1002", "Of 3 TestVendor calls (250 keys)", "1 call completed (100 keys)", "2 calls not carried out (150 keys)"} {
		if !strings.Contains(d.Detail(), want) {
			t.Errorf("detail lacks %q:\n%s", want, d.Detail())
		}
	}
}

// Action schemas cannot hold defaults, so Invoke must fill them in as the resource's plan
// would.
func TestOperationAction_appliesDefaults(t *testing.T) {
	var got Args
	op := &Operation{
		Name: "test_defaults", Vendor: "TestVendor",
		Arguments: []Argument{
			{Name: "notify", Kind: KindBool, Default: true, Description: "Default `true`."},
			{Name: "note", Kind: KindString, Description: "Optional, no default."},
		},
		Run: func(_ context.Context, _ *Clients, args Args, _ Progress) (Outcome, error) {
			got = args
			return Outcome{CallsDone: 1}, nil
		},
	}
	h := newActionHarness(t, op, newFakeClock())
	h.start()
	if resp, _ := h.finish(); resp.Diagnostics.HasError() {
		t.Fatalf("unexpected diagnostics: %v", resp.Diagnostics)
	}
	if !got.Has("notify") || !got.Bool("notify") {
		t.Errorf("notify = %v (present %v), want the default true", got.Bool("notify"), got.Has("notify"))
	}
	if got.Has("note") {
		t.Errorf("note is present without a value or a default")
	}
}

// Progress may come from the operation's worker goroutines; none of them may wait on
// Terraform, and a burst must not be lost as a whole.
func TestOperationAction_concurrentProgress(t *testing.T) {
	const workers = 50
	op := &Operation{
		Name: "test_concurrent", Vendor: "TestVendor",
		Run: func(_ context.Context, _ *Clients, _ Args, progress Progress) (Outcome, error) {
			var wg sync.WaitGroup
			for i := range workers {
				wg.Go(func() { progress(strings.Repeat("x", i+1)) })
			}
			wg.Wait()
			return Outcome{CallsDone: workers, CallsTotal: workers}, nil
		},
	}
	h := newActionHarness(t, op, newFakeClock())
	h.start()
	_, lines := h.finish()
	if len(lines) < 2 || lines[len(lines)-1] != "TestVendor: done, 50 calls" {
		t.Fatalf("lines = %q, want at least one progress line and the summary last", lines)
	}
}

// Every argument with a default must say so in its description: the action schema cannot
// show it any other way.
func TestOperationAction_defaultsAreDocumented(t *testing.T) {
	for _, op := range operations() {
		for _, arg := range op.Arguments {
			if arg.Default != nil && !strings.Contains(arg.Description, "Default `") {
				t.Errorf("%s.%s has a default but its description does not name it", op.TypeName(), arg.Name)
			}
		}
	}
}

// goroutineID is the ID of the calling goroutine, from the first line of its stack trace,
// "goroutine 18 [running]:".
func goroutineID(t *testing.T) uint64 {
	buf := make([]byte, 64)
	buf = buf[:runtime.Stack(buf, false)]
	field, _, _ := strings.Cut(strings.TrimPrefix(string(buf), "goroutine "), " ")
	id, err := strconv.ParseUint(field, 10, 64)
	if err != nil {
		// t.Errorf rather than t.Fatalf: this may run outside the test's goroutine.
		t.Errorf("cannot read the goroutine ID from %q: %v", buf, err)
	}
	return id
}

// The framework's SendProgress blocks until Terraform takes the event, so only Invoke's own
// goroutine may call it: a worker that called it would wait on Terraform, stalling the run,
// and lines from several goroutines could reach Terraform out of order. Here SendProgress
// blocks until the test releases it, and the run must still finish meanwhile; then every
// line must turn out to have been sent from the goroutine that called Invoke.
func TestOperationAction_sendsProgressOnlyFromInvoke(t *testing.T) {
	const workers = 8
	// held closes once Terraform holds the first line; the workers start only then.
	held, ranToEnd := make(chan struct{}), make(chan struct{})
	op := &Operation{
		Name: "test_blocked_terraform", Vendor: "TestVendor",
		Run: func(_ context.Context, _ *Clients, _ Args, progress Progress) (Outcome, error) {
			progress("starting")
			select {
			case <-held:
			case <-time.After(5 * time.Second):
				return Outcome{}, errors.New("the first progress line never reached SendProgress")
			}
			var wg sync.WaitGroup
			for i := range workers {
				wg.Go(func() {
					for j := range 3 {
						progress(fmt.Sprintf("worker %d, chunk %d", i, j))
					}
				})
			}
			wg.Wait()
			progress("all chunks done")
			close(ranToEnd)
			return Outcome{CallsDone: workers, CallsTotal: workers}, nil
		},
	}
	act := newOperationAction(op).(*operationAction)
	act.clock = newFakeClock()
	ctx := context.Background()
	config := emptyConfig(ctx, act)

	release := make(chan struct{})
	var (
		holdOnce sync.Once
		mu       sync.Mutex
		senders  []uint64
		lines    []string
	)
	invokedFrom := make(chan uint64, 1)
	invoked := make(chan action.InvokeResponse, 1)
	go func() {
		invokedFrom <- goroutineID(t)
		resp := action.InvokeResponse{SendProgress: func(event action.InvokeProgressEvent) {
			id := goroutineID(t)
			mu.Lock()
			senders, lines = append(senders, id), append(lines, event.Message)
			mu.Unlock()
			holdOnce.Do(func() { close(held) })
			<-release // Terraform has not taken the event yet.
		}}
		act.Invoke(ctx, action.InvokeRequest{Config: config}, &resp)
		invoked <- resp
	}()

	select {
	case <-ranToEnd:
	case <-time.After(5 * time.Second):
		t.Error("the operation did not finish while Terraform held a progress line: a worker waits on SendProgress")
	}
	close(release)
	var resp action.InvokeResponse
	select {
	case resp = <-invoked:
	case <-time.After(5 * time.Second):
		t.Fatal("Invoke did not return after Terraform took its progress lines")
	}
	if resp.Diagnostics.HasError() {
		t.Fatalf("unexpected diagnostics: %v", resp.Diagnostics)
	}

	invoker := <-invokedFrom
	mu.Lock()
	defer mu.Unlock()
	for i, id := range senders {
		if id != invoker {
			t.Errorf("line %q was sent from goroutine %d, not from Invoke's goroutine %d", lines[i], id, invoker)
		}
	}
	if len(lines) < 2 || lines[0] != "starting" || lines[len(lines)-1] != "TestVendor: done, 8 calls" {
		t.Errorf("lines = %q, want the first line first and the summary last", lines)
	}
}
