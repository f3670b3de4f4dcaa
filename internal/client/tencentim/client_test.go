package tencentim_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"

	"github.com/imops/terraform-provider-imops/internal/client"
	"github.com/imops/terraform-provider-imops/internal/client/tencentim"
)

const (
	mockAppID      uint64 = 1400000001
	mockSecretKey         = "mock-secret-key-0123456789abcdef"
	mockIdentifier        = "administrator"
	mockPrimary           = "https://console.tim.qq.com"
	mockBackup            = "https://adminapi.my-imcloud.com"
	recallPath            = "/v4/group_open_http_svc/delete_group_msg_by_sender"

	answerOK = `{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}`
)

// fakeClock is a settable clock shared by the client (UserSig issue times) and the test.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{now: time.Unix(1763856000, 0)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// sent is what one request carried, as the mock saw it.
type sent struct {
	url         *url.URL
	contentType string
	body        string
}

// mockAPI records every request and answers with the next body in line (the last one
// repeats), so a test scripts a sequence such as "rate-limited, then OK".
type mockAPI struct {
	mu       sync.Mutex
	requests []sent
}

func (m *mockAPI) responder(bodies ...string) httpmock.Responder {
	return func(r *http.Request) (*http.Response, error) {
		data, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, err
		}
		m.mu.Lock()
		defer m.mu.Unlock()
		m.requests = append(m.requests, sent{url: r.URL, contentType: r.Header.Get("Content-Type"), body: string(data)})
		body := bodies[min(len(m.requests), len(bodies))-1]
		return httpmock.NewStringResponse(http.StatusOK, body), nil
	}
}

func (m *mockAPI) sent() []sent {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]sent(nil), m.requests...)
}

// lineLogger keeps the transport's log lines as text.
type lineLogger struct {
	mu    sync.Mutex
	lines []string
}

func (l *lineLogger) Debug(_ context.Context, msg string, fields map[string]any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fmt.Sprintf("%s %v", msg, fields))
}

func (l *lineLogger) text() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

type clientOptions struct {
	userSig  string
	bases    []string
	clock    *fakeClock
	logger   client.Logger
	validity time.Duration
	// now replaces clock.Now when set.
	now func() time.Time
	// retryTimeout replaces the default retry budget.
	retryTimeout time.Duration
}

// newMockClient builds a client whose HTTP goes to a dedicated httpmock transport and whose
// backoff waits are skipped.
func newMockClient(t *testing.T, opts clientOptions) (*tencentim.Client, *httpmock.MockTransport) {
	t.Helper()
	if len(opts.bases) == 0 {
		opts.bases = []string{mockPrimary}
	}
	if opts.clock == nil {
		opts.clock = newFakeClock()
	}
	var baseURLs []*url.URL
	for _, raw := range opts.bases {
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		baseURLs = append(baseURLs, u)
	}
	mock := httpmock.NewMockTransport()
	cfg := tencentim.Config{
		SDKAppID: mockAppID, Identifier: mockIdentifier, UserSig: opts.userSig,
		Transport: client.Config{
			BaseURLs: baseURLs, HTTPClient: &http.Client{Transport: mock}, Logger: opts.logger,
			Settings: client.Settings{RetryTimeout: opts.retryTimeout},
			Sleep:    func(context.Context, time.Duration) error { return nil },
		},
		Now:             opts.clock.Now,
		UserSigValidity: opts.validity,
	}
	if opts.now != nil {
		cfg.Now = opts.now
	}
	if opts.userSig == "" {
		cfg.SecretKey = mockSecretKey
	}
	c, err := tencentim.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c, mock
}

func recallURL(base string) string { return base + recallPath }

func failure(code int, info string) string {
	return fmt.Sprintf(`{"ActionStatus":"FAIL","ErrorInfo":%q,"ErrorCode":%d}`, info, code)
}

