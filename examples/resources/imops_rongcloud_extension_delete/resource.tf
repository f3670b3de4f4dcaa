# A member pasted a phone number and an address into a group message's extensions.
# Exactly these keys are deleted; the message and its other keys stay.
resource "imops_rongcloud_extension_delete" "leaked_contact" {
  message_uid       = "BRGM-DEN2-01E4-BN66"
  user_id           = "moderator-1" # the operator
  conversation_type = "group"
  target_id         = "group-42"
  extra_keys        = ["phone", "home_address"]
}

# Keys collected by a policy job: any number, sent 100 per call within the rate limit. Their
# order does not matter, and a key the job lists twice is sent once.
resource "imops_rongcloud_extension_delete" "policy_sweep" {
  message_uid       = "BRGM-DEN2-01E4-BN67"
  user_id           = "alice"
  conversation_type = "private"
  target_id         = "bob"
  extra_keys        = var.flagged_extension_keys
  sync_sender       = true

  # Re-run the deletion when the ticket changes, even if the keys are the same.
  triggers = {
    ticket = "SEC-2211"
  }
}

variable "flagged_extension_keys" {
  type = list(string)
}
