package provider

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/imops/terraform-provider-imops/internal/emulator"
)

// These tests run actions the way users do, with the real Terraform (>= 1.14) on the command
// line: `terraform apply -invoke=action.TYPE.NAME` and `action_trigger` in a resource's
// lifecycle. terraform-plugin-testing drives plan and apply only and cannot pass -invoke, so
// these tests start the binary themselves. The provider is served by the test process, as under
// a debugger (TF_REATTACH_PROVIDERS), and each test checks the emulator's store after a command.

// serveProviderForCLI serves a fresh provider under address until the test ends and returns
// the TF_REATTACH_PROVIDERS value that points the CLI at it.
func serveProviderForCLI(t *testing.T, address string) string {
	t.Helper()
	reattach, stop := serveProvider(t, address)
	t.Cleanup(stop)
	return reattach
}

// cliWorkspace is one working directory, initialised, whose configuration a test rewrites
// between commands.
type cliWorkspace struct {
	t        *testing.T
	cli      testCLI
	dir      string
	reattach string
	// cliConfig is an empty CLI configuration: nothing from the developer's own applies.
	cliConfig string
}

// newCLIWorkspace writes config (after a required_providers block naming imops/imops) to a
// fresh directory and runs `terraform init` there.
func newCLIWorkspace(t *testing.T, cli testCLI, config string) *cliWorkspace {
	t.Helper()
	w := &cliWorkspace{t: t, cli: cli, dir: t.TempDir(), reattach: serveProviderForCLI(t, cli.providerAddress())}
	w.cliConfig = filepath.Join(t.TempDir(), "empty.tfrc")
	if err := os.WriteFile(w.cliConfig, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	w.write(config)
	w.mustRun("init", "-input=false")
	return w
}

func (w *cliWorkspace) write(config string) {
	w.t.Helper()
	config = `
terraform {
  required_providers {
    imops = { source = "imops/imops" }
  }
}
` + config
	if err := os.WriteFile(filepath.Join(w.dir, "main.tf"), []byte(config), 0o600); err != nil {
		w.t.Fatal(err)
	}
}

// run runs the CLI with args (and -no-color) in the workspace and returns what it printed.
func (w *cliWorkspace) run(args ...string) (string, error) {
	w.t.Helper()
	cmd := w.command(args...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func (w *cliWorkspace) command(args ...string) *exec.Cmd {
	args = slices.Insert(args, 1, "-no-color")
	cmd := exec.Command(w.cli.Path, args...)
	cmd.Dir = w.dir
	cmd.Env = append(os.Environ(), "TF_REATTACH_PROVIDERS="+w.reattach, "TF_IN_AUTOMATION=1", "TF_CLI_CONFIG_FILE="+w.cliConfig)
	return cmd
}

func (w *cliWorkspace) mustRun(args ...string) string {
	w.t.Helper()
	out, err := w.run(args...)
	if err != nil {
		w.t.Fatalf("terraform %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// invoke runs `terraform apply -invoke=action.<address>`, as an operator runs an action.
func (w *cliWorkspace) invoke(address string) (string, error) {
	w.t.Helper()
	return w.run("apply", "-input=false", "-auto-approve", "-invoke=action."+address)
}

// stateResources lists the addresses `terraform show -json` finds in the state; actions never
// put anything there.
func (w *cliWorkspace) stateResources() []string {
	w.t.Helper()
	out, err := w.command("show", "-json").Output()
	if err != nil {
		w.t.Fatalf("terraform show -json: %v", err)
	}
	var state tfjson.State
	if err := json.Unmarshal(out, &state); err != nil {
		w.t.Fatalf("terraform show -json: %v\n%s", err, out)
	}
	var addresses []string
	if state.Values != nil && state.Values.RootModule != nil {
		for _, r := range state.Values.RootModule.Resources {
			addresses = append(addresses, r.Address)
		}
	}
	return addresses
}

// requireOutput fails unless out matches pattern, where each space in pattern stands for any
// run of white space: Terraform wraps long diagnostics when its output is not a terminal.
func requireOutput(t *testing.T, out, pattern string) {
	t.Helper()
	re := regexp.MustCompile(`(?s)` + strings.ReplaceAll(pattern, " ", `\s+`))
	if !re.MatchString(out) {
		t.Errorf("output does not match %s:\n%s", re, out)
	}
}

// progressLines are the messages of the action's progress events as the CLI printed them, in
// order: Terraform 1.14 prints each as "Action action.TYPE.NAME (triggered by ...): message".
func progressLines(out, address string) []string {
	prefix := "Action action." + address + " (triggered by "
	var lines []string
	for row := range strings.Lines(out) {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(row), prefix); ok {
			if _, message, ok := strings.Cut(rest, "): "); ok {
				lines = append(lines, message)
			}
		}
	}
	return lines
}

// cliInvokeRow is one operation invoked from the command line against a fresh emulator.
type cliInvokeRow struct {
	typeName string
	// args are the action's config arguments, as HCL.
	args string
	// fixture changes testFixture() before the emulator starts.
	fixture func(*emulator.Fixture)
	// done must be in the progress line that ends the run.
	done string
	// check inspects the store, and requests what the vendor received.
	check    func(t *testing.T, before, after emulator.Snapshot)
	requests func(t *testing.T, reqs []emulator.RequestRecord)
}

// easemobView is what one user must still see of a one-to-one chat (with the user named by
// chat) or of a group or chat room.
type easemobView struct {
	user, chat, group string
	want              []string
}

// easemobViews checks views of the Easemob store after a run.
func easemobViews(views ...easemobView) func(t *testing.T, before, after emulator.Snapshot) {
	return func(t *testing.T, _, after emulator.Snapshot) {
		t.Helper()
		for _, v := range views {
			got, of := after.Easemob.GroupView(v.user, v.group), "group "+v.group
			if v.chat != "" {
				got, of = after.Easemob.ChatView(v.user, v.chat), "chat with "+v.chat
			}
			if !slices.Equal(got, v.want) {
				t.Errorf("%s's %s = %v, want %v", v.user, of, got, v.want)
			}
		}
	}
}

// Each of the eight operations, invoked with -invoke: the targeted data goes, the rest stays,
// the run ends with its "done" line, and nothing is left in state.
func TestAccActionCLI_invokeEachOperation(t *testing.T) {
	cli := requireActionsCLI(t)
	bulkKeys := make([]string, 250)
	for i := range bulkKeys {
		bulkKeys[i] = fmt.Sprintf("k%03d", i)
	}
	rows := []cliInvokeRow{
		{
			typeName: "imops_rongcloud_extension_delete",
			args: `message_uid = "MSG-PRIVATE-1"
    user_id = "carol"
    conversation_type = "private"
    target_id = "bob"
    extra_keys = ` + hclSet(bulkKeys),
			fixture: func(f *emulator.Fixture) {
				extensions := map[string]string{"unrelated": "stay"}
				for _, key := range bulkKeys {
					extensions[key] = "v"
				}
				f.RongCloud.Messages[1].Extensions = extensions
			},
			done: "RongCloud: done, 3 calls (250 of 250 extension keys)",
			check: func(t *testing.T, _, after emulator.Snapshot) {
				if got := after.RongCloud.Messages["MSG-PRIVATE-1"].Extensions; len(got) != 1 || got["unrelated"] != "stay" {
					t.Errorf("extensions left = %d (%v), want only unrelated", len(got), got)
				}
				if got := after.RongCloud.Messages["MSG-GROUP-1"].Extensions; len(got) != 3 {
					t.Errorf("untargeted message changed: %v", got)
				}
			},
			requests: func(t *testing.T, reqs []emulator.RequestRecord) {
				if len(reqs) != 3 {
					t.Fatalf("%d requests, want 3 calls of at most 100 keys", len(reqs))
				}
				for _, req := range reqs {
					if !strings.Contains(req.Body, "isSyncSender=0") {
						t.Errorf("sync_sender left out should send its default isSyncSender=0: %s", req.Body)
					}
				}
			},
		},
		{
			typeName: "imops_rongcloud_broadcast_recall",
			args: `from_user_id = "system"
    message_uid = "BCST-1"
    sent_time = 1763856000000
    is_delete = true`,
			done: "RongCloud: done, 1 call",
			check: func(t *testing.T, _, after emulator.Snapshot) {
				if b := after.RongCloud.Broadcasts["BCST-1"]; !b.Recalled || !b.Deleted {
					t.Errorf("BCST-1 = %+v, want recalled and deleted", b)
				}
				if after.RongCloud.Broadcasts["BCST-2"].Recalled {
					t.Errorf("untargeted broadcast BCST-2 was recalled")
				}
			},
		},
		{
			typeName: "imops_easemob_roaming_chat_delete",
			args: `user_id = "alice"
    peer_user_id = "bob"
    message_ids = ["ab-1", "ab-4"]`,
			done: "Easemob: done, 1 call",
			check: easemobViews(
				easemobView{user: "alice", chat: "bob", want: []string{"ab-2", "ab-3"}},
				easemobView{user: "bob", chat: "alice", want: []string{"ab-1", "ab-2", "ab-3", "ab-4"}}),
			requests: func(t *testing.T, reqs []emulator.RequestRecord) {
				deletes := slices.DeleteFunc(reqs, func(r emulator.RequestRecord) bool { return r.Method != "DELETE" })
				if len(deletes) != 1 || !strings.Contains(deletes[0].Query, "isNotify=true") {
					t.Errorf("want one DELETE with the default isNotify=true, got %+v", deletes)
				}
			},
		},
		{
			typeName: "imops_easemob_roaming_group_delete",
			args: `user_id = "bob"
    group_id = "g1"
    message_ids = ["g1-1", "g1-3"]
    notify = false`,
			done: "Easemob: done, 1 call",
			check: easemobViews(
				easemobView{user: "bob", group: "g1", want: []string{"g1-2"}},
				easemobView{user: "alice", group: "g1", want: []string{"g1-1", "g1-2", "g1-3"}}),
		},
		{
			typeName: "imops_easemob_roaming_clear",
			args:     `user_id = "alice"`,
			done:     "Easemob: done, 1 call",
			check: func(t *testing.T, before, after emulator.Snapshot) {
				if n := after.Easemob.MessageCount("alice"); n != 0 {
					t.Errorf("alice still sees %d messages", n)
				}
				if got, want := after.Easemob.MessageCount("bob"), before.Easemob.MessageCount("bob"); got != want {
					t.Errorf("bob sees %d messages, had %d; only alice's copy should go", got, want)
				}
			},
		},
		{
			typeName: "imops_easemob_roaming_chat_clear",
			args: `user_id = "alice"
    peer_user_id = "bob"
    before = "2024-01-02T08:00:00.000+08:00"`,
			done: "Easemob: done, 1 call",
			check: easemobViews(
				easemobView{user: "alice", chat: "bob", want: []string{"ab-3", "ab-4"}},
				easemobView{user: "bob", chat: "alice", want: []string{"ab-1", "ab-2", "ab-3", "ab-4"}}),
		},
		{
			typeName: "imops_easemob_roaming_group_clear",
			args: `user_id = "dave"
    group_id = "room-1"
    before = "2024-01-01T12:00:00Z"`,
			done: "Easemob: done, 1 call",
			check: easemobViews(
				easemobView{user: "dave", group: "room-1", want: []string{"r1-2"}},
				easemobView{user: "alice", group: "room-1", want: []string{"r1-1", "r1-2"}}),
		},
		{
			typeName: "imops_tencentim_group_message_delete_by_sender",
			args: `group_id = "` + testTencentIMPublic + `"
    sender_account = "spammer"`,
			done: "Tencent Cloud IM: done, 1 call",
			check: func(t *testing.T, _, after emulator.Snapshot) {
				if got := after.TencentIM.Recalled(testTencentIMPublic); !slices.Equal(got, []uint64{2, 4}) {
					t.Errorf("recalled seqs = %v, want [2 4]", got)
				}
				if got := after.TencentIM.Recalled(testTencentIMCommunity); len(got) != 0 {
					t.Errorf("another group lost messages: %v", got)
				}
			},
		},
	}
	if len(rows) != len(operations()) {
		t.Errorf("%d rows for %d operations: every operation needs one", len(rows), len(operations()))
	}
	for _, row := range rows {
		t.Run(row.typeName, func(t *testing.T) {
			unsetVendorEnv(t)
			fixture := testFixture()
			if row.fixture != nil {
				row.fixture(&fixture)
			}
			emu, baseURL := testEmulator(t, fixture, emulator.Options{})
			before := emu.Snapshot()
			w := newCLIWorkspace(t, cli, providerConfig(baseURL)+fmt.Sprintf(`
action %q "run" {
  config {
    %s
  }
}
`, row.typeName, row.args))
			out, err := w.invoke(row.typeName + ".run")
			if err != nil {
				t.Fatalf("apply -invoke: %v\n%s", err, out)
			}
			progress := progressLines(out, row.typeName+".run")
			if len(progress) == 0 || !strings.Contains(progress[len(progress)-1], row.done) {
				t.Errorf("progress lines %q, want the last to contain %q; output:\n%s", progress, row.done, out)
			}
			row.check(t, before, emu.Snapshot())
			if row.requests != nil {
				row.requests(t, emu.Requests())
			}
			if got := w.stateResources(); len(got) != 0 {
				t.Errorf("the state holds %v after an action; want nothing", got)
			}
		})
	}
}

// A resource's lifecycle runs one action after it is created and another after each update;
// an apply that changes nothing runs neither. The state holds the resource only.
func TestAccActionCLI_triggers(t *testing.T) {
	cli := requireActionsCLI(t)
	unsetVendorEnv(t)
	emu, baseURL := testEmulator(t, testFixture(), emulator.Options{})
	config := func(incident string) string {
		return providerConfig(baseURL) + fmt.Sprintf(`
action "imops_rongcloud_extension_delete" "leaks" {
  config {
    message_uid       = "MSG-GROUP-1"
    user_id           = "alice"
    conversation_type = "group"
    target_id         = "room-1"
    extra_keys        = ["leak1", "leak2"]
  }
}

action "imops_tencentim_group_message_delete_by_sender" "spam" {
  config {
    group_id       = %q
    sender_account = "spammer"
  }
}

resource "terraform_data" "incident" {
  input = %q

  lifecycle {
    action_trigger {
      events  = [after_create]
      actions = [action.imops_rongcloud_extension_delete.leaks]
    }
    action_trigger {
      events  = [after_update]
      actions = [action.imops_tencentim_group_message_delete_by_sender.spam]
    }
  }
}
`, testTencentIMPublic, incident)
	}
	w := newCLIWorkspace(t, cli, config("INC-1"))
	apply := func(step string) string {
		t.Helper()
		out, err := w.run("apply", "-input=false", "-auto-approve")
		if err != nil {
			t.Fatalf("%s: terraform apply: %v\n%s", step, err, out)
		}
		return out
	}
	vendorCalls := func() (rongcloud, tencent int) {
		for _, req := range emu.Requests() {
			switch req.Vendor {
			case "rongcloud":
				rongcloud++
			case "tencentim":
				tencent++
			}
		}
		return rongcloud, tencent
	}

	out := apply("create")
	requireOutput(t, out, `RongCloud: done, 1 call`)
	after := emu.Snapshot()
	if got := after.RongCloud.Messages["MSG-GROUP-1"].Extensions; len(got) != 1 || got["keep"] != "c" {
		t.Errorf("after create: extensions = %v, want only keep=c", got)
	}
	if got := after.TencentIM.Recalled(testTencentIMPublic); len(got) != 0 {
		t.Errorf("after create: the after_update action ran too, recalled %v", got)
	}

	apply("unchanged")
	if r, tc := vendorCalls(); r != 1 || tc != 0 {
		t.Errorf("after an apply with no changes: %d RongCloud and %d Tencent calls, want 1 and 0", r, tc)
	}

	w.write(config("INC-2"))
	out = apply("update")
	requireOutput(t, out, `Tencent Cloud IM: done, 1 call`)
	if got := emu.Snapshot().TencentIM.Recalled(testTencentIMPublic); !slices.Equal(got, []uint64{2, 4}) {
		t.Errorf("after update: recalled seqs = %v, want [2 4]", got)
	}
	if r, tc := vendorCalls(); r != 1 || tc != 1 {
		t.Errorf("after update: %d RongCloud and %d Tencent calls, want 1 and 1 (the after_create action must not run again)", r, tc)
	}
	if got := w.stateResources(); !slices.Equal(got, []string{"terraform_data.incident"}) {
		t.Errorf("state holds %v, want only terraform_data.incident", got)
	}
}

// A run of thousands of IDs paced by requests_per_second spans several progress intervals; the
// operator sees it move, line by line, before the "done" line.
func TestAccActionCLI_progress(t *testing.T) {
	cli := requireActionsCLI(t)
	unsetVendorEnv(t)
	const total = 1000
	ids := make([]string, total)
	fixture := testFixture()
	for i := range ids {
		ids[i] = fmt.Sprintf("bulk-%04d", i)
		fixture.Easemob.Messages = append(fixture.Easemob.Messages,
			emulator.EasemobMessage{MsgID: ids[i], From: "alice", To: "bob", ChatType: "chat", Timestamp: easemobDay0 + int64(i)})
	}
	emu, baseURL := testEmulator(t, fixture, emulator.Options{})
	// 20 calls of 50 IDs at 5 a second take about four seconds: four progress intervals.
	config := strings.Replace(providerConfig(baseURL), "easemob {", "easemob {\n    requests_per_second = 5", 1) + `
action "imops_easemob_roaming_chat_delete" "bulk" {
  config {
    user_id      = "alice"
    peer_user_id = "bob"
    message_ids  = ` + hclSet(ids) + `
  }
}
`
	w := newCLIWorkspace(t, cli, config)
	out, err := w.invoke("imops_easemob_roaming_chat_delete.bulk")
	if err != nil {
		t.Fatalf("apply -invoke: %v\n%s", err, out)
	}
	progress := progressLines(out, "imops_easemob_roaming_chat_delete.bulk")
	if len(progress) < 3 {
		t.Fatalf("%d progress lines, want at least 3 for a run of several seconds: %q\n%s", len(progress), progress, out)
	}
	if last := progress[len(progress)-1]; !strings.Contains(last, "Easemob: done, 20 calls (1,000 of 1,000 message IDs)") {
		t.Errorf("last progress line %q, want the done line for 20 calls", last)
	}
	if got := emu.Snapshot().Easemob.ChatView("alice", "bob"); !slices.Equal(got, []string{"ab-1", "ab-2", "ab-3", "ab-4"}) {
		t.Errorf("alice's chat with bob = %d messages (%.5v...), want only the four not listed", len(got), got)
	}
}

// A run that must fail fails the apply with what the operator needs in the CLI output, and
// leaves the store as it was: a vendor's refusal shows the vendor's code; a vendor without
// credentials is named with what is missing (after a warning at plan); an invalid argument is
// refused at plan time, on the argument, before any vendor call.
func TestAccActionCLI_failures(t *testing.T) {
	cli := requireActionsCLI(t)
	withoutRongCloud := func(config string) string {
		start, end := strings.Index(config, "  rongcloud {"), strings.Index(config, "  tencentim {")
		return config[:start] + config[end:]
	}
	for _, tc := range []struct {
		name string
		// provider edits the provider configuration; nil keeps it.
		provider func(string) string
		action   string
		want     []string
		// calls is how many requests the emulator may see.
		calls int
	}{{
		name: "vendor error",
		action: `"imops_rongcloud_extension_delete" "run" {
  config {
    message_uid       = "MSG-GROUP-1"
    user_id           = "alice"
    conversation_type = "group"
    target_id         = "some-other-room"
    extra_keys        = ["leak1"]
  }
}`,
		want:  []string{`Error: .*imops_rongcloud_extension_delete.* code 1002`},
		calls: 1,
	}, {
		name:     "vendor not configured",
		provider: withoutRongCloud,
		action: `"imops_rongcloud_broadcast_recall" "run" {
  config {
    from_user_id = "system"
    message_uid  = "BCST-1"
  }
}`,
		want: []string{`Warning: .*app_secret`, `Error: .*RongCloud is not configured.*app_key`},
	}, {
		name: "invalid argument",
		action: `"imops_rongcloud_extension_delete" "run" {
  config {
    message_uid       = "MSG-GROUP-1"
    user_id           = "alice"
    conversation_type = "system"
    target_id         = "room-1"
    extra_keys        = ["leak1"]
  }
}`,
		want: []string{`Error: .*conversation_type = "system".*value must be one of`},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			unsetVendorEnv(t)
			emu, baseURL := testEmulator(t, testFixture(), emulator.Options{})
			before := emu.Snapshot()
			config := providerConfig(baseURL)
			if tc.provider != nil {
				config = tc.provider(config)
			}
			w := newCLIWorkspace(t, cli, config+"\naction "+tc.action+"\n")
			typeName, _, _ := strings.Cut(strings.Trim(tc.action, `"`), `"`)
			out, err := w.invoke(typeName + ".run")
			if err == nil {
				t.Fatalf("apply -invoke succeeded:\n%s", out)
			}
			for _, want := range tc.want {
				requireOutput(t, out, want)
			}
			if n := len(emu.Requests()); n != tc.calls {
				t.Errorf("the emulator saw %d requests, want %d", n, tc.calls)
			}
			if after := emu.Snapshot(); !reflect.DeepEqual(after.RongCloud, before.RongCloud) {
				t.Errorf("a failed run changed the store:\nbefore %+v\nafter  %+v", before.RongCloud, after.RongCloud)
			}
		})
	}
}