func TestDeleteGroupMessagesBySenderSendsExactRequest(t *testing.T) {
	clock := newFakeClock()
	c, mock := newMockClient(t, clientOptions{clock: clock})
	api := &mockAPI{}
	mock.RegisterResponder(http.MethodPost, recallURL(mockPrimary), api.responder(answerOK))

	for range 2 {
		if err := c.DeleteGroupMessagesBySender(context.Background(), "@TGS#2C5SZEAEF", "leckie", ""); err != nil {
			t.Fatal(err)
		}
	}

	requests := api.sent()
	if len(requests) != 2 {
		t.Fatalf("sent %d requests, want 2", len(requests))
	}
	var randoms []string
	for i, req := range requests {
		if req.url.Path != recallPath {
			t.Errorf("request %d path = %s, want %s", i, req.url.Path, recallPath)
		}
		q := req.url.Query()
		var keys []string
		for k := range q {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		if got, want := strings.Join(keys, ","), "contenttype,identifier,random,sdkappid,usersig"; got != want {
			t.Errorf("request %d query keys = %s, want %s", i, got, want)
		}
		if q.Get("sdkappid") != "1400000001" || q.Get("identifier") != mockIdentifier || q.Get("contenttype") != "json" {
			t.Errorf("request %d query = %v", i, q)
		}
		claims, err := tencentim.VerifyUserSig(q.Get("usersig"), mockAppID, mockSecretKey, mockIdentifier, clock.Now())
		if err != nil {
			t.Errorf("request %d usersig does not verify: %v", i, err)
		} else if claims.Expire != tencentim.DefaultUserSigValidity {
			t.Errorf("request %d usersig lives %s, want %s", i, claims.Expire, tencentim.DefaultUserSigValidity)
		}
		if _, err := strconv.ParseUint(q.Get("random"), 10, 32); err != nil {
			t.Errorf("request %d random %q is not an unsigned 32-bit integer", i, q.Get("random"))
		}
		randoms = append(randoms, q.Get("random"))
		if req.contentType != "application/json" {
			t.Errorf("request %d Content-Type = %q", i, req.contentType)
		}
		if want := `{"GroupId":"@TGS#2C5SZEAEF","Sender_Account":"leckie"}`; req.body != want {
			t.Errorf("request %d body = %s, want %s (no TopicId when unset)", i, req.body, want)
		}
	}
	if randoms[0] == randoms[1] {
		t.Errorf("both calls sent random=%s; it must be fresh for every request", randoms[0])
	}
}

func TestDeleteGroupMessagesBySenderSendsTopicWhenGiven(t *testing.T) {
	c, mock := newMockClient(t, clientOptions{})
	api := &mockAPI{}
	mock.RegisterResponder(http.MethodPost, recallURL(mockPrimary), api.responder(answerOK))

	if err := c.DeleteGroupMessagesBySender(context.Background(), "@TGS#_community", "leckie", "@TGS#_community@TOPIC#_news"); err != nil {
		t.Fatal(err)
	}
	requests := api.sent()
	if len(requests) != 1 {
		t.Fatalf("sent %d requests, want 1", len(requests))
	}
	var body map[string]string
	if err := json.Unmarshal([]byte(requests[0].body), &body); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"GroupId": "@TGS#_community", "Sender_Account": "leckie", "TopicId": "@TGS#_community@TOPIC#_news"}
	if fmt.Sprint(body) != fmt.Sprint(want) {
		t.Errorf("body = %v, want %v", body, want)
	}
}

