# A cleanup as it is applied for real, and rehearsed first against the emulator holding
# fixture.json (scripts/rehearse.sh; see the guide docs/guides/rehearse-in-ci.md). Nothing here
# names an endpoint or a credential: both come from IMOPS_* environment variables, which the
# rehearsal points at the emulator and the real run at the vendors.
terraform {
  required_providers {
    imops = {
      source = "imops/imops"
    }
  }
}

provider "imops" {}

# SEC-2291: a support agent pasted a customer's card number into their chat. Remove those two
# messages from the agent's copy; the customer's copy and the rest of the chat stay.
resource "imops_easemob_roaming_chat_delete" "card_number_leak" {
  user_id      = "agent_0042"
  peer_user_id = "customer_81934"
  message_ids  = ["1235807318835202004", "1235807318835202005"]
}

# The same customer's phone number was added to a group message's extensions. Delete that key
# of that message only.
resource "imops_rongcloud_extension_delete" "leaked_phone" {
  message_uid       = "BRGM-DEN2-01E4-BN66"
  user_id           = "moderator-1"
  conversation_type = "group"
  target_id         = "group-42"
  extra_keys        = ["phone"]
}

# A spam account flooded the support group: recall what it sent there (not elsewhere).
resource "imops_tencentim_group_message_delete_by_sender" "spam_wave" {
  group_id       = "@TGS#2C5SZEAEF"
  sender_account = "promo_bot_8812"
}
