# RongCloud allows a broadcast recall only twice an hour and three times a day, which suits a
# one-off invocation from the command line (Terraform 1.14 or later):
#
#   terraform apply -invoke=action.imops_rongcloud_broadcast_recall.mistaken_announcement
action "imops_rongcloud_broadcast_recall" "mistaken_announcement" {
  config {
    from_user_id = "system"
    message_uid  = "5FGT-7VA9-G4DD-4V5P"
    sent_time    = 1507778882124 # dateTime from the message history log
    is_delete    = true
  }
}

# Or recall it as soon as the record of the incident is created.
resource "terraform_data" "announcement_incident" {
  input = "OPS-0912"

  lifecycle {
    action_trigger {
      events  = [after_create]
      actions = [action.imops_rongcloud_broadcast_recall.mistaken_announcement]
    }
  }
}
