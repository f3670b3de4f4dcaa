# A user left a busy chat room and asked for its history to go from their account. Clear their
# copy of everything sent up to the moment they left; the other members see no change.
resource "imops_easemob_roaming_group_clear" "left_town_hall" {
  user_id  = "dave"
  group_id = "262869357445121" # a group ID or a chat room ID
  before   = "2025-03-14T09:30:00Z"
  notify   = true
}
