package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/imops/terraform-provider-imops/internal/client"
)

// addFailure reports a failed or cancelled run on either surface: one error diagnostic that
// accounts for every call, and, at DEBUG only, the first and last item of a failed chunk (IDs
// are personal data, kept out of diagnostics and INFO lines).
func addFailure(ctx context.Context, op *Operation, outcome Outcome, err error, diags *diag.Diagnostics) {
	var chunkErr *client.ChunkError
	if errors.As(err, &chunkErr) {
		tflog.Debug(ctx, "failed call of a chunked run", map[string]any{
			"operation": op.TypeName(), "call": chunkErr.Call, "calls": chunkErr.Calls,
			"first_item": chunkErr.First, "last_item": chunkErr.Last,
		})
	}
	diags.AddError("Error running "+op.TypeName(), failureDetail(op, settle(outcome, err), err))
}

// settle sorts the one call an operation had left when its error says that call may have
// taken effect: operations of a single call report only success, and the error knows the rest.
// Chunked runs have sorted their calls already.
func settle(outcome Outcome, err error) Outcome {
	left := outcome.CallsTotal - outcome.CallsDone - outcome.CallsUnknown
	if left == 1 && outcome.CallsUnknown == 0 && client.OutcomeUnknown(err) {
		outcome.CallsUnknown = 1
		outcome.ItemsUnknown = outcome.ItemsTotal - outcome.ItemsDone
	}
	return outcome
}

// failureDetail explains a failed or cancelled run: what was attempted and what went wrong,
// then every call sorted into completed, may have taken effect, and not carried out, with
// their items, and what the next apply will do. A cancel reads as a cancel, not as a fault.
func failureDetail(op *Operation, outcome Outcome, err error) string {
	var b strings.Builder
	if errors.Is(err, context.Canceled) {
		fmt.Fprintf(&b, "Cancelled: Terraform was asked to stop while %s was running (%s).", op.TypeName(), op.Summary)
	} else {
		b.WriteString(client.EndSentence(fmt.Sprintf("While running %s (%s): %v", op.TypeName(), op.Summary, err)))
	}
	if accounting := callAccounting(op, outcome); accounting != "" {
		b.WriteString("\n\n" + accounting)
	}
	b.WriteString("\n\nNothing was recorded in state, so the next apply runs the whole operation again")
	if outcome.CallsUnknown > 0 && outcome.CallsTotal == 1 {
		b.WriteString(" and sends the request again: check the result at " + op.Vendor + " first.")
	} else {
		b.WriteString(".")
	}
	return b.String()
}

// callAccounting sorts the calls of a run that did not succeed. A single call needs a sentence
// only when it may have taken effect; several get a line per kind that occurred.
func callAccounting(op *Operation, outcome Outcome) string {
	if outcome.CallsTotal <= 1 {
		if outcome.CallsUnknown > 0 {
			return fmt.Sprintf("The request may have reached %s and taken effect: no definite answer came back, "+
				"or the run stopped while it waited for one.", op.Vendor)
		}
		return ""
	}
	notDone := outcome.CallsTotal - outcome.CallsDone - outcome.CallsUnknown
	itemsNotDone := outcome.ItemsTotal - outcome.ItemsDone - outcome.ItemsUnknown
	lines := []string{fmt.Sprintf("Of %s %s calls (%s %s):", thousands(outcome.CallsTotal), op.Vendor,
		thousands(outcome.ItemsTotal), outcome.ItemNoun)}
	if outcome.CallsDone > 0 {
		lines = append(lines, fmt.Sprintf("- %s completed (%s %s); those are not undone.",
			calls(outcome.CallsDone), thousands(outcome.ItemsDone), outcome.ItemNoun))
	}
	if outcome.CallsUnknown > 0 {
		lines = append(lines, fmt.Sprintf("- %s may have taken effect (%s %s): they were in flight when the run stopped, "+
			"or no definite answer came back.", calls(outcome.CallsUnknown), thousands(outcome.ItemsUnknown), outcome.ItemNoun))
	}
	if notDone > 0 {
		lines = append(lines, fmt.Sprintf("- %s not carried out (%s %s): never sent, or refused by %s.",
			calls(notDone), thousands(itemsNotDone), outcome.ItemNoun, op.Vendor))
	}
	return strings.Join(lines, "\n")
}

// calls renders a count of calls: "1 call", "1,200 calls".
func calls(n int) string {
	if n == 1 {
		return "1 call"
	}
	return thousands(n) + " calls"
}
