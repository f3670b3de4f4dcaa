package emulator

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestDemoFixtureIsValid(t *testing.T) {
	if err := DemoFixture().Validate(); err != nil {
		t.Fatalf("the built-in demo fixture does not pass Validate: %v", err)
	}
	data, err := os.ReadFile("testdata/demo-fixture.json")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := decodeFixture(strings.NewReader(string(data))); err != nil {
		t.Fatalf("the demo fixture file does not decode strictly: %v", err)
	}
}

// The test fixtures the vendor tests build in Go are valid too, so Validate does not refuse
// what the emulator is known to serve.
func TestTestFixturesAreValid(t *testing.T) {
	for name, f := range map[string]Fixture{"rongcloud": rongcloudFixture(), "easemob": easemobFixture(), "tencentim": tencentFixture()} {
		if err := f.Validate(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	if err := (Fixture{}).Validate(); err != nil {
		t.Errorf("an empty fixture: %v", err)
	}
}

func writeFixture(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "fixture.json")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLoadFixtureFileRefusesUnknownFields(t *testing.T) {
	for _, tc := range []struct{ name, doc, want string }{
		{"typo in a message", `{"easemob":{"org_name":"o","app_name":"a","client_id":"c","client_secret":"s",
			"messages":[{"msg_id":"m1","from":"a","to":"b","chat_type":"chat"},{"msgid":"m2","from":"a","to":"b","chat_type":"chat"}]}}`,
			`easemob.messages[1]: unknown field "msgid"`},
		{"typo in a vendor part", `{"rongcloud":{"appkey":"k","app_secret":"s"}}`, `rongcloud: unknown field "appkey"`},
		{"typo in a vendor name", `{"tencent_im":{}}`, `unknown field "tencent_im" at the top level`},
		{"typo in a nested message", `{"tencentim":{"sdk_app_id":1,"secret_key":"k","admins":["a"],
			"groups":[{"group_id":"g","type":"Public","messages":[{"seq":1,"sender":"a","topic":"t"}]}]}}`,
			`tencentim.groups[0].messages[0]: unknown field "topic"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFixture(t, tc.doc)
			_, err := LoadFixtureFile(path)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), path) {
				t.Errorf("err = %v, want it to name %s and %q", err, path, tc.want)
			}
		})
	}
}

func TestLoadFixtureFileRefusesTrailingDataAndBadJSON(t *testing.T) {
	for _, doc := range []string{`{} {}`, `{"rongcloud":`, `{"tencentim":{"sdk_app_id":"1"}}`} {
		if _, err := LoadFixtureFile(writeFixture(t, doc)); err == nil {
			t.Errorf("%s: accepted", doc)
		}
	}
}

func TestLoadFixtureFileAcceptsAValidFixture(t *testing.T) {
	data, err := json.Marshal(easemobFixture())
	if err != nil {
		t.Fatal(err)
	}
	got, err := LoadFixtureFile(writeFixture(t, string(data)))
	if err != nil {
		t.Fatal(err)
	}
	if want := easemobFixture(); !reflect.DeepEqual(got, want) {
		t.Errorf("loaded %+v, want %+v", got.Easemob, want.Easemob)
	}
}

func TestValidateRefusesInvalidFixtures(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(f *Fixture)
		want   string
	}{
		// RongCloud.
		{"rongcloud app_key", func(f *Fixture) { f.RongCloud.AppKey = "" }, "rongcloud.app_key: empty"},
		{"rongcloud app_secret", func(f *Fixture) { f.RongCloud.AppSecret = " " }, "rongcloud.app_secret: empty"},
		{"rongcloud msg_uid", func(f *Fixture) { f.RongCloud.Messages[1].MsgUID = "" }, "rongcloud.messages[1].msg_uid: empty"},
		{"rongcloud from_user_id", func(f *Fixture) { f.RongCloud.Messages[0].FromUserID = "" }, "rongcloud.messages[0].from_user_id: empty"},
		{"rongcloud target_id", func(f *Fixture) { f.RongCloud.Messages[0].TargetID = "" }, "rongcloud.messages[0].target_id: empty"},
		{"rongcloud conversation_type", func(f *Fixture) { f.RongCloud.Messages[1].ConversationType = "PRIVATE" },
			`rongcloud.messages[1].conversation_type: "PRIVATE" is not private or group`},
		{"rongcloud duplicate msg_uid", func(f *Fixture) { f.RongCloud.Messages[1].MsgUID = "G1" },
			`rongcloud.messages[1].msg_uid: duplicate ID "G1" (also at rongcloud.messages[0].msg_uid)`},
		{"rongcloud broadcast message_uid", func(f *Fixture) { f.RongCloud.Broadcasts[0].MessageUID = "" }, "rongcloud.broadcasts[0].message_uid: empty"},
		{"rongcloud broadcast from_user_id", func(f *Fixture) { f.RongCloud.Broadcasts[0].FromUserID = "" }, "rongcloud.broadcasts[0].from_user_id: empty"},
		{"rongcloud duplicate broadcast", func(f *Fixture) {
			f.RongCloud.Broadcasts = append(f.RongCloud.Broadcasts, f.RongCloud.Broadcasts[0])
		}, `rongcloud.broadcasts[1].message_uid: duplicate ID "B1"`},
		// Easemob.
		{"easemob org_name", func(f *Fixture) { f.Easemob.OrgName = "" }, "easemob.org_name: empty"},
		{"easemob app_name", func(f *Fixture) { f.Easemob.AppName = "" }, "easemob.app_name: empty"},
		{"easemob client_id", func(f *Fixture) { f.Easemob.ClientID = "" }, "easemob.client_id: empty"},
		{"easemob client_secret", func(f *Fixture) { f.Easemob.ClientSecret = "" }, "easemob.client_secret: empty"},
		{"easemob msg_id", func(f *Fixture) { f.Easemob.Messages[3].MsgID = "" }, "easemob.messages[3].msg_id: empty"},
		{"easemob from", func(f *Fixture) { f.Easemob.Messages[2].From = "" }, "easemob.messages[2].from: empty"},
		{"easemob to", func(f *Fixture) { f.Easemob.Messages[2].To = "" }, "easemob.messages[2].to: empty"},
		{"easemob chat_type", func(f *Fixture) { f.Easemob.Messages[0].ChatType = "group" },
			`easemob.messages[0].chat_type: "group" is not chat, groupchat or chatroom`},
		{"easemob undeclared group", func(f *Fixture) { f.Easemob.Messages[5].To = "g9" },
			`easemob.messages[5].to: group "g9" is not declared in easemob.groups`},
		{"easemob chat type against group type", func(f *Fixture) { f.Easemob.Messages[8].ChatType = "groupchat" },
			`easemob.messages[8].chat_type: "groupchat", but "r1" is declared as a chatroom`},
		{"easemob duplicate msg_id", func(f *Fixture) { f.Easemob.Messages[4].MsgID = "c1" },
			`easemob.messages[4].msg_id: duplicate ID "c1" (also at easemob.messages[0].msg_id)`},
		{"easemob group_id", func(f *Fixture) { f.Easemob.Groups[0].GroupID = "" }, "easemob.groups[0].group_id: empty"},
		{"easemob group type", func(f *Fixture) { f.Easemob.Groups[1].Type = "room" }, `easemob.groups[1].type: "room" is not group or chatroom`},
		{"easemob duplicate group", func(f *Fixture) { f.Easemob.Groups[1].GroupID = "g1" }, `easemob.groups[1].group_id: duplicate ID "g1"`},
		{"easemob duplicate user", func(f *Fixture) { f.Easemob.Users[4] = "alice" }, `easemob.users[4]: duplicate ID "alice"`},
		// Tencent Cloud IM.
		{"tencentim sdk_app_id", func(f *Fixture) { f.TencentIM.SDKAppID = 0 }, "tencentim.sdk_app_id: missing or 0"},
		{"tencentim secret_key", func(f *Fixture) { f.TencentIM.SecretKey = "" }, "tencentim.secret_key: empty"},
		{"tencentim no admin", func(f *Fixture) { f.TencentIM.Admins = nil }, "tencentim.admins: empty"},
		{"tencentim empty admin", func(f *Fixture) { f.TencentIM.Admins = []string{""} }, "tencentim.admins[0]: empty"},
		{"tencentim group_id", func(f *Fixture) { f.TencentIM.Groups[2].GroupID = "" }, "tencentim.groups[2].group_id: empty"},
		{"tencentim group type", func(f *Fixture) { f.TencentIM.Groups[0].Type = "public" },
			`tencentim.groups[0].type: "public" is not one of Private, Public, ChatRoom, AVChatRoom, Community`},
		{"tencentim duplicate group", func(f *Fixture) { f.TencentIM.Groups[2].GroupID = tencentPublic },
			`tencentim.groups[2].group_id: duplicate ID "@TGS#public"`},
		{"tencentim sender", func(f *Fixture) { f.TencentIM.Groups[0].Messages[2].Sender = "" }, "tencentim.groups[0].messages[2].sender: empty"},
		{"tencentim duplicate seq", func(f *Fixture) { f.TencentIM.Groups[0].Messages[3].Seq = 1 },
			`tencentim.groups[0].messages[3].seq: duplicate seq 1 in the group's own stream (also at tencentim.groups[0].messages[1])`},
		{"tencentim duplicate seq in a topic", func(f *Fixture) { f.TencentIM.Groups[1].Messages[2].Seq = 1 },
			`tencentim.groups[1].messages[2].seq: duplicate seq 1 in topic "@TGS#_community@TOPIC#_news"`},
		{"tencentim seq 0", func(f *Fixture) { f.TencentIM.Groups[2].Messages[0].Seq = 0 }, "tencentim.groups[2].messages[0].seq: missing or 0"},
		{"tencentim undeclared topic", func(f *Fixture) { f.TencentIM.Groups[1].Messages[3].TopicID = "@TGS#_community@TOPIC#_x" },
			`tencentim.groups[1].messages[3].topic_id: "@TGS#_community@TOPIC#_x" is not declared in tencentim.groups[1].topics`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := Fixture{RongCloud: rongcloudFixture().RongCloud, Easemob: easemobFixture().Easemob, TencentIM: tencentFixture().TencentIM}
			tc.change(&f)
			err := f.Validate()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

// The same seq in two streams of one group, or in two groups, is fine.
func TestValidateAllowsTheSameSeqInOtherStreams(t *testing.T) {
	f := tencentFixture()
	if err := f.Validate(); err != nil {
		t.Fatal(err)
	}
	if f.TencentIM.Groups[1].Messages[0].Seq != f.TencentIM.Groups[1].Messages[1].Seq {
		t.Fatal("the test fixture no longer repeats a seq across topics")
	}
}

func TestValidateListsSeveralProblemsAndCapsThem(t *testing.T) {
	f := easemobFixture()
	for i := range f.Easemob.Messages {
		f.Easemob.Messages[i].MsgID = ""
	}
	f.Easemob.Groups[0].Type = "x"
	err := f.Validate()
	if err == nil {
		t.Fatal("accepted")
	}
	msg := err.Error()
	if n := strings.Count(msg, ": empty"); n == 0 || !strings.Contains(msg, "; and ") {
		t.Errorf("err = %s, want a capped list of problems", msg)
	}
	if !strings.HasPrefix(msg, "invalid fixture: easemob.groups[0].type") {
		t.Errorf("err = %s, want problems in document order", msg)
	}
}

func TestAdminPutFixtureRefusesBadFixturesAndKeepsTheStore(t *testing.T) {
	emu := New(rongcloudFixture(), Options{})
	base := startEmulator(t, emu)
	before, _ := json.Marshal(emu.Snapshot())
	put := func(doc string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPut, base+"/_admin/fixture", strings.NewReader(doc))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	for _, tc := range []struct{ doc, want string }{
		{`{"rongcloud":{"app_key":"k","app_secret":"s","messages":[{"msgid":"M","from_user_id":"a","conversation_type":"group","target_id":"g"}]}}`,
			`rongcloud.messages[0]: unknown field \"msgid\"`},
		{`{"rongcloud":{"app_key":"k","app_secret":"s","messages":[{"msg_uid":"","from_user_id":"a","conversation_type":"group","target_id":"g"}]}}`,
			`rongcloud.messages[0].msg_uid: empty`},
		{`{"easemob":{"org_name":"o","app_name":"a","client_id":"c","client_secret":"s","messages":[{"msg_id":"1","from":"a","to":"g","chat_type":"groupchat"}]}}`,
			`easemob.messages[0].to: group \"g\" is not declared`},
		{`not json`, `fixture is not valid JSON`},
	} {
		status, body := put(tc.doc)
		if status != http.StatusBadRequest || !strings.Contains(body, tc.want) {
			t.Errorf("PUT %s = %d %s, want 400 naming %s", tc.doc, status, body, tc.want)
		}
	}
	if after, _ := json.Marshal(emu.Snapshot()); string(after) != string(before) {
		t.Errorf("a refused fixture changed the store:\nbefore %s\nafter  %s", before, after)
	}
	if status, body := put(`{"rongcloud":{"app_key":"k","app_secret":"s","messages":[{"msg_uid":"M","from_user_id":"a","conversation_type":"group","target_id":"g"}]}}`); status != http.StatusOK || !strings.Contains(body, `"M"`) {
		t.Errorf("PUT of a valid fixture = %d %s", status, body)
	}
}
