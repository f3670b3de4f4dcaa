package emulator

import (
	"fmt"
	"net/http"
	"slices"
)

// Strict mode (Options.Strict, the command's -strict flag) refuses a request that names data
// the store does not hold, or that would change nothing, in the vendor's own error shape, so
// the provider reports it as it would any vendor error and the run fails:
//
//   - RongCloud: code 1002 (parameter error, HTTP 400), the code RongCloud gives a message
//     that is not in the named conversation, now also for extension keys the message does
//     not have and for a broadcast that is already recalled.
//   - Easemob: HTTP 404, error "service_resource_not_found" with UserNotFoundException for a
//     user the app does not have, and "resource_not_found" with
//     EasemobResourceNotFoundException for a group, chat room or messages the user's roaming
//     history does not hold (Easemob itself answers "ok" and deletes nothing).
//   - Tencent Cloud IM: HTTP 200, ActionStatus "FAIL", ErrorCode 10004 (invalid parameter)
//     when the sender has no message left to recall among the stream's last 1,000 (Tencent
//     itself answers OK). Unknown groups and topics are refused in either mode.
//
// Every strict refusal ends with strictSuffix, so it cannot be mistaken for a vendor error.
// A request the store answers in full (every listed ID held) is served as usual. One caveat:
// a request resent after it went through (a client timeout under a latency fault) names data
// that is already gone and is refused.
const strictSuffix = " (imops-emulator -strict: the store does not hold what this request names)"

// strictRefusal formats a strict-mode error message.
func strictRefusal(format string, args ...any) string {
	return fmt.Sprintf(format, args...) + strictSuffix
}

// strictUserHeld refuses, as Easemob does for a user it does not have, a user the fixture
// does not name. It reports whether the request may go on.
func (v *easemobVendor) strictUserHeld(w http.ResponseWriter, user string) bool {
	if v.users[user] {
		return true
	}
	v.emError(w, http.StatusNotFound, "service_resource_not_found", "UserNotFoundException",
		strictRefusal("Service resource not found: no such user"))
	return false
}

// strictTargetsHeld checks the owner of the roaming history and the conversation a request
// names: the peer user of a one-to-one chat, or a group or chat room the owner belongs to.
func (v *easemobVendor) strictTargetsHeld(w http.ResponseWriter, user, targetParam, target string) bool {
	if !v.strictUserHeld(w, user) {
		return false
	}
	if targetParam == "userId" {
		return v.strictUserHeld(w, target)
	}
	if g, ok := v.groups[target]; ok && slices.Contains(g.Members, user) {
		return true
	}
	v.emError(w, http.StatusNotFound, "resource_not_found", "EasemobResourceNotFoundException",
		strictRefusal("group or chat room does not exist, or the user is not a member"))
	return false
}

// strictAllHeld refuses a deletion by ID that lists messages the user's view of the
// conversation does not hold.
func (v *easemobVendor) strictAllHeld(w http.ResponseWriter, missing, listed int) bool {
	if missing == 0 {
		return true
	}
	v.emError(w, http.StatusNotFound, "resource_not_found", "EasemobResourceNotFoundException",
		strictRefusal("%d of the %d message IDs in msgIdList are not in this user's roaming history of the conversation", missing, listed))
	return false
}

// strictSomeHeld refuses a clear that would hide nothing.
func (v *easemobVendor) strictSomeHeld(w http.ResponseWriter, matched int, why string) bool {
	if matched > 0 {
		return true
	}
	v.emError(w, http.StatusNotFound, "resource_not_found", "EasemobResourceNotFoundException", strictRefusal("%s", why))
	return false
}