// Tencent answers HTTP 200 for refusals; the verdict is in the body, with a hint where one
// helps. None of these is worth a second attempt.
func TestFailuresAtHTTP200AreAPIErrors(t *testing.T) {
	for _, tc := range []struct {
		code     int
		info     string
		wantHint string
	}{
		{10010, "group id invalid or not exist", "check group_id"},
		{10015, "invalid group id", "check group_id"},
		{60010, "need app admin", "administrator"},
		{60006, "invalid sdkappid", "sdk_app_id"},
		{70016, "key expired or not exist", "region"},
		{70020, "sdkappid not found", "region"},
		{70013, "identifier not match usersig", "user_sig"},
		{60021, "ip not allowed", "IP allowlist"},
	} {
		t.Run(strconv.Itoa(tc.code), func(t *testing.T) {
			c, mock := newMockClient(t, clientOptions{})
			api := &mockAPI{}
			mock.RegisterResponder(http.MethodPost, recallURL(mockPrimary), api.responder(failure(tc.code, tc.info)))

			err := c.DeleteGroupMessagesBySender(context.Background(), "@TGS#1", "spammer", "")
			var apiErr *client.APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("error %v (%T) is not an *client.APIError", err, err)
			}
			if apiErr.Code != strconv.Itoa(tc.code) || apiErr.Message != tc.info || apiErr.HTTPStatus != http.StatusOK || apiErr.Vendor != tencentim.Vendor {
				t.Errorf("APIError = %+v", apiErr)
			}
			if !strings.Contains(apiErr.Hint, tc.wantHint) {
				t.Errorf("hint %q does not mention %q", apiErr.Hint, tc.wantHint)
			}
			if apiErr.Retryable || apiErr.RateLimited {
				t.Errorf("code %d marked retryable", tc.code)
			}
			if n := len(api.sent()); n != 1 {
				t.Errorf("sent %d requests, want 1: a permanent refusal is not retried", n)
			}
		})
	}
}

func TestRateLimitAndInternalErrorsAreRetried(t *testing.T) {
	for _, code := range []int{60007, 60011, 60018, 60019, 10002} {
		t.Run(strconv.Itoa(code), func(t *testing.T) {
			c, mock := newMockClient(t, clientOptions{})
			api := &mockAPI{}
			mock.RegisterResponder(http.MethodPost, recallURL(mockPrimary), api.responder(failure(code, "slow down"), answerOK))

			if err := c.DeleteGroupMessagesBySender(context.Background(), "@TGS#1", "spammer", ""); err != nil {
				t.Fatalf("want success after one retry, got %v", err)
			}
			requests := api.sent()
			if len(requests) != 2 {
				t.Fatalf("sent %d requests, want 2", len(requests))
			}
			if requests[0].url.Query().Get("random") == requests[1].url.Query().Get("random") {
				t.Error("the retry reused the first attempt's random value")
			}
		})
	}
}

func TestRateLimitedErrorIsMarked(t *testing.T) {
	c, mock := newMockClient(t, clientOptions{})
	api := &mockAPI{}
	mock.RegisterResponder(http.MethodPost, recallURL(mockPrimary), api.responder(failure(60007, "freq limit")))

	err := c.DeleteGroupMessagesBySender(context.Background(), "@TGS#1", "spammer", "")
	var apiErr *client.APIError
	if !errors.As(err, &apiErr) || !apiErr.RateLimited || !apiErr.Retryable || !strings.Contains(apiErr.Hint, "requests_per_second") {
		t.Fatalf("want a rate-limited APIError with a requests_per_second hint, got %v", err)
	}
	// Retried until the retry budget ran out: far more than the old fixed 4 retries.
	if n := len(api.sent()); n <= 5 {
		t.Errorf("sent %d requests, want retries until retry_timeout ran out", n)
	}
}

