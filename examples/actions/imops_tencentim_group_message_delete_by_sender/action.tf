# Recall what a spam account sent to a group (Terraform 1.14 or later). Only the group's last
# 1,000 messages are within reach, so invoke it soon after the incident:
#
#   terraform apply -invoke=action.imops_tencentim_group_message_delete_by_sender.spam_wave
action "imops_tencentim_group_message_delete_by_sender" "spam_wave" {
  config {
    group_id       = "@TGS#2C5SZEAEF"
    sender_account = "promo_bot_8812"
  }
}

# Or run it when the moderation ticket's record is created.
resource "terraform_data" "moderation_ticket" {
  input = "MOD-4470"

  lifecycle {
    action_trigger {
      events  = [after_create]
      actions = [action.imops_tencentim_group_message_delete_by_sender.spam_wave]
    }
  }
}
