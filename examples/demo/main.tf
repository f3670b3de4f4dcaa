# The demo cleanup that `make demo` applies against the bundled emulator. The provider is
# configured entirely from IMOPS_* environment variables, as it would be in CI.
terraform {
  required_providers {
    imops = {
      source = "imops/imops"
    }
  }
}

provider "imops" {}

# A user pasted a phone number and an address into message extensions in a group chat.
# Remove exactly those two keys; the reaction and the pin stay.
resource "imops_rongcloud_extension_delete" "leaked_contact_details" {
  message_uid       = "C5AB-DEMO-0001-GRP1"
  user_id           = "alice"
  conversation_type = "group"
  target_id         = "ops-room"
  extra_keys        = ["leaked_phone", "leaked_address"]
}

# A broadcast went out by mistake: recall it without leaving a "recalled" notice.
resource "imops_rongcloud_broadcast_recall" "mistaken_broadcast" {
  from_user_id = "system"
  message_uid  = "C5AB-DEMO-BCST-0001"
  sent_time    = 1763856000000
  is_delete    = true
}

# Easemob: bob asked to erase two messages from his copy of the chat with alice.
# One-way: alice keeps her copy.
resource "imops_easemob_roaming_chat_delete" "bob_erasure_request" {
  user_id      = "bob"
  peer_user_id = "alice"
  message_ids  = ["1235807318835202001", "1235807318835202002"]
}

# Easemob: clear carol's view of the group up to the end of the incident window.
# Later messages, and other members' views, stay.
resource "imops_easemob_roaming_group_clear" "incident_window" {
  user_id  = "carol"
  group_id = "226615398744066"
  before   = "2025-11-23T00:30:00Z"
}

# Tencent Cloud IM: recall everything the spammer posted among the group's last 1,000 messages.
resource "imops_tencentim_group_message_delete_by_sender" "spam" {
  group_id       = "@TGS#demo-public"
  sender_account = "spammer"
}

output "vendor_calls" {
  value = {
    rongcloud = imops_rongcloud_extension_delete.leaked_contact_details.vendor_calls + imops_rongcloud_broadcast_recall.mistaken_broadcast.vendor_calls
    easemob   = imops_easemob_roaming_chat_delete.bob_erasure_request.vendor_calls + imops_easemob_roaming_group_clear.incident_window.vendor_calls
    tencentim = imops_tencentim_group_message_delete_by_sender.spam.vendor_calls
  }
}
