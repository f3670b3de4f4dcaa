# Clear a member's copy of a chat room up to the moment they left (Terraform 1.14 or later):
#
#   terraform apply -invoke=action.imops_easemob_roaming_group_clear.left_town_hall
action "imops_easemob_roaming_group_clear" "left_town_hall" {
  config {
    user_id  = "dave"
    group_id = "262869357445121" # a group ID or a chat room ID
    before   = "2025-03-14T09:30:00Z"
  }
}

# Or as part of the apply that records the member's request.
resource "terraform_data" "member_request" {
  input = "REQ-5521"

  lifecycle {
    action_trigger {
      events  = [after_create]
      actions = [action.imops_easemob_roaming_group_clear.left_town_hall]
    }
  }
}
