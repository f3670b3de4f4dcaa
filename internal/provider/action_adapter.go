package provider

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var (
	_ action.Action               = (*operationAction)(nil)
	_ action.ActionWithConfigure  = (*operationAction)(nil)
	_ action.ActionWithModifyPlan = (*operationAction)(nil)
)

// progressInterval is the least time between two progress lines sent to Terraform: often
// enough to show a long run moving, rarely enough that a run of thousands of calls does not
// flood the terminal.
const progressInterval = time.Second

// newOperationAction makes an operation a Terraform action: invoking it runs the operation
// once and streams its progress; nothing is kept in state.
func newOperationAction(op *Operation) action.Action {
	return &operationAction{op: op, clock: systemClock{}, interval: progressInterval}
}

type operationAction struct {
	op      *Operation
	clients *Clients
	// clock and interval pace the progress lines; tests step a fake clock by hand.
	clock    progressClock
	interval time.Duration
}

func (a *operationAction) Metadata(_ context.Context, req action.MetadataRequest, resp *action.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_" + a.op.Name
}

func (a *operationAction) Schema(_ context.Context, _ action.SchemaRequest, resp *action.SchemaResponse) {
	attrs := map[string]schema.Attribute{}
	for _, arg := range a.op.Arguments {
		attrs[arg.Name] = actionAttribute(arg)
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: a.op.Description,
		Attributes:          attrs,
	}
}

// actionAttribute renders an argument for the action surface. Action schemas hold no
// defaults, so an optional argument with one stays optional here and readArgs fills it in at
// invoke; its description already names the default.
func actionAttribute(arg Argument) schema.Attribute {
	optional := !arg.Required
	description := arg.markdownDescription()
	switch arg.Kind {
	case KindBool:
		return schema.BoolAttribute{Required: arg.Required, Optional: optional, MarkdownDescription: description}
	case KindInt64:
		return schema.Int64Attribute{
			Required: arg.Required, Optional: optional, MarkdownDescription: description,
			Validators: arg.Int64Validators,
		}
	case KindStringList:
		return schema.ListAttribute{
			Required: arg.Required, Optional: optional, MarkdownDescription: description, ElementType: types.StringType,
			Validators: arg.ListValidators,
		}
	default:
		return schema.StringAttribute{
			Required: arg.Required, Optional: optional, MarkdownDescription: description,
			Validators: arg.StringValidators,
		}
	}
}

func (a *operationAction) Configure(_ context.Context, req action.ConfigureRequest, resp *action.ConfigureResponse) {
	clients, diags := clientsFromProviderData(req.ProviderData)
	resp.Diagnostics.Append(diags...)
	if clients != nil {
		a.clients = clients
	}
}

// ModifyPlan warns when the action cannot succeed because its vendor has no credentials, and
// when a list argument repeats entries, which are sent once.
func (a *operationAction) ModifyPlan(_ context.Context, req action.ModifyPlanRequest, resp *action.ModifyPlanResponse) {
	a.clients.addPlanWarning(a.op, &resp.Diagnostics)
	for _, arg := range a.op.Arguments {
		if arg.Kind != KindStringList {
			continue
		}
		if entries, known := stringEntries(topLevelValue(req.Config.Raw, arg.Name)); known {
			addRepeatWarning(&resp.Diagnostics, path.Root(arg.Name), arg.Name, len(entries)-len(entrySet(entries)))
		}
	}
}

// Invoke runs the operation in its own goroutine and relays its progress from this one: the
// framework's SendProgress hands each event to the stream consumer and blocks until it is
// taken, so it must be called from Invoke and never from the operation's worker goroutines.
func (a *operationAction) Invoke(ctx context.Context, req action.InvokeRequest, resp *action.InvokeResponse) {
	args, diags := a.op.readArgs(req.Config.Raw)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}

	type result struct {
		outcome Outcome
		err     error
	}
	latest := newLatestLine()
	finished := make(chan result, 1)
	go func() {
		outcome, err := a.op.Run(ctx, a.clients, args, latest.put)
		finished <- result{outcome, err}
	}()

	var (
		lastSent time.Time
		sentAny  bool
		// due fires when the interval since the last line has passed and a newer line waits.
		due <-chan time.Time
	)
	send := func(line string) {
		// The interval counts from the start of a send, so time Terraform takes to accept the
		// line is not added to the wait for the next one.
		lastSent, sentAny = a.clock.Now(), true
		// The framework always sets SendProgress; a caller outside it may not.
		if resp.SendProgress != nil {
			resp.SendProgress(action.InvokeProgressEvent{Message: line})
		}
	}
	for {
		select {
		case <-latest.wake:
			if due != nil || !latest.pending() {
				continue
			}
			if wait := a.interval - a.clock.Now().Sub(lastSent); sentAny && wait > 0 {
				due = a.clock.After(wait)
				continue
			}
			if line, ok := latest.take(); ok {
				send(line)
			}
		case <-due:
			due = nil
			if line, ok := latest.take(); ok {
				send(line)
			}
		case r := <-finished:
			// The newest line goes out regardless of the interval: it is the one that says how
			// far the run got.
			if line, ok := latest.take(); ok {
				send(line)
			}
			if r.err != nil {
				resp.Diagnostics.AddError("Error running "+a.op.TypeName(), failureDetail(a.op, r.outcome, r.err))
				return
			}
			send(doneLine(a.op, r.outcome))
			return
		}
	}
}

// doneLine is the last progress line of a successful run, such as
// "RongCloud: done, 3 calls (250 of 250 extension keys)". It comes from the outcome rather
// than the last chunk report, because concurrent chunks may report out of order.
func doneLine(op *Operation, outcome Outcome) string {
	calls := "calls"
	if outcome.CallsDone == 1 {
		calls = "call"
	}
	line := fmt.Sprintf("%s: done, %s %s", op.Vendor, thousands(outcome.CallsDone), calls)
	if outcome.ItemsTotal > 1 {
		line += fmt.Sprintf(" (%s of %s %s)", thousands(outcome.ItemsDone), thousands(outcome.ItemsTotal), outcome.ItemNoun)
	}
	return line
}

// latestLine keeps only the newest progress line. Lines that arrive between two sends are
// superseded anyway, and keeping one means the operation's goroutines never wait for
// Terraform to read a line.
type latestLine struct {
	mu    sync.Mutex
	line  string
	fresh bool
	// wake has room for one signal: a burst of lines wakes the reader once.
	wake chan struct{}
}

func newLatestLine() *latestLine {
	return &latestLine{wake: make(chan struct{}, 1)}
}

// put is the operation's Progress callback; any goroutine may call it, also late.
func (l *latestLine) put(line string) {
	l.mu.Lock()
	l.line, l.fresh = line, true
	l.mu.Unlock()
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

func (l *latestLine) pending() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.fresh
}

func (l *latestLine) take() (string, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	line, fresh := l.line, l.fresh
	l.fresh = false
	return line, fresh
}

// progressClock is the time source of the progress cadence.
type progressClock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

type systemClock struct{}

func (systemClock) Now() time.Time                         { return time.Now() }
func (systemClock) After(d time.Duration) <-chan time.Time { return time.After(d) }