// 70050 asks for a minute's pause. Within the default one-minute retry budget there is no
// room for it, so the call gives up at once and says why; a longer budget waits it out.
func TestVerificationLockoutWaitsOnlyWithinTheBudget(t *testing.T) {
	c, mock := newMockClient(t, clientOptions{})
	api := &mockAPI{}
	mock.RegisterResponder(http.MethodPost, recallURL(mockPrimary), api.responder(failure(70050, "locked"), answerOK))
	err := c.DeleteGroupMessagesBySender(context.Background(), "@TGS#1", "spammer", "")
	if err == nil || !strings.Contains(err.Error(), "retry_timeout") || len(api.sent()) != 1 {
		t.Fatalf("default budget: err = %v after %d requests, want one request and a retry_timeout explanation", err, len(api.sent()))
	}

	c, mock = newMockClient(t, clientOptions{retryTimeout: 2 * time.Minute})
	api = &mockAPI{}
	mock.RegisterResponder(http.MethodPost, recallURL(mockPrimary), api.responder(failure(70050, "locked"), answerOK))
	if err := c.DeleteGroupMessagesBySender(context.Background(), "@TGS#1", "spammer", ""); err != nil || len(api.sent()) != 2 {
		t.Fatalf("2m budget: err = %v after %d requests, want success on the second", err, len(api.sent()))
	}
}

// A UserSig the server calls expired is regenerated exactly once and the call sent again.
func TestExpiredUserSigIsRegeneratedOnce(t *testing.T) {
	clock := newFakeClock()
	c, mock := newMockClient(t, clientOptions{clock: clock})
	api := &mockAPI{}
	expiredThenOK := func(r *http.Request) (*http.Response, error) {
		resp, err := api.responder(failure(70001, "usersig expired"), answerOK)(r)
		// Time moves on between the two attempts, so a regenerated UserSig differs visibly.
		clock.Advance(time.Minute)
		return resp, err
	}
	mock.RegisterResponder(http.MethodPost, recallURL(mockPrimary), expiredThenOK)

	if err := c.DeleteGroupMessagesBySender(context.Background(), "@TGS#1", "spammer", ""); err != nil {
		t.Fatal(err)
	}
	requests := api.sent()
	if len(requests) != 2 {
		t.Fatalf("sent %d requests, want 2", len(requests))
	}
	first, second := requests[0].url.Query().Get("usersig"), requests[1].url.Query().Get("usersig")
	if first == second {
		t.Fatal("the retry after 70001 reused the refused UserSig")
	}
	claims, err := tencentim.VerifyUserSig(second, mockAppID, mockSecretKey, mockIdentifier, clock.Now())
	if err != nil {
		t.Fatalf("regenerated UserSig does not verify: %v", err)
	}
	if want := clock.Now().Add(-time.Minute); !claims.IssuedAt.Equal(want) {
		t.Errorf("regenerated UserSig issued at %s, want %s", claims.IssuedAt, want)
	}

	// The regenerated UserSig is the one kept for later calls.
	if err := c.DeleteGroupMessagesBySender(context.Background(), "@TGS#1", "spammer", ""); err != nil {
		t.Fatal(err)
	}
	if third := api.sent()[2].url.Query().Get("usersig"); third != second {
		t.Error("the next call generated yet another UserSig instead of reusing the renewed one")
	}
}

func TestExpiredUserSigTwiceGivesUp(t *testing.T) {
	c, mock := newMockClient(t, clientOptions{})
	api := &mockAPI{}
	mock.RegisterResponder(http.MethodPost, recallURL(mockPrimary), api.responder(failure(70001, "usersig expired")))

	err := c.DeleteGroupMessagesBySender(context.Background(), "@TGS#1", "spammer", "")
	var apiErr *client.APIError
	if !errors.As(err, &apiErr) || apiErr.Code != "70001" || !strings.Contains(apiErr.Hint, "clock") {
		t.Fatalf("want 70001 with a hint about the clock, got %v", err)
	}
	if n := len(api.sent()); n != 2 {
		t.Errorf("sent %d requests, want 2 (one regeneration only)", n)
	}
}

