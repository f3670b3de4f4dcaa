// Package tencentim is a thin client for the Tencent Cloud IM (Chat) REST calls the provider
// makes: UserSig (TLSSigAPIv2) generation and verification, the regional domains, and answers
// judged by ActionStatus and ErrorCode, over the shared transport.
package tencentim

import (
	"bytes"
	"compress/zlib"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
)

const (
	userSigVersion = "2.0"

	// Real tickets are a few hundred characters; the caps below only exist so
	// that hostile input to VerifyUserSig costs bounded memory and CPU.
	maxUserSigLen     = 16 << 10
	maxUserSigDocSize = 64 << 10
)

// Verification failures are sentinels rather than ad-hoc messages so that an
// emulator can translate each one into the matching vendor error code.
var (
	// ErrUserSigMalformed means the ticket could not be decoded into a
	// complete version 2.0 document.
	ErrUserSigMalformed = errors.New("tencentim: malformed UserSig")
	// ErrUserSigBadSignature means the HMAC does not match, either because
	// the secret key differs or because the document was altered.
	ErrUserSigBadSignature = errors.New("tencentim: UserSig signature mismatch")
	// ErrUserSigExpired means the ticket was valid once but its lifetime has
	// run out.
	ErrUserSigExpired = errors.New("tencentim: UserSig expired")
	// ErrUserSigIdentifierMismatch means the ticket was issued to a
	// different user than the one presenting it.
	ErrUserSigIdentifierMismatch = errors.New("tencentim: UserSig identifier mismatch")
	// ErrUserSigAppIDMismatch means the ticket belongs to another
	// SDKAppID.
	ErrUserSigAppIDMismatch = errors.New("tencentim: UserSig SDKAppID mismatch")
)

// UserSigClaims is what a verified UserSig says.
type UserSigClaims struct {
	SDKAppID   uint64
	Identifier string
	IssuedAt   time.Time
	Expire     time.Duration
}

// ExpiresAt returns IssuedAt+Expire, the last instant at which the ticket is
// still accepted.
func (c UserSigClaims) ExpiresAt() time.Time {
	return c.IssuedAt.Add(c.Expire)
}

// userSigDoc mirrors the JSON document inside a ticket. Field order follows
// the vendor documentation; verification does not depend on it.
type userSigDoc struct {
	Ver        string `json:"TLS.ver"`
	Identifier string `json:"TLS.identifier"`
	SDKAppID   uint64 `json:"TLS.sdkappid"`
	Expire     int64  `json:"TLS.expire"`
	Time       int64  `json:"TLS.time"`
	Sig        string `json:"TLS.sig"`
}

// GenerateUserSig returns a UserSig for identifier, valid for expire from now.
// Both now and expire are truncated to whole seconds because that is the
// only resolution the ticket format can carry.
func GenerateUserSig(sdkAppID uint64, secretKey, identifier string, now time.Time, expire time.Duration) (string, error) {
	if identifier == "" {
		return "", errors.New("tencentim: UserSig identifier must not be empty")
	}
	if secretKey == "" {
		// An empty HMAC key is legal but would make every ticket forgeable.
		return "", errors.New("tencentim: UserSig secret key must not be empty")
	}
	if expire < time.Second {
		return "", fmt.Errorf("tencentim: UserSig expire must be at least 1s, got %s", expire)
	}
	issued := now.Unix()
	expireSec := int64(expire / time.Second)
	if issued < 0 || issued > math.MaxInt64-expireSec {
		return "", fmt.Errorf("tencentim: UserSig issue time %s is out of range", now)
	}

	doc := userSigDoc{
		Ver:        userSigVersion,
		Identifier: identifier,
		SDKAppID:   sdkAppID,
		Expire:     expireSec,
		Time:       issued,
		Sig:        base64.StdEncoding.EncodeToString(userSigHMAC(secretKey, identifier, sdkAppID, issued, expireSec)),
	}
	raw, err := json.Marshal(doc)
	if err != nil {
		return "", fmt.Errorf("tencentim: encode UserSig document: %w", err)
	}

	var buf bytes.Buffer
	zw := zlib.NewWriter(&buf)
	if _, err := zw.Write(raw); err != nil {
		return "", fmt.Errorf("tencentim: compress UserSig: %w", err)
	}
	if err := zw.Close(); err != nil {
		return "", fmt.Errorf("tencentim: compress UserSig: %w", err)
	}
	return toSigAlphabet.Replace(base64.StdEncoding.EncodeToString(buf.Bytes())), nil
}

