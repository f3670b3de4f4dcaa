# Apply a retention cut-off to one user's copy of a one-to-one chat (Terraform 1.14 or later):
#
#   terraform apply -invoke=action.imops_easemob_roaming_chat_clear.retention
action "imops_easemob_roaming_chat_clear" "retention" {
  config {
    user_id      = "alice"
    peer_user_id = "bob"
    before       = "2024-12-31T23:59:59.999+08:00" # end of 2024, Beijing time
  }
}

# Or each time the retention cut-off moves.
resource "terraform_data" "retention_cutoff" {
  input = "2024-12-31T23:59:59.999+08:00"

  lifecycle {
    action_trigger {
      events  = [after_create, after_update]
      actions = [action.imops_easemob_roaming_chat_clear.retention]
    }
  }
}