// A given UserSig is sent as it is and never replaced; when it expires, the error says so.
func TestGivenUserSigIsUsedAsIs(t *testing.T) {
	clock := newFakeClock()
	given, err := tencentim.GenerateUserSig(mockAppID, "someone-elses-key-1234", mockIdentifier, clock.Now(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	c, mock := newMockClient(t, clientOptions{userSig: given, clock: clock})
	api := &mockAPI{}
	mock.RegisterResponder(http.MethodPost, recallURL(mockPrimary), api.responder(answerOK, failure(70001, "usersig expired")))

	if err := c.DeleteGroupMessagesBySender(context.Background(), "@TGS#1", "spammer", ""); err != nil {
		t.Fatal(err)
	}
	clock.Advance(2 * time.Hour)
	err = c.DeleteGroupMessagesBySender(context.Background(), "@TGS#1", "spammer", "")
	var apiErr *client.APIError
	if !errors.As(err, &apiErr) || apiErr.Code != "70001" || !strings.Contains(apiErr.Hint, "user_sig given in the provider configuration has expired") {
		t.Fatalf("want 70001 saying the given user_sig expired, got %v", err)
	}
	requests := api.sent()
	if len(requests) != 2 {
		t.Fatalf("sent %d requests, want 2 (no retry with a given user_sig)", len(requests))
	}
	for i, req := range requests {
		if got := req.url.Query().Get("usersig"); got != given {
			t.Errorf("request %d usersig = %q, want the given one", i, got)
		}
	}
}

// A generated UserSig is reused until a tenth of its validity is left, then renewed: the
// margin grows with the lifetime.
func TestGeneratedUserSigIsCachedThenRenewed(t *testing.T) {
	for _, tc := range []struct {
		name                 string
		validity             time.Duration
		stillReused, renewed time.Duration
	}{
		{"a day: renewed with 2h24m left", 24 * time.Hour, 21*time.Hour + 36*time.Minute - time.Second, 21*time.Hour + 36*time.Minute},
		{"one minute: renewed with 6s left", time.Minute, 53 * time.Second, 54 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clock := newFakeClock()
			c, mock := newMockClient(t, clientOptions{clock: clock, validity: tc.validity})
			api := &mockAPI{}
			mock.RegisterResponder(http.MethodPost, recallURL(mockPrimary), api.responder(answerOK))
			for _, advance := range []time.Duration{0, tc.stillReused, tc.renewed - tc.stillReused} {
				clock.Advance(advance)
				if err := c.DeleteGroupMessagesBySender(context.Background(), "@TGS#1", "spammer", ""); err != nil {
					t.Fatal(err)
				}
			}
			requests := api.sent()
			sig := func(i int) string { return requests[i].url.Query().Get("usersig") }
			if sig(0) != sig(1) {
				t.Errorf("regenerated at %s, before a tenth of its validity was left", tc.stillReused)
			}
			if sig(1) == sig(2) {
				t.Errorf("reused at %s, with a tenth of its validity left", tc.renewed)
			}
			if _, err := tencentim.VerifyUserSig(sig(2), mockAppID, mockSecretKey, mockIdentifier, clock.Now().Add(tc.validity*9/10)); err != nil {
				t.Errorf("the renewed UserSig does not last its own validity: %v", err)
			}
		})
	}
}

// Calls that all find the UserSig due share one renewal. The clock moves a second on every
// reading, so two generations would give two different UserSigs.
func TestUserSigRenewedOnceForConcurrentCalls(t *testing.T) {
	var (
		mu  sync.Mutex
		now = time.Unix(1763856000, 0)
	)
	ticking := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		now = now.Add(time.Second)
		return now
	}
	c, mock := newMockClient(t, clientOptions{clock: &fakeClock{now: now}, now: ticking})
	api := &mockAPI{}
	mock.RegisterResponder(http.MethodPost, recallURL(mockPrimary), api.responder(answerOK))
	if err := c.DeleteGroupMessagesBySender(context.Background(), "@TGS#1", "spammer", ""); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	now = now.Add(tencentim.DefaultUserSigValidity * 9 / 10)
	mu.Unlock()
	const callers = 25
	var wg sync.WaitGroup
	for range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := c.DeleteGroupMessagesBySender(context.Background(), "@TGS#1", "spammer", ""); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	userSigs := map[string]int{}
	for _, req := range api.sent() {
		userSigs[req.url.Query().Get("usersig")]++
	}
	if len(userSigs) != 2 {
		t.Errorf("%d distinct UserSigs for one first call and %d concurrent ones past the renewal point, want 2", len(userSigs), callers)
	}
}