// VerifyUserSig decodes and checks sig against the expected app ID, key and
// identifier at time now. Checks run from cheapest and least informative to
// most specific (malformed, app ID, identifier, signature, expiry), so the
// reported error is the first thing a caller would need to fix. Every error
// wraps exactly one of the ErrUserSig* sentinels.
func VerifyUserSig(sig string, sdkAppID uint64, secretKey, identifier string, now time.Time) (UserSigClaims, error) {
	doc, err := decodeUserSig(sig)
	if err != nil {
		return UserSigClaims{}, err
	}
	if doc.sdkAppID != sdkAppID {
		return UserSigClaims{}, fmt.Errorf("%w: ticket is for %d, expected %d", ErrUserSigAppIDMismatch, doc.sdkAppID, sdkAppID)
	}
	if doc.identifier != identifier {
		return UserSigClaims{}, fmt.Errorf("%w: ticket is for %q, expected %q", ErrUserSigIdentifierMismatch, doc.identifier, identifier)
	}
	// Recompute over the decoded fields rather than the raw JSON, so tickets
	// from other encoders (different key order, spacing) still verify.
	want := userSigHMAC(secretKey, doc.identifier, doc.sdkAppID, doc.time, doc.expire)
	if !hmac.Equal(doc.mac, want) {
		return UserSigClaims{}, ErrUserSigBadSignature
	}
	claims := UserSigClaims{
		SDKAppID:   doc.sdkAppID,
		Identifier: doc.identifier,
		IssuedAt:   time.Unix(doc.time, 0),
		Expire:     time.Duration(doc.expire) * time.Second,
	}
	if now.After(claims.ExpiresAt()) {
		return UserSigClaims{}, fmt.Errorf("%w: expired at %s", ErrUserSigExpired, claims.ExpiresAt().UTC().Format(time.RFC3339))
	}
	return claims, nil
}

var (
	// Tencent swaps the three characters of standard base64 that are unsafe
	// in URLs for ones that are not, instead of using base64url.
	toSigAlphabet   = strings.NewReplacer("+", "*", "/", "-", "=", "_")
	fromSigAlphabet = strings.NewReplacer("*", "+", "-", "/", "_", "=")
)

// decodedUserSig holds the fields of a ticket after they have been checked
// for presence and range, so the verifier need not repeat those checks.
type decodedUserSig struct {
	identifier string
	sdkAppID   uint64
	time       int64
	expire     int64
	mac        []byte
}

// rawUserSigDoc uses pointers to tell missing fields from zero values, and
// json.Number so that numbers (or numeric strings, which some encoders emit)
// are parsed by strconv with exact integer semantics instead of via float64.
type rawUserSigDoc struct {
	Ver        *string      `json:"TLS.ver"`
	Identifier *string      `json:"TLS.identifier"`
	SDKAppID   *json.Number `json:"TLS.sdkappid"`
	Expire     *json.Number `json:"TLS.expire"`
	Time       *json.Number `json:"TLS.time"`
	Sig        *string      `json:"TLS.sig"`
}

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrUserSigMalformed, fmt.Sprintf(format, args...))
}

