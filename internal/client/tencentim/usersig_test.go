package tencentim

import (
	"bytes"
	"compress/zlib"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

const (
	testAppID      uint64 = 1400000000
	testKey               = "imops-test-secret-key"
	testIdentifier        = "administrator"
	testExpire            = 86400 * time.Second

	// Computed outside Go so that the test does not merely agree with itself:
	//   printf 'TLS.identifier:administrator\nTLS.sdkappid:1400000000\nTLS.time:1700000000\nTLS.expire:86400\n' |
	//     openssl dgst -sha256 -hmac imops-test-secret-key -binary | base64
	knownAnswerSig = "hi8a6BpitIUi4/aRUekiRxU4M4oIjq+x1J8eOPjqMKU="
)

var testNow = time.Unix(1700000000, 0)

var allSentinels = []error{
	ErrUserSigMalformed,
	ErrUserSigBadSignature,
	ErrUserSigExpired,
	ErrUserSigIdentifierMismatch,
	ErrUserSigAppIDMismatch,
}

func mustGenerate(t testing.TB) string {
	t.Helper()
	sig, err := GenerateUserSig(testAppID, testKey, testIdentifier, testNow, testExpire)
	if err != nil {
		t.Fatalf("GenerateUserSig: %v", err)
	}
	return sig
}

// encodeTicket wraps arbitrary bytes the way a ticket is wrapped, so tests
// can hand-craft documents the generator would never emit.
func encodeTicket(t testing.TB, payload []byte) string {
	t.Helper()
	var buf bytes.Buffer
	zw := zlib.NewWriter(&buf)
	if _, err := zw.Write(payload); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return sigAlphabet(base64.StdEncoding.EncodeToString(buf.Bytes()))
}

func sigAlphabet(s string) string {
	return strings.NewReplacer("+", "*", "/", "-", "=", "_").Replace(s)
}

// decodeTicket is deliberately independent of the production decoder so
// that a bug shared by both directions cannot hide.
func decodeTicket(t testing.TB, sig string) map[string]any {
	t.Helper()
	std := strings.NewReplacer("*", "+", "-", "/", "_", "=").Replace(sig)
	compressed, err := base64.StdEncoding.DecodeString(std)
	if err != nil {
		t.Fatalf("base64: %v", err)
	}
	zr, err := zlib.NewReader(bytes.NewReader(compressed))
	if err != nil {
		t.Fatalf("zlib: %v", err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("zlib read: %v", err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("json: %v (%s)", err, raw)
	}
	return doc
}

func validDoc() map[string]any {
	return map[string]any{
		"TLS.ver":        "2.0",
		"TLS.identifier": testIdentifier,
		"TLS.sdkappid":   testAppID,
		"TLS.time":       int64(1700000000),
		"TLS.expire":     int64(86400),
		"TLS.sig":        knownAnswerSig,
	}
}

func encodeDoc(t testing.TB, doc map[string]any) string {
	t.Helper()
	raw, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return encodeTicket(t, raw)
}

func TestUserSigRoundTrip(t *testing.T) {
	sig := mustGenerate(t)
	claims, err := VerifyUserSig(sig, testAppID, testKey, testIdentifier, testNow.Add(time.Hour))
	if err != nil {
		t.Fatalf("VerifyUserSig: %v", err)
	}
	want := UserSigClaims{SDKAppID: testAppID, Identifier: testIdentifier, IssuedAt: testNow, Expire: testExpire}
	if claims.SDKAppID != want.SDKAppID || claims.Identifier != want.Identifier ||
		!claims.IssuedAt.Equal(want.IssuedAt) || claims.Expire != want.Expire {
		t.Fatalf("claims = %+v, want %+v", claims, want)
	}
	if got, want := claims.ExpiresAt(), testNow.Add(testExpire); !got.Equal(want) {
		t.Fatalf("ExpiresAt = %s, want %s", got, want)
	}
}

func TestUserSigRoundTripUnusualIdentifiers(t *testing.T) {
	for _, id := range []string{"a", "user@example.com", "用户-42", strings.Repeat("x", 1024), "with\nnewline"} {
		sig, err := GenerateUserSig(testAppID, testKey, id, testNow, time.Minute)
		if err != nil {
			t.Fatalf("GenerateUserSig(%q): %v", id, err)
		}
		if _, err := VerifyUserSig(sig, testAppID, testKey, id, testNow); err != nil {
			t.Fatalf("VerifyUserSig(%q): %v", id, err)
		}
	}
}

func TestUserSigKnownAnswer(t *testing.T) {
	content := "TLS.identifier:administrator\nTLS.sdkappid:1400000000\nTLS.time:1700000000\nTLS.expire:86400\n"
	mac := hmac.New(sha256.New, []byte(testKey))
	mac.Write([]byte(content))
	computed := base64.StdEncoding.EncodeToString(mac.Sum(nil))
	if computed != knownAnswerSig {
		t.Fatalf("in-test HMAC %q disagrees with openssl %q", computed, knownAnswerSig)
	}

	doc := decodeTicket(t, mustGenerate(t))
	want := map[string]string{
		"TLS.ver":        "2.0",
		"TLS.identifier": "administrator",
		"TLS.sdkappid":   "1400000000",
		"TLS.time":       "1700000000",
		"TLS.expire":     "86400",
		"TLS.sig":        knownAnswerSig,
	}
	if len(doc) != len(want) {
		t.Errorf("document has %d fields, want %d: %v", len(doc), len(want), doc)
	}
	for k, v := range want {
		got, ok := doc[k]
		if !ok {
			t.Errorf("field %s missing", k)
			continue
		}
		// Numbers must be JSON numbers, not strings, for the vendor's parsers.
		switch k {
		case "TLS.sdkappid", "TLS.time", "TLS.expire":
			if _, isNum := got.(json.Number); !isNum {
				t.Errorf("field %s = %#v, want a JSON number", k, got)
			}
		default:
			if _, isStr := got.(string); !isStr {
				t.Errorf("field %s = %#v, want a JSON string", k, got)
			}
		}
		if s, _ := got.(interface{ String() string }); s != nil {
			got = s.String()
		}
		if got != v {
			t.Errorf("field %s = %v, want %s", k, got, v)
		}
	}
}

func TestUserSigAlphabet(t *testing.T) {
	// Sweep identifiers and times so that base64 output ends in every padding
	// length and is likely to hit '+' and '/' before substitution.
	for i := range 200 {
		id := strings.Repeat("u", i%7+1) + string(rune('a'+i%26))
		sig, err := GenerateUserSig(testAppID, testKey, id, testNow.Add(time.Duration(i)*time.Second), testExpire)
		if err != nil {
			t.Fatal(err)
		}
		if strings.ContainsAny(sig, "+/=") {
			t.Fatalf("sig %q contains a character outside the UserSig alphabet", sig)
		}
	}
}

func TestVerifyUserSigAcceptsOtherEncoders(t *testing.T) {
	// Official SDKs marshal a map, so keys arrive sorted, and some emit the
	// app ID as a string; both must verify as long as the fields are right.
	// validDoc is also the base of the malformed cases below; it must verify
	// untouched or those cases would pass for the wrong reason.
	if _, err := VerifyUserSig(encodeDoc(t, validDoc()), testAppID, testKey, testIdentifier, testNow); err != nil {
		t.Fatalf("VerifyUserSig(validDoc): %v", err)
	}
	doc := validDoc()
	doc["TLS.sdkappid"] = "1400000000"
	if _, err := VerifyUserSig(encodeDoc(t, doc), testAppID, testKey, testIdentifier, testNow); err != nil {
		t.Fatalf("VerifyUserSig: %v", err)
	}
}

func TestVerifyUserSigExpiryBoundary(t *testing.T) {
	sig := mustGenerate(t)
	expiry := testNow.Add(testExpire)
	if _, err := VerifyUserSig(sig, testAppID, testKey, testIdentifier, expiry); err != nil {
		t.Fatalf("at expiry: %v", err)
	}
	_, err := VerifyUserSig(sig, testAppID, testKey, testIdentifier, expiry.Add(time.Nanosecond))
	if !errors.Is(err, ErrUserSigExpired) {
		t.Fatalf("just past expiry: err = %v, want ErrUserSigExpired", err)
	}
}

func TestVerifyUserSigFailures(t *testing.T) {
	valid := mustGenerate(t)
	later := testNow.Add(time.Minute)

	tampered := validDoc()
	tampered["TLS.expire"] = int64(86400 * 365)

	notZlib := base64.StdEncoding.EncodeToString([]byte("definitely not a zlib stream"))

	var bomb bytes.Buffer
	zw := zlib.NewWriter(&bomb)
	if _, err := zw.Write(make([]byte, 4<<20)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name       string
		sig        string
		appID      uint64
		key        string
		identifier string
		now        time.Time
		want       error
	}{
		{"wrong key", valid, testAppID, "another-key", testIdentifier, later, ErrUserSigBadSignature},
		{"wrong identifier", valid, testAppID, testKey, "someone-else", later, ErrUserSigIdentifierMismatch},
		{"wrong app", valid, 1400000001, testKey, testIdentifier, later, ErrUserSigAppIDMismatch},
		{"expired", valid, testAppID, testKey, testIdentifier, testNow.Add(testExpire + time.Second), ErrUserSigExpired},
		{"tampered expire", encodeDoc(t, tampered), testAppID, testKey, testIdentifier, later, ErrUserSigBadSignature},
		// Check order: app ID outranks identifier, which outranks key and expiry.
		{"app and identifier wrong", valid, 1, testKey, "x", later, ErrUserSigAppIDMismatch},
		{"identifier and key wrong", valid, testAppID, "k", "x", later, ErrUserSigIdentifierMismatch},
		{"key wrong and expired", valid, testAppID, "k", testIdentifier, testNow.Add(2 * testExpire), ErrUserSigBadSignature},

		{"empty", "", testAppID, testKey, testIdentifier, later, ErrUserSigMalformed},
		{"garbage", "this is not a user sig!", testAppID, testKey, testIdentifier, later, ErrUserSigMalformed},
		{"truncated half", valid[:len(valid)/2], testAppID, testKey, testIdentifier, later, ErrUserSigMalformed},
		{"truncated one", valid[:len(valid)-1], testAppID, testKey, testIdentifier, later, ErrUserSigMalformed},
		{"truncated four", valid[:len(valid)-4], testAppID, testKey, testIdentifier, later, ErrUserSigMalformed},
		{"standard alphabet", strings.NewReplacer("*", "+", "-", "/", "_", "=").Replace(valid), testAppID, testKey, testIdentifier, later, ErrUserSigMalformed},
		{"base64 of non-zlib", sigAlphabet(notZlib), testAppID, testKey, testIdentifier, later, ErrUserSigMalformed},
		{"zlib of non-JSON", encodeTicket(t, []byte("TLS.ver=2.0")), testAppID, testKey, testIdentifier, later, ErrUserSigMalformed},
		{"zlib of JSON array", encodeTicket(t, []byte(`[1,2,3]`)), testAppID, testKey, testIdentifier, later, ErrUserSigMalformed},
		{"zip bomb", sigAlphabet(base64.StdEncoding.EncodeToString(bomb.Bytes())), testAppID, testKey, testIdentifier, later, ErrUserSigMalformed},
		{"overlong", strings.Repeat("A", 1<<20), testAppID, testKey, testIdentifier, later, ErrUserSigMalformed},
	}

	for _, field := range []string{"TLS.ver", "TLS.identifier", "TLS.sdkappid", "TLS.time", "TLS.expire", "TLS.sig"} {
		doc := validDoc()
		delete(doc, field)
		tests = append(tests, struct {
			name       string
			sig        string
			appID      uint64
			key        string
			identifier string
			now        time.Time
			want       error
		}{"missing " + field, encodeDoc(t, doc), testAppID, testKey, testIdentifier, later, ErrUserSigMalformed})
	}

	badValues := map[string]any{
		"TLS.ver":        "1.0",
		"TLS.identifier": 42,
		"TLS.sdkappid":   -1,
		"TLS.time":       1.7e9 + 0.5,
		"TLS.expire":     int64(1) << 62,
		"TLS.sig":        "not base64!",
	}
	for field, v := range badValues {
		doc := validDoc()
		doc[field] = v
		tests = append(tests, struct {
			name       string
			sig        string
			appID      uint64
			key        string
			identifier string
			now        time.Time
			want       error
		}{"bad " + field, encodeDoc(t, doc), testAppID, testKey, testIdentifier, later, ErrUserSigMalformed})
	}

	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			claims, err := VerifyUserSig(tc.sig, tc.appID, tc.key, tc.identifier, tc.now)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if claims != (UserSigClaims{}) {
				t.Fatalf("claims = %+v on failure, want zero value", claims)
			}
			for _, other := range allSentinels {
				if other != tc.want && errors.Is(err, other) {
					t.Fatalf("err = %v also matches %v", err, other)
				}
			}
		})
	}
}

