# Actions need Terraform 1.14 or later. An action runs only when invoked and keeps nothing in
# state, so the same cleanup can be run again from the command line:
#
#   terraform apply -invoke=action.imops_rongcloud_extension_delete.leaked_contact
#
# Progress is shown as the calls complete ("RongCloud: deleted 200 of 250 extension keys").
action "imops_rongcloud_extension_delete" "leaked_contact" {
  config {
    message_uid       = "BRGM-DEN2-01E4-BN66"
    user_id           = "moderator-1" # the operator
    conversation_type = "group"
    target_id         = "group-42"
    extra_keys        = ["phone", "home_address"]
  }
}

# Or run it when an incident record is created, in the same apply.
resource "terraform_data" "incident" {
  input = "SEC-2211"

  lifecycle {
    action_trigger {
      events  = [after_create]
      actions = [action.imops_rongcloud_extension_delete.leaked_contact]
    }
  }
}