func decodeUserSig(sig string) (decodedUserSig, error) {
	if sig == "" {
		return decodedUserSig{}, malformed("empty")
	}
	if len(sig) > maxUserSigLen {
		return decodedUserSig{}, malformed("longer than %d bytes", maxUserSigLen)
	}
	// Raw '+', '/' and '=' never appear in a genuine ticket; accepting them
	// would give one ticket several spellings.
	if strings.ContainsAny(sig, "+/=") {
		return decodedUserSig{}, malformed("contains characters outside the UserSig alphabet")
	}
	compressed, err := base64.StdEncoding.DecodeString(fromSigAlphabet.Replace(sig))
	if err != nil {
		return decodedUserSig{}, malformed("base64: %v", err)
	}
	zr, err := zlib.NewReader(bytes.NewReader(compressed))
	if err != nil {
		return decodedUserSig{}, malformed("zlib: %v", err)
	}
	defer zr.Close()
	// Read one byte past the cap so an oversized document is detected rather
	// than silently truncated into something that might still parse.
	raw, err := io.ReadAll(io.LimitReader(zr, maxUserSigDocSize+1))
	if err != nil {
		return decodedUserSig{}, malformed("zlib: %v", err)
	}
	if len(raw) > maxUserSigDocSize {
		return decodedUserSig{}, malformed("document exceeds %d bytes", maxUserSigDocSize)
	}

	var doc rawUserSigDoc
	if err := json.Unmarshal(raw, &doc); err != nil {
		return decodedUserSig{}, malformed("json: %v", err)
	}
	switch {
	case doc.Ver == nil:
		return decodedUserSig{}, malformed("missing TLS.ver")
	case doc.Identifier == nil:
		return decodedUserSig{}, malformed("missing TLS.identifier")
	case doc.SDKAppID == nil:
		return decodedUserSig{}, malformed("missing TLS.sdkappid")
	case doc.Time == nil:
		return decodedUserSig{}, malformed("missing TLS.time")
	case doc.Expire == nil:
		return decodedUserSig{}, malformed("missing TLS.expire")
	case doc.Sig == nil:
		return decodedUserSig{}, malformed("missing TLS.sig")
	}
	if *doc.Ver != userSigVersion {
		return decodedUserSig{}, malformed("unsupported TLS.ver %q", *doc.Ver)
	}

	out := decodedUserSig{identifier: *doc.Identifier}
	if out.sdkAppID, err = strconv.ParseUint(doc.SDKAppID.String(), 10, 64); err != nil {
		return decodedUserSig{}, malformed("TLS.sdkappid: %v", err)
	}
	if out.time, err = strconv.ParseInt(doc.Time.String(), 10, 64); err != nil || out.time < 0 {
		return decodedUserSig{}, malformed("TLS.time %q is not a non-negative integer", doc.Time.String())
	}
	// The lifetime must fit in a time.Duration and the expiry in an int64,
	// otherwise the claims handed back would silently wrap around.
	if out.expire, err = strconv.ParseInt(doc.Expire.String(), 10, 64); err != nil ||
		out.expire < 0 || out.expire > math.MaxInt64/int64(time.Second) {
		return decodedUserSig{}, malformed("TLS.expire %q is out of range", doc.Expire.String())
	}
	if out.time > math.MaxInt64-out.expire {
		return decodedUserSig{}, malformed("TLS.time plus TLS.expire overflows")
	}
	if out.mac, err = base64.StdEncoding.DecodeString(*doc.Sig); err != nil {
		return decodedUserSig{}, malformed("TLS.sig: %v", err)
	}
	return out, nil
}

// userSigHMAC signs the newline-terminated "TLS.<field>:<value>" lines that
// the vendor defines; the numbers are formatted in plain decimal exactly as
// the reference SDKs do, so tickets interoperate with Tencent's servers.
func userSigHMAC(secretKey, identifier string, sdkAppID uint64, issued, expire int64) []byte {
	content := "TLS.identifier:" + identifier + "\n" +
		"TLS.sdkappid:" + strconv.FormatUint(sdkAppID, 10) + "\n" +
		"TLS.time:" + strconv.FormatInt(issued, 10) + "\n" +
		"TLS.expire:" + strconv.FormatInt(expire, 10) + "\n"
	mac := hmac.New(sha256.New, []byte(secretKey))
	mac.Write([]byte(content))
	return mac.Sum(nil)
}
