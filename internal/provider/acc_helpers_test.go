package provider

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/imops/terraform-provider-imops/internal/emulator"
)

// testProviderFactories serves the provider in-process to the real terraform binary.
var testProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"imops": NewServer("test"),
}

// TestMain points terraform-plugin-testing at the terraform on PATH (nothing is downloaded)
// and turns acceptance tests on, so `go test ./...` runs everything.
func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	if os.Getenv("TF_ACC_TERRAFORM_PATH") == "" {
		path, err := exec.LookPath("terraform")
		if err != nil {
			fmt.Fprintln(os.Stderr, "terraform is not on PATH: install Terraform >= 1.0 (or set TF_ACC_TERRAFORM_PATH) to run the acceptance tests")
			return 1
		}
		_ = os.Setenv("TF_ACC_TERRAFORM_PATH", path)
	}
	if os.Getenv("TF_ACC") == "" {
		_ = os.Setenv("TF_ACC", "1")
	}
	// Keep Terraform from reaching for the network (checkpoint, registry) and from reading
	// the developer's own CLI configuration.
	_ = os.Setenv("CHECKPOINT_DISABLE", "1")
	if os.Getenv("TF_CLI_CONFIG_FILE") == "" {
		cliConfig, err := os.CreateTemp("", "imops-test-*.tfrc")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		_ = cliConfig.Close()
		defer os.Remove(cliConfig.Name())
		_ = os.Setenv("TF_CLI_CONFIG_FILE", cliConfig.Name())
	}
	return m.Run()
}

// testEmulator starts an emulator on 127.0.0.1 for one test and returns it with its base URL.
func testEmulator(t testing.TB, fixture emulator.Fixture, opts emulator.Options) (*emulator.Emulator, string) {
	t.Helper()
	emu := emulator.New(fixture, opts)
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listening on loopback: %v", err)
	}
	server := &httptest.Server{Listener: listener, Config: &http.Server{Handler: emu.Handler()}}
	server.Start()
	t.Cleanup(server.Close)
	return emu, server.URL
}

// Credentials of the test fixture; they exist only in the emulator.
const (
	testRongCloudAppKey    = "acc-app-key"
	testRongCloudAppSecret = "acc-app-secret-0123456789"

	testTencentIMSDKAppID   uint64 = 1400000001
	testTencentIMIdentifier        = "administrator"
	testTencentIMSecretKey         = "acc-tencent-secret-key-0123456789"
	testTencentIMPublic            = "@TGS#acc-public"
	testTencentIMCommunity         = "@TGS#acc-community"
	testTencentIMTopicNews         = "@TGS#acc-community@TOPIC#_news"
	testTencentIMTopicChat         = "@TGS#acc-community@TOPIC#_chat"
	testTencentIMLive              = "@TGS#acc-live"

	testEasemobOrgName      = "acc-org"
	testEasemobAppName      = "acc-app"
	testEasemobClientID     = "acc-client-id"
	testEasemobClientSecret = "acc-client-secret-0123456789"
)

// testFixture is the store every acceptance test starts from; tests change it as needed.
func testFixture() emulator.Fixture {
	return emulator.Fixture{
		RongCloud: &emulator.RongCloudFixture{
			AppKey: testRongCloudAppKey, AppSecret: testRongCloudAppSecret,
			Messages: []emulator.RongCloudMessage{
				{MsgUID: "MSG-GROUP-1", FromUserID: "alice", ConversationType: "group", TargetID: "room-1",
					Extensions: map[string]string{"leak1": "a", "leak2": "b", "keep": "c"}},
				{MsgUID: "MSG-PRIVATE-1", FromUserID: "bob", ConversationType: "private", TargetID: "carol",
					Extensions: map[string]string{"note": "x", "reaction": "y"}},
			},
			Broadcasts: []emulator.RongCloudBroadcast{
				{MessageUID: "BCST-1", FromUserID: "system", SentTime: 1763856000000},
				{MessageUID: "BCST-2", FromUserID: "system", SentTime: 1763859600000},
			},
		},
		Easemob: testEasemobFixture(),
		TencentIM: &emulator.TencentIMFixture{
			SDKAppID: testTencentIMSDKAppID, SecretKey: testTencentIMSecretKey, Admins: []string{testTencentIMIdentifier},
			Groups: []emulator.TencentIMGroup{
				{GroupID: testTencentIMPublic, Type: "Public", Messages: []emulator.TencentIMMessage{
					{Seq: 1, Sender: "alice", Text: "hello"},
					{Seq: 2, Sender: "spammer", Text: "buy followers"},
					{Seq: 3, Sender: "bob", Text: "please stop"},
					{Seq: 4, Sender: "spammer", Text: "last chance"},
				}},
				{GroupID: testTencentIMCommunity, Type: "Community", Topics: []string{testTencentIMTopicNews, testTencentIMTopicChat},
					Messages: []emulator.TencentIMMessage{
						{Seq: 1, Sender: "spammer", Text: "in the community itself"},
						{Seq: 1, Sender: "spammer", Text: "in news", TopicID: testTencentIMTopicNews},
						{Seq: 2, Sender: "alice", Text: "in news", TopicID: testTencentIMTopicNews},
						{Seq: 1, Sender: "spammer", Text: "in chat", TopicID: testTencentIMTopicChat},
					}},
				{GroupID: testTencentIMLive, Type: "AVChatRoom", Messages: []emulator.TencentIMMessage{
					{Seq: 1, Sender: "spammer", Text: "live spam"},
				}},
			},
		},
	}
}

// providerConfig configures every vendor against the emulator at baseURL.
func providerConfig(baseURL string) string {
	return fmt.Sprintf(`
provider "imops" {
  max_retries = 2
  rongcloud {
    app_key    = %q
    app_secret = %q
    api_urls   = [%q]
  }
  tencentim {
    sdk_app_id = %d
    identifier = %q
    secret_key = %q
    api_urls   = [%q]
  }
  easemob {
    api_url       = %q
    org_name      = %q
    app_name      = %q
    client_id     = %q
    client_secret = %q
  }
}
`, testRongCloudAppKey, testRongCloudAppSecret, baseURL+"/rongcloud",
		testTencentIMSDKAppID, testTencentIMIdentifier, testTencentIMSecretKey, baseURL+"/tencentim",
		baseURL+"/easemob", testEasemobOrgName, testEasemobAppName, testEasemobClientID, testEasemobClientSecret)
}

// hclSet renders Go strings as an HCL list literal.
func hclSet(items []string) string {
	quoted := make([]string, len(items))
	for i, s := range items {
		quoted[i] = fmt.Sprintf("%q", s)
	}
	return "[" + strings.Join(quoted, ", ") + "]"
}
