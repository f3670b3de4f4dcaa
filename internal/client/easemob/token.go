package easemob

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/imops/terraform-provider-imops/internal/client"
)

// issuedToken is one answer of the token endpoint.
type issuedToken struct {
	value string
	// lifetime is zero when Easemob did not say; such a token is kept until it is refused.
	lifetime time.Duration
}

// tokenSource hands out the app token. Fetched tokens are cached and renewed when a tenth of
// their lifetime is left (client.RenewAt); concurrent callers that find no usable token wait
// on a single fetch, because Easemob bans accounts that ask for tokens too often.
type tokenSource struct {
	// fixed marks a user-supplied token, which is never renewed.
	fixed  bool
	now    func() time.Time
	fetch  func(ctx context.Context) (issuedToken, error)
	flight singleflight.Group

	mu      sync.Mutex
	current string
	// renewAt is when current should be replaced; zero means "until Easemob refuses it".
	renewAt time.Time
	// expiresAt is when current stops working, by the lifetime Easemob gave; zero if none.
	expiresAt time.Time
}

// renewalRetryWait is the most a token that could not be renewed is used before the next
// try: renewal starts well before expiry, so a token endpoint that is down for a while
// need not fail the calls a still-valid token can make.
const renewalRetryWait = time.Minute

func fixedToken(token string) *tokenSource {
	return &tokenSource{fixed: true, current: token}
}

func newTokenSource(now func() time.Time, fetch func(ctx context.Context) (issuedToken, error)) *tokenSource {
	return &tokenSource{now: now, fetch: fetch}
}

// Token returns a usable token, fetching one if needed. A caller whose context ends stops
// waiting, but the fetch itself carries on for the others.
func (s *tokenSource) Token(ctx context.Context) (string, error) {
	if token, ok := s.cached(); ok {
		return token, nil
	}
	result := s.flight.DoChan("token", func() (any, error) {
		// A fetch that finished between our check and this flight already did the work.
		if token, ok := s.cached(); ok {
			return token, nil
		}
		requestedAt := s.now()
		issued, err := s.fetch(context.WithoutCancel(ctx))
		if err != nil {
			if token, ok := s.keepUntilRenewed(); ok {
				return token, nil
			}
			return "", err
		}
		s.store(issued, requestedAt)
		return issued.value, nil
	})
	select {
	case <-ctx.Done():
		return "", ctx.Err()
	case r := <-result:
		if r.Err != nil {
			return "", r.Err
		}
		return r.Val.(string), nil
	}
}

func (s *tokenSource) cached() (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.current == "" {
		return "", false
	}
	if s.fixed || s.renewAt.IsZero() || s.now().Before(s.renewAt) {
		return s.current, true
	}
	return "", false
}

// keepUntilRenewed is the answer to a failed renewal: the current token, while it has not
// expired, with the next renewal put off by at most renewalRetryWait (and half its remaining
// life), so the calls go on and the endpoint is not asked again by every one of them.
func (s *tokenSource) keepUntilRenewed() (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if s.current == "" || s.expiresAt.IsZero() || !now.Before(s.expiresAt) {
		return "", false
	}
	s.renewAt = now.Add(min(renewalRetryWait, s.expiresAt.Sub(now)/2))
	return s.current, true
}

// store keeps a fresh token. Its lifetime counts from when it was requested, not received,
// so a slow answer cannot make us keep it past its real expiry.
func (s *tokenSource) store(issued issuedToken, requestedAt time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.current, s.renewAt, s.expiresAt = issued.value, time.Time{}, time.Time{}
	if issued.lifetime > 0 {
		s.renewAt = client.RenewAt(requestedAt, issued.lifetime)
		s.expiresAt = requestedAt.Add(issued.lifetime)
	}
}

// Invalidate drops token after Easemob refused it. Only the token that was refused is
// dropped: when many calls fail with the same token at once, the first one to get here
// causes the single re-fetch and the rest pick up its result.
func (s *tokenSource) Invalidate(token string) {
	if s.fixed {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.current == token {
		s.current = ""
	}
}

// tokenRequest is the body of POST {base}/token.
type tokenRequest struct {
	GrantType    string `json:"grant_type"`
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
	TTL          int64  `json:"ttl,omitempty"`
}

// tokenAnswer is the token endpoint's success answer.
type tokenAnswer struct {
	AccessToken string `json:"access_token"`
	ExpiresIn   int64  `json:"expires_in"`
	Application string `json:"application"`
}

// fetchToken asks Easemob for an app token with the client credentials.
func (c *Client) fetchToken(ctx context.Context, clientID, clientSecret string, ttl time.Duration) (issuedToken, error) {
	body, err := json.Marshal(tokenRequest{
		GrantType: "client_credentials", ClientID: clientID, ClientSecret: clientSecret, TTL: int64(ttl / time.Second),
	})
	if err != nil {
		return issuedToken{}, err
	}
	resp, err := c.transport.Do(ctx, &client.Request{
		Operation:   "fetch an app token",
		Method:      http.MethodPost,
		Path:        c.appPath + "/token",
		Body:        body,
		ContentType: "application/json",
		Policy:      client.RetryTransient,
		Check:       checkTokenResponse,
	})
	if err != nil {
		return issuedToken{}, err
	}
	var answer tokenAnswer
	_ = json.Unmarshal(resp.Body, &answer) // checkTokenResponse accepted it, so it parses.
	// The transport masked the token field when it logged the answer; registering the value
	// masks it wherever else it might appear (an echo in an error message).
	c.transport.Redactor().Add(answer.AccessToken)
	return issuedToken{value: answer.AccessToken, lifetime: time.Duration(answer.ExpiresIn) * time.Second}, nil
}

func checkTokenResponse(resp *http.Response, body []byte) error {
	if resp.StatusCode != http.StatusOK {
		apiErr := errorFromAnswer(resp, body)
		if apiErr.Code == "illegal_argument" { // documented for the token request only
			apiErr.Hint = "Easemob refused the token request; check client_id and client_secret"
		}
		return apiErr
	}
	var answer tokenAnswer
	if err := json.Unmarshal(body, &answer); err != nil || answer.AccessToken == "" {
		return &client.APIError{
			Vendor: Vendor, HTTPStatus: resp.StatusCode, Message: "the token answer carried no access_token",
			Hint: "check that api_url is the REST host of the app's cluster shown in the Easemob console",
		}
	}
	return nil
}
