# Take messages out of one member's copy of a group (Terraform 1.14 or later). Long lists are
# sent 50 IDs per call, with progress shown as the calls complete:
#
#   terraform apply -invoke=action.imops_easemob_roaming_group_delete.test_dump
action "imops_easemob_roaming_group_delete" "test_dump" {
  config {
    user_id  = "qa_bot"
    group_id = "226615398744066"
    message_ids = [
      "1235807318835202101",
      "1235807318835202102",
      "1235807318835202103",
    ]
    notify = false # the bot has no devices to tell
  }
}

# Or when the clean-up ticket's record is created, in the same apply.
resource "terraform_data" "cleanup_ticket" {
  input = "QA-118"

  lifecycle {
    action_trigger {
      events  = [after_create]
      actions = [action.imops_easemob_roaming_group_delete.test_dump]
    }
  }
}
