package provider

import (
	"github.com/imops/terraform-provider-imops/internal/client/easemob"
	"github.com/imops/terraform-provider-imops/internal/client/rongcloud"
)

// Per-element checks of the bulk list arguments, for their (linear) list validators. Each
// says why one element cannot be sent, or returns "" when it can, and never repeats the
// element: IDs and keys are personal data. The limits are easemob.MaxMessageIDLength and
// rongcloud.MaxExtensionKeyLength; the vendor clients enforce the same rules before sending.

// easemobMessageIDProblem checks one entry of message_ids: present, at most
// easemob.MaxMessageIDLength characters, and without a comma, white space or control
// character, which would make it more (or other) than one entry of msgIdList.
func easemobMessageIDProblem(id string) string {
	return easemob.MessageIDProblem(id)
}

// rongcloudExtensionKeyProblem checks one entry of extra_keys: present, at most
// rongcloud.MaxExtensionKeyLength characters, and tidy.
func rongcloudExtensionKeyProblem(key string) string {
	if problem := rongcloud.ExtensionKeyProblem(key); problem != "" {
		return problem
	}
	return idProblem(key, 0)
}
