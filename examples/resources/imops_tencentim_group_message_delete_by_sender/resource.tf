# A spam account flooded a public group. Recall everything it sent among the group's last
# 1,000 messages; anything older is out of reach, so apply soon after the incident. The
# recall is silent: members' apps drop the messages when they next pull the history.
resource "imops_tencentim_group_message_delete_by_sender" "spam_wave" {
  group_id       = "@TGS#2C5SZEAEF"
  sender_account = "promo_bot_8812"
}

# In a topic-enabled community, limit the recall to one topic; the member's messages in the
# community itself and in other topics stay.
resource "imops_tencentim_group_message_delete_by_sender" "leak_in_topic" {
  group_id       = "@TGS#_@TGS#cQVLVHIM62CJ"
  sender_account = "leckie"
  topic_id       = "@TGS#_@TGS#cQVLVHIM62CJ@TOPIC#_TestTopic"

  # The same member may post again later: a new ticket runs the recall again.
  triggers = {
    ticket = "MOD-4471"
  }
}
