# A member's client posted a test dump into a group. Take those messages out of that member's
# own history only; the other members keep theirs (use one resource per member whose copy
# must go). Lists of any length are sent 50 IDs per call within Easemob's rate limit, so a
# long list can also come from a reviewed file: split("\n", trimspace(file("ids.txt"))).
resource "imops_easemob_roaming_group_delete" "test_dump" {
  user_id  = "qa_bot"
  group_id = "226615398744066"
  message_ids = [
    "1235807318835202101",
    "1235807318835202102",
    "1235807318835202103",
  ]
  notify = false # the bot has no devices to tell
}
