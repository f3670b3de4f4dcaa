# The configuration terraform.tfstate beside it was applied from, with provider 0.1.0 (when
# extra_keys and message_ids were sets) against the emulator's demo data. The upgrade test
# plans it again with the current provider and expects no change.
terraform {
  required_providers {
    imops = {
      source = "imops/imops"
    }
  }
}

resource "imops_rongcloud_extension_delete" "contact_details" {
  message_uid       = "C5AB-DEMO-0001-GRP1"
  user_id           = "alice"
  conversation_type = "group"
  target_id         = "ops-room"
  extra_keys        = ["leaked_phone", "leaked_address"]
}

resource "imops_easemob_roaming_chat_delete" "erasure_request" {
  user_id      = "bob"
  peer_user_id = "alice"
  message_ids  = ["1235807318835202004", "1235807318835202001", "1235807318835202002"]
  notify       = false
  triggers = {
    ticket = "PRIV-1"
  }
}

resource "imops_easemob_roaming_group_delete" "one_message" {
  user_id     = "carol"
  group_id    = "226615398744066"
  message_ids = ["1235807318835202102"]
}

resource "imops_rongcloud_broadcast_recall" "mistaken_broadcast" {
  from_user_id = "system"
  message_uid  = "C5AB-DEMO-BCST-0001"
  sent_time    = 1763856000000
  is_delete    = true
}

resource "imops_easemob_roaming_group_clear" "incident_window" {
  user_id  = "carol"
  group_id = "226615398744066"
  before   = "2025-11-23T00:30:00Z"
}