func TestFailoverToBackupURL(t *testing.T) {
	for _, tc := range []struct {
		name      string
		responder httpmock.Responder
	}{
		{"502", httpmock.NewStringResponder(http.StatusBadGateway, "<html>502 Bad Gateway</html>")},
		{"connection reset", httpmock.NewErrorResponder(&net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, mock := newMockClient(t, clientOptions{bases: []string{mockPrimary, mockBackup}})
			api := &mockAPI{}
			mock.RegisterResponder(http.MethodPost, recallURL(mockPrimary), tc.responder)
			mock.RegisterResponder(http.MethodPost, recallURL(mockBackup), api.responder(answerOK))

			if err := c.DeleteGroupMessagesBySender(context.Background(), "@TGS#1", "spammer", ""); err != nil {
				t.Fatal(err)
			}
			if n := mock.GetCallCountInfo()["POST "+recallURL(mockPrimary)]; n != 1 {
				t.Errorf("primary got %d calls, want 1", n)
			}
			if n := len(api.sent()); n != 1 {
				t.Errorf("backup got %d calls, want 1", n)
			}
		})
	}
}

func TestAnswerThatIsNotTencentJSON(t *testing.T) {
	c, mock := newMockClient(t, clientOptions{})
	mock.RegisterResponder(http.MethodPost, recallURL(mockPrimary), httpmock.NewStringResponder(http.StatusOK, "<html>welcome to nginx</html>"))

	err := c.DeleteGroupMessagesBySender(context.Background(), "@TGS#1", "spammer", "")
	var apiErr *client.APIError
	if !errors.As(err, &apiErr) || apiErr.Retryable || !strings.Contains(apiErr.Hint, "api_urls") {
		t.Fatalf("want a permanent APIError pointing at api_urls, got %v", err)
	}
	if n := mock.GetTotalCallCount(); n != 1 {
		t.Errorf("sent %d requests, want 1", n)
	}
}

// Neither the secret key nor a UserSig may reach a log line, even when the answer echoes them.
func TestLogsHideCredentials(t *testing.T) {
	logger := &lineLogger{}
	c, mock := newMockClient(t, clientOptions{logger: logger})
	api := &mockAPI{}
	mock.RegisterResponder(http.MethodPost, recallURL(mockPrimary), func(r *http.Request) (*http.Response, error) {
		// An answer that echoes the credentials, as a misbehaving gateway might.
		_, _ = api.responder(answerOK)(r)
		echo := fmt.Sprintf("key=%s sig=%s", mockSecretKey, r.URL.Query().Get("usersig"))
		return httpmock.NewStringResponse(http.StatusOK, failure(10004, echo)), nil
	})

	err := c.DeleteGroupMessagesBySender(context.Background(), "@TGS#1", "spammer", "")
	if err == nil {
		t.Fatal("want an error")
	}
	userSig := api.sent()[0].url.Query().Get("usersig")
	text := logger.text()
	if !strings.Contains(text, "usersig=%2A%2A%2A") || !strings.Contains(text, "delete_group_msg_by_sender") {
		t.Fatalf("log lacks the masked request line:\n%s", text)
	}
	for _, secret := range []string{mockSecretKey, userSig, url.QueryEscape(userSig)} {
		if strings.Contains(text, secret) {
			t.Errorf("log contains %q:\n%s", secret, text)
		}
	}
}

