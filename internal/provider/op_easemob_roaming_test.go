package provider

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/imops/terraform-provider-imops/internal/emulator"
)

// Shared by the Easemob acceptance tests.

// easemobDay0 is 2024-01-01T00:00:00Z in ms; fixture messages are a day apart from it.
const (
	easemobDay0 = int64(1704067200000)
	easemobDay  = int64(24 * 60 * 60 * 1000)
)

// testEasemobFixture: alice and bob chat (ab-1..ab-4, one a day); alice and carol chat (ac-1);
// bob and erin.lee_2-x chat (be-1, be-2); group g1 holds alice, bob, carol (g1-1..g1-3);
// chat room room-1 holds alice and dave (r1-1, r1-2).
func testEasemobFixture() *emulator.EasemobFixture {
	chat := func(id, from, to string, day int64) emulator.EasemobMessage {
		return emulator.EasemobMessage{MsgID: id, From: from, To: to, ChatType: "chat", Timestamp: easemobDay0 + day*easemobDay}
	}
	group := func(id, from, to, kind string, day int64) emulator.EasemobMessage {
		return emulator.EasemobMessage{MsgID: id, From: from, To: to, ChatType: kind, Timestamp: easemobDay0 + day*easemobDay}
	}
	return &emulator.EasemobFixture{
		OrgName: testEasemobOrgName, AppName: testEasemobAppName,
		ClientID: testEasemobClientID, ClientSecret: testEasemobClientSecret,
		Users: []string{"alice", "bob", "carol", "dave", "erin.lee_2-x"},
		Groups: []emulator.EasemobGroup{
			{GroupID: "g1", Type: "group", Members: []string{"alice", "bob", "carol"}},
			{GroupID: "room-1", Type: "chatroom", Members: []string{"alice", "dave"}},
		},
		Messages: []emulator.EasemobMessage{
			chat("ab-1", "alice", "bob", 0), chat("ab-2", "bob", "alice", 1), chat("ab-3", "alice", "bob", 2), chat("ab-4", "bob", "alice", 3),
			chat("ac-1", "carol", "alice", 0),
			chat("be-1", "bob", "erin.lee_2-x", 0), chat("be-2", "erin.lee_2-x", "bob", 1),
			group("g1-1", "bob", "g1", "groupchat", 0), group("g1-2", "carol", "g1", "groupchat", 1), group("g1-3", "alice", "g1", "groupchat", 2),
			group("r1-1", "dave", "room-1", "chatroom", 0), group("r1-2", "alice", "room-1", "chatroom", 1),
		},
	}
}

// checkEasemobChat asserts what user still sees of the one-to-one chat with peer.
func checkEasemobChat(emu *emulator.Emulator, user, peer string, want ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if got := emu.Snapshot().Easemob.ChatView(user, peer); !slices.Equal(got, want) {
			return fmt.Errorf("%s's chat with %s = %v, want %v", user, peer, got, want)
		}
		return nil
	}
}

// checkEasemobGroup asserts what user still sees of a group or chat room.
func checkEasemobGroup(emu *emulator.Emulator, user, groupID string, want ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if got := emu.Snapshot().Easemob.GroupView(user, groupID); !slices.Equal(got, want) {
			return fmt.Errorf("%s's view of %s = %v, want %v", user, groupID, got, want)
		}
		return nil
	}
}

// checkEasemobQuery asserts the query of the last roaming call the emulator served.
func checkEasemobQuery(emu *emulator.Emulator, want url.Values) resource.TestCheckFunc {
	return func(*terraform.State) error {
		var last *emulator.RequestRecord
		for _, r := range emu.Requests() {
			if strings.Contains(r.Path, "/rest/message/roaming/") {
				last = &r
			}
		}
		if last == nil {
			return fmt.Errorf("no roaming call reached the emulator")
		}
		if got := last.Query; got != want.Encode() {
			return fmt.Errorf("last roaming call's query = %q, want %q", got, want.Encode())
		}
		return nil
	}
}

// clearEasemobEnv keeps a developer's own IMOPS_EASEMOB_* variables out of a test.
func clearEasemobEnv(t *testing.T) {
	for _, name := range []string{"API_URL", "ORG_NAME", "APP_NAME", "CLIENT_ID", "CLIENT_SECRET", "APP_TOKEN", "REQUESTS_PER_SECOND"} {
		t.Setenv("IMOPS_EASEMOB_"+name, "")
	}
}

// setEasemobEnv configures Easemob through the environment alone, with the test app's
// credentials and apiURL.
func setEasemobEnv(t *testing.T, apiURL string) {
	clearEasemobEnv(t)
	t.Setenv("IMOPS_EASEMOB_API_URL", apiURL)
	t.Setenv("IMOPS_EASEMOB_ORG_NAME", testEasemobOrgName)
	t.Setenv("IMOPS_EASEMOB_APP_NAME", testEasemobAppName)
	t.Setenv("IMOPS_EASEMOB_CLIENT_ID", testEasemobClientID)
	t.Setenv("IMOPS_EASEMOB_CLIENT_SECRET", testEasemobClientSecret)
}

// easemobPlanRefusals runs each resource body through plan only, expecting its error, and
// checks that nothing reached the emulator.
func easemobPlanRefusals(t *testing.T, resourceType string, cases map[string]string) {
	t.Helper()
	emu, baseURL := testEmulator(t, testFixture(), emulator.Options{})
	names := make([]string, 0, len(cases))
	for body := range cases {
		names = append(names, body)
	}
	slices.Sort(names)
	var steps []resource.TestStep
	for _, body := range names {
		steps = append(steps, resource.TestStep{
			Config:      providerConfig(baseURL) + "resource \"" + resourceType + "\" \"bad\" {\n" + body + "\n}\n",
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(cases[body]),
		})
	}
	resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: testProviderFactories, Steps: steps})
	if n := len(emu.Requests()); n != 0 {
		t.Errorf("invalid input reached the vendor: %d requests", n)
	}
}

// easemobUserIDError matches the plan-time refusal of an Easemob user ID on attribute (the
// detail starts with its name), saying problem.
func easemobUserIDError(attribute, problem string) string {
	return `(?s)Invalid\s+Easemob\s+user\s+ID.*\s` + attribute + `\s+` + problem
}

// Regexps for the validators' messages, tolerant of Terraform's line wrapping.
const (
	emptyStringError = `is\s+empty`
	emptyListError   = `must\s+list\s+at\s+least\s+one\s+entry`
)
