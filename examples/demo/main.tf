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

output "rongcloud_calls" {
  value = imops_rongcloud_extension_delete.leaked_contact_details.vendor_calls + imops_rongcloud_broadcast_recall.mistaken_broadcast.vendor_calls
}