func TestNewRefusesIncompleteConfig(t *testing.T) {
	base, _ := url.Parse(mockPrimary)
	transport := client.Config{BaseURLs: []*url.URL{base}}
	for name, cfg := range map[string]tencentim.Config{
		"no app ID":        {Identifier: mockIdentifier, SecretKey: mockSecretKey, Transport: transport},
		"no identifier":    {SDKAppID: mockAppID, SecretKey: mockSecretKey, Transport: transport},
		"no credential":    {SDKAppID: mockAppID, Identifier: mockIdentifier, Transport: transport},
		"both credentials": {SDKAppID: mockAppID, Identifier: mockIdentifier, SecretKey: mockSecretKey, UserSig: "sig", Transport: transport},
		"short validity":   {SDKAppID: mockAppID, Identifier: mockIdentifier, SecretKey: mockSecretKey, UserSigValidity: time.Second, Transport: transport},
	} {
		if _, err := tencentim.New(cfg); err == nil {
			t.Errorf("%s: New accepted it", name)
		}
	}
}

func TestRegionURLs(t *testing.T) {
	if got := tencentim.Regions(); len(got) != 8 || got[0] != tencentim.DefaultRegion {
		t.Errorf("Regions() = %v, want 8 names with %s first", got, tencentim.DefaultRegion)
	}
	for region, want := range map[string][]string{
		"china":          {"https://console.tim.qq.com", "https://adminapi.my-imcloud.com"},
		"singapore":      {"https://adminapisgp.im.qcloud.com", "https://adminapisgp.my-imcloud.com"},
		"silicon_valley": {"https://adminapiusa.im.qcloud.com", "https://adminapiusa.my-imcloud.com"},
		"jakarta":        {"https://adminapiidn.im.qcloud.com", "https://adminapiidn.my-imcloud.com"},
	} {
		got, err := tencentim.RegionURLs(region)
		if err != nil || fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("RegionURLs(%q) = %v, %v; want %v", region, got, err, want)
		}
	}
	if _, err := tencentim.RegionURLs("mars"); err == nil || !strings.Contains(err.Error(), "silicon_valley") {
		t.Errorf("unknown region error should list the valid ones, got %v", err)
	}
}

// 70050 means too many failed verifications: Tencent asks for a minute's pause, which the
// retry must respect rather than adding failures within seconds.
func TestTooManyVerificationFailuresWaitsAMinute(t *testing.T) {
	c, mock := newMockClient(t, clientOptions{})
	api := &mockAPI{}
	mock.RegisterResponder(http.MethodPost, recallURL(mockPrimary), api.responder(failure(70050, "too many failures")))
	err := c.DeleteGroupMessagesBySender(context.Background(), "@TGS#1", "spammer", "")
	var apiErr *client.APIError
	if !errors.As(err, &apiErr) || apiErr.RetryAfter != time.Minute {
		t.Fatalf("want an APIError asking for a one-minute wait, got %v (%#v)", err, apiErr)
	}
}

// A call whose first round got a 502 (it may have taken effect) and then a 70001 is sent once
// more with a new UserSig; when that one is refused outright, the call as a whole still may
// have taken effect, and must say so: the 502's request may have recalled the messages.
func TestResendAfterExpiredUserSigKeepsAnEarlierUnknownOutcome(t *testing.T) {
	c, mock := newMockClient(t, clientOptions{})
	answers := []*http.Response{
		httpmock.NewStringResponse(http.StatusBadGateway, "<html>bad gateway</html>"),
		httpmock.NewStringResponse(http.StatusOK, failure(70001, "usersig expired")),
		httpmock.NewStringResponse(http.StatusOK, failure(10004, "invalid parameter")),
	}
	calls := 0
	mock.RegisterResponder(http.MethodPost, recallURL(mockPrimary), func(*http.Request) (*http.Response, error) {
		calls++
		return answers[min(calls, len(answers))-1], nil
	})
	err := c.DeleteGroupMessagesBySender(context.Background(), "@TGS#1", "spammer", "")
	if err == nil || calls != 3 {
		t.Fatalf("after %d requests: %v, want the 10004 of the third", calls, err)
	}
	if !client.OutcomeUnknown(err) {
		t.Errorf("the call reads as certainly not carried out, but its first request got a 502: %v", err)
	}
}