func TestGenerateUserSigRejectsBadInput(t *testing.T) {
	cases := []struct {
		name, key, id string
		expire        time.Duration
	}{
		{"empty identifier", testKey, "", testExpire},
		{"empty key", "", testIdentifier, testExpire},
		{"zero expire", testKey, testIdentifier, 0},
		{"sub-second expire", testKey, testIdentifier, time.Millisecond},
		{"negative expire", testKey, testIdentifier, -time.Hour},
	}
	for _, tc := range cases {
		if sig, err := GenerateUserSig(testAppID, tc.key, tc.id, testNow, tc.expire); err == nil {
			t.Errorf("%s: got sig %q, want error", tc.name, sig)
		}
	}
}

func FuzzVerifyUserSig(f *testing.F) {
	f.Add(mustGenerate(f))
	f.Add("")
	f.Add("garbage")
	f.Add("eJyrVgpJLS5RslIqLU4tUqoFAC4QBUY_")
	f.Add(encodeTicket(f, []byte(`{"TLS.ver":"2.0"}`)))
	f.Fuzz(func(t *testing.T, sig string) {
		claims, err := VerifyUserSig(sig, testAppID, testKey, testIdentifier, testNow)
		if err != nil {
			matched := 0
			for _, s := range allSentinels {
				if errors.Is(err, s) {
					matched++
				}
			}
			if matched != 1 {
				t.Fatalf("err %v wraps %d sentinels, want exactly 1", err, matched)
			}
			return
		}
		if claims.Identifier != testIdentifier || claims.SDKAppID != testAppID {
			t.Fatalf("accepted claims %+v for a different principal", claims)
		}
		if testNow.After(claims.ExpiresAt()) {
			t.Fatalf("accepted claims %+v that expired before %s", claims, testNow)
		}
	})
}
