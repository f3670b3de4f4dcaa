# Remove leaked messages from one user's copy of a one-to-one chat (Terraform 1.14 or later).
# Run it on demand:
#
#   terraform apply -invoke=action.imops_easemob_roaming_chat_delete.card_number_leak
action "imops_easemob_roaming_chat_delete" "card_number_leak" {
  config {
    user_id      = "agent_0042"
    peer_user_id = "customer_81934"
    message_ids = [
      "1235807318835202004",
      "1235807318835202005",
    ]
  }
}

# Or when the security ticket's record is created; a new ticket ID creates a new record and
# runs the deletion again.
resource "terraform_data" "ticket" {
  input = "SEC-2291"

  lifecycle {
    action_trigger {
      events  = [after_create]
      actions = [action.imops_easemob_roaming_chat_delete.card_number_leak]
    }
  }
}
