# A broadcast went to every user by mistake. Recall it and leave no "message recalled" notice.
# RongCloud allows this call only twice an hour and three times a day, so the provider never
# resends it after an answer it cannot trust; a failure says so and is safe to apply again later.
resource "imops_rongcloud_broadcast_recall" "mistaken_announcement" {
  from_user_id = "system"
  message_uid  = "5FGT-7VA9-G4DD-4V5P"
  sent_time    = 1507778882124 # dateTime from the message history log
  is_delete    = true
}
