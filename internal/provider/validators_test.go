package provider

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func TestEasemobUserIDProblem(t *testing.T) {
	for id, want := range map[string]string{
		"alice":                   "",
		"bob.smith_2-x":           "",
		strings.Repeat("a", 64):   "",
		"Bob":                     `has capital letters; Easemob folds user IDs to lowercase, so write it in lowercase instead`,
		"ALICE.B":                 `write it in lowercase instead`,
		"Bob/x":                   `holds '/' at byte 4. Easemob user IDs are at most 64 bytes`,
		strings.Repeat("A", 65):   "is 65 bytes long; the most is 64",
		"\u212a":                  "holds the non-ASCII character", // the Kelvin sign lowercases to "k": no advice to write that
		"bob\u00a0":               "holds the control or white-space character U+00A0",
		"bob\x00":                 "holds the control or white-space character U+0000",
		"bob\n":                   "holds a line break",
		"":                        "is empty",
		"..":                      `is "..", which a URL reads as a path step`,
		"bob%2Falice":             "holds '%' at byte 4",
		"b\tob":                   "holds a tab at byte 2",
		"bob?userId=carol#frag x": "holds '?' at byte 4",
	} {
		got := easemobUserIDProblem(id)
		if want == "" && got != "" || want != "" && !strings.Contains(got, want) {
			t.Errorf("easemobUserIDProblem(%q) = %q, want it to contain %q", id, got, want)
		}
		if want != "" && len(id) > 3 && (strings.Contains(got, id) || strings.Contains(got, strings.ToLower(id))) {
			t.Errorf("easemobUserIDProblem(%q) repeats the ID: %q", id, got)
		}
	}
}

// The per-element checks of the bulk lists, for their list validators.
func TestListElementProblems(t *testing.T) {
	for id, want := range map[string]string{
		"1159999999999999999":    "",
		"ab-1":                   "",
		strings.Repeat("9", 64):  "",
		strings.Repeat("9", 65):  "is 65 characters long",
		strings.Repeat("9", 1e4): "is 10000 characters long",
		"":                       "is empty",
		"1,2":                    "holds a comma",
		"1 ":                     "white space",
		"1\r":                    "control character",
	} {
		if got := easemobMessageIDProblem(id); want == "" && got != "" || want != "" && !strings.Contains(got, want) {
			t.Errorf("easemobMessageIDProblem(%.20q) = %q, want it to contain %q", id, got, want)
		}
	}
	for key, want := range map[string]string{
		"leak1":                 "",
		strings.Repeat("k", 32): "",
		strings.Repeat("k", 33): "is 33 characters long; RongCloud extension keys have at most 32",
		"":                      "is empty",
		" k":                    untidyProblem,
		"k\r":                   untidyProblem,
	} {
		if got := rongcloudExtensionKeyProblem(key); want == "" && got != "" || want != "" && !strings.Contains(got, want) {
			t.Errorf("rongcloudExtensionKeyProblem(%q) = %q, want it to contain %q", key, got, want)
		}
	}
}

// sent_time may run up to 5 minutes ahead of this machine's clock, no further, and must be
// in milliseconds.
func TestSentTimeValidator(t *testing.T) {
	now := time.Now()
	for _, tc := range []struct {
		value int64
		ok    bool
	}{
		{1763856000000, true},
		{now.UnixMilli(), true},
		{now.Add(4 * time.Minute).UnixMilli(), true},
		{now.Add(6 * time.Minute).UnixMilli(), false},
		{time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli(), false},
		{1763856000, false}, // seconds
		{-1, false},
	} {
		var resp validator.Int64Response
		sentTime{}.ValidateInt64(context.Background(), validator.Int64Request{
			Path: path.Root("sent_time"), ConfigValue: types.Int64Value(tc.value),
		}, &resp)
		if resp.Diagnostics.HasError() == tc.ok {
			t.Errorf("sent_time %d: errors %v, want ok=%v", tc.value, resp.Diagnostics.Errors(), tc.ok)
		}
	}
}

