package provider

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-log/tflogtest"

	"github.com/imops/terraform-provider-imops/internal/client"
)

var failureTestOp = &Operation{Name: "easemob_roaming_chat_delete", Vendor: "Easemob", Summary: "delete messages by ID"}

// A cancel reads as a cancel and sorts every call; no network advice, no error text that
// only repeats "context canceled".
func TestFailureDetail_cancel(t *testing.T) {
	outcome := Outcome{CallsDone: 20, CallsTotal: 60, ItemsDone: 1000, ItemsTotal: 3000, CallsUnknown: 10, ItemsUnknown: 500, ItemNoun: "message IDs"}
	err := fmt.Errorf("stopped before every call completed: %w", context.Canceled)
	got := failureDetail(failureTestOp, outcome, err)
	want := "Cancelled: Terraform was asked to stop while imops_easemob_roaming_chat_delete was running (delete messages by ID).\n\n" +
		"Of 60 Easemob calls (3,000 message IDs):\n" +
		"- 20 calls completed (1,000 message IDs); those are not undone.\n" +
		"- 10 calls may have taken effect (500 message IDs): they were in flight when the run stopped, or no definite answer came back.\n" +
		"- 30 calls not carried out (1,500 message IDs): never sent, or refused by Easemob.\n\n" +
		"Nothing was recorded in state, so the next apply runs the whole operation again."
	if got != want {
		t.Errorf("detail =\n%s\nwant\n%s", got, want)
	}
}

// A single call that may have taken effect says so, and tells the user to look before
// applying again; one that was refused outright does not.
func TestFailureDetail_singleCall(t *testing.T) {
	op := &Operation{Name: "rongcloud_broadcast_recall", Vendor: "RongCloud", Summary: "recall a broadcast"}
	oneCall := Outcome{CallsTotal: 1, ItemsTotal: 1, ItemNoun: "messages"}
	unknown := &client.CallError{Vendor: "RongCloud", Operation: "recall", Attempts: 1, OutcomeUnknown: true,
		Err: &client.NetworkError{Vendor: "RongCloud", Address: "https://api.rong-api.com", Err: context.DeadlineExceeded}}
	got := failureDetail(op, settle(oneCall, unknown), unknown)
	for _, want := range []string{"may have reached RongCloud and taken effect", "check the result at RongCloud first"} {
		if !strings.Contains(got, want) {
			t.Errorf("detail lacks %q:\n%s", want, got)
		}
	}
	refused := &client.CallError{Vendor: "RongCloud", Attempts: 1, Err: &client.APIError{Vendor: "RongCloud", HTTPStatus: 400, Code: "1002"}}
	got = failureDetail(op, settle(oneCall, refused), refused)
	if strings.Contains(got, "may have") || strings.Contains(got, "check the result") {
		t.Errorf("a refusal reads as uncertain:\n%s", got)
	}
}

// Vendor texts that end with a full stop do not get a second one.
func TestFailureDetail_noDoublePeriod(t *testing.T) {
	err := &client.APIError{Vendor: "Tencent Cloud IM", Operation: "recall", Code: "10010", Message: "this group has been deleted."}
	if got := failureDetail(failureTestOp, Outcome{CallsTotal: 1}, err); strings.Contains(got, "..") {
		t.Errorf("detail has a double period:\n%s", got)
	}
}

// A failed chunk is named by position in the diagnostic; its first and last IDs go to the
// DEBUG log only.
func TestAddFailure_logsChunkItemsAtDebugOnly(t *testing.T) {
	var logs bytes.Buffer
	ctx := tflogtest.RootLogger(context.Background(), &logs)
	err := &client.ChunkError{Call: 12, Calls: 60, Items: 50, First: "1159999999999999901", Last: "1159999999999999950",
		Err: errors.New("Easemob could not delete (HTTP 400)")}
	var diags diag.Diagnostics
	addFailure(ctx, failureTestOp, Outcome{CallsDone: 11, CallsTotal: 60, ItemsDone: 550, ItemsTotal: 3000, ItemNoun: "message IDs"}, err, &diags)
	if len(diags) != 1 {
		t.Fatalf("diagnostics = %v", diags)
	}
	detail := diags[0].Detail()
	if strings.Contains(detail, "115999999999999990") || !strings.Contains(detail, "call 12 of 60 (50 items)") {
		t.Errorf("the diagnostic names IDs, or not the call's position:\n%s", detail)
	}
	if !strings.Contains(logs.String(), `"first_item":"1159999999999999901"`) || !strings.Contains(logs.String(), `"@level":"debug"`) {
		t.Errorf("the DEBUG log lacks the chunk's first item:\n%s", logs.String())
	}
}
