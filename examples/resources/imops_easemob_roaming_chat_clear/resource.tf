# Apply a retention policy to one user's copy of a one-to-one chat: everything sent up to and
# including the cut-off goes from their history; later messages and the peer's copy stay.
resource "imops_easemob_roaming_chat_clear" "retention" {
  user_id      = "alice"
  peer_user_id = "bob"
  before       = "2024-12-31T23:59:59.999+08:00" # end of 2024, Beijing time
}
