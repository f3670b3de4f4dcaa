package client

import (
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
)

const mask = "***"

// sensitiveHeaders and sensitiveQuery are masked by name whatever their value, so a secret the
// redactor was never told about (a token the server just issued) still stays out of the logs.
var (
	sensitiveHeaders = map[string]bool{"Authorization": true, "Signature": true, "App-Secret": true}
	sensitiveQuery   = map[string]bool{"usersig": true, "client_secret": true, "access_token": true}
	// sensitiveJSON matches credential fields in JSON bodies, such as a token answer that is
	// logged before anyone could register the token it carries.
	sensitiveJSON = regexp.MustCompile(`("(?i:access_token|client_secret|app_token|usersig|secret_key)"\s*:\s*)"(?:[^"\\]|\\.)*"`)
)

// Redactor masks secrets in text bound for logs or error messages. Known secret values are
// replaced wherever they appear; sensitive headers and query parameters are masked by name.
type Redactor struct {
	mu      sync.RWMutex
	secrets []string
}

// NewRedactor returns a redactor that masks the given values (empty ones are ignored).
func NewRedactor(secrets ...string) *Redactor {
	r := &Redactor{}
	r.Add(secrets...)
	return r
}

// Add registers more secret values, such as a token fetched at run time.
func (r *Redactor) Add(secrets ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range secrets {
		// Very short values would mask innocent text everywhere; real secrets are long.
		if len(s) >= 4 {
			r.secrets = append(r.secrets, s, url.QueryEscape(s))
		}
	}
	// Longest first, so a secret that contains another is masked whole.
	sort.Slice(r.secrets, func(i, j int) bool { return len(r.secrets[i]) > len(r.secrets[j]) })
}

// String masks every known secret in s, and the values of credential fields in JSON.
func (r *Redactor) String(s string) string {
	s = sensitiveJSON.ReplaceAllString(s, `${1}"`+mask+`"`)
	r.mu.RLock()
	defer r.mu.RUnlock()
	for _, secret := range r.secrets {
		s = strings.ReplaceAll(s, secret, mask)
	}
	return s
}

// URL renders u with sensitive query parameters masked and known secrets removed.
func (r *Redactor) URL(u *url.URL) string {
	c := *u
	c.User = nil
	q := c.Query()
	for k := range q {
		if sensitiveQuery[strings.ToLower(k)] {
			q.Set(k, mask)
		}
	}
	c.RawQuery = q.Encode()
	return r.String(c.String())
}

// Headers returns a copy of h, flattened for logging, with sensitive headers masked.
func (r *Redactor) Headers(h http.Header) map[string]string {
	out := make(map[string]string, len(h))
	for k, vs := range h {
		if sensitiveHeaders[http.CanonicalHeaderKey(k)] {
			out[k] = mask
			continue
		}
		out[k] = r.String(strings.Join(vs, ", "))
	}
	return out
}