// Base URLs are shown masked in every message: the password never, the query never.
func TestParseBaseURLsNeverShowsCredentials(t *testing.T) {
	for _, tc := range []struct{ raw, want string }{
		{"https://admin:s3cret@api.example.com/rc", `"https://***@api.example.com/rc" carries credentials`},
		{"https://admin@api.example.com", `"https://***@api.example.com" carries credentials`},
		{"http://admin:s3cret@127.0.0.1:8080/easemob", `"http://***@127.0.0.1:8080/easemob" carries credentials`},
		{"https://api.example.com/rc?key=s3cret", `"https://api.example.com/rc?…" carries a query string or fragment`},
		{"https://api.example.com/rc?", `"https://api.example.com/rc?…" carries a query string or fragment`},
		{"https://api.example.com/rc#s3cret", `"https://api.example.com/rc#…" carries a query string or fragment`},
		{"https://api.example.com/#", `carries a query string or fragment`},
		// Passwords holding "/", "?" or "#" split the URL elsewhere: still masked.
		{"https://admin:s3/cret@api.example.com", `"https://***@api.example.com"`},
		{"https://admin:s3#cret@api.example.com", `"https://***@api.example.com"`},
		{"https://admin:s3?cret@api.example.com", `"https://***@api.example.com"`},
		{"https://admin:123#s3cret@api.example.com", `"https://***@api.example.com"`},
		{"http://admin:s3cret@api.example.com", `"http://***@api.example.com" uses plain http`},
		{"ftp://admin:s3cret@api.example.com", `"ftp://***@api.example.com" must start with https://`},
		{"admin:s3cret@api.example.com", `"***@api.example.com" is not an absolute URL`},
	} {
		_, err := parseBaseURLs([]string{tc.raw})
		switch {
		case err == nil:
			t.Errorf("%s: accepted", tc.raw)
		case !strings.Contains(err.Error(), tc.want):
			t.Errorf("%s: %v\nwant it to contain %s", tc.raw, err, tc.want)
		case strings.Contains(err.Error(), "s3") || strings.Contains(err.Error(), "admin"):
			t.Errorf("%s: the message shows the credentials: %v", tc.raw, err)
		}
	}
	for _, ok := range []string{"https://api.example.com", "https://gw.example/rc/", "http://127.0.0.1:9/easemob", " https://a.example "} {
		if _, err := parseBaseURLs([]string{ok}); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
}

// An ID argument's plan-time check says what is wrong without repeating the value (personal
// data), for every way it can be wrong.
func TestIdentifierDiagnosticsNeverRepeatTheValue(t *testing.T) {
	for value, want := range map[string]string{
		"secret-group-42 ":      "must not start or end with white space",
		"secret\rgroup-42":      "control characters",
		strings.Repeat("x", 65): "is 65 characters long; the most is 64",
		"":                      "is empty",
		"secret-group-42":       "",
	} {
		var resp validator.StringResponse
		for _, v := range identifier(64) {
			v.ValidateString(context.Background(), validator.StringRequest{
				Path: path.Root("group_id"), ConfigValue: types.StringValue(value),
			}, &resp)
		}
		var text string
		for _, d := range resp.Diagnostics {
			text += d.Summary() + " " + d.Detail() + "\n"
		}
		if want == "" {
			if resp.Diagnostics.HasError() {
				t.Errorf("identifier(64) refused %q: %s", value, text)
			}
			continue
		}
		if !strings.Contains(text, want) {
			t.Errorf("identifier(64) on %.20q: %q, want it to contain %q", value, text, want)
		}
		if len(value) > 0 && strings.Contains(text, strings.TrimSpace(value)) {
			t.Errorf("identifier(64) repeats the value in its diagnostic: %q", text)
		}
	}
}
