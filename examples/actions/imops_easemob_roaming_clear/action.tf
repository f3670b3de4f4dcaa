# Erase one person's whole roaming history after a verified GDPR erasure request. This cannot
# be undone, so it is invoked by hand from the reviewed change (Terraform 1.14 or later):
#
#   terraform apply -invoke=action.imops_easemob_roaming_clear.gdpr
#
# Nothing is kept in state: the record of the erasure is the ticket and the reviewed change.
variable "gdpr_erasure_user_id" {
  type        = string
  description = "Easemob user ID whose roaming history is erased, as named in the erasure ticket."

  validation {
    condition     = length(trimspace(var.gdpr_erasure_user_id)) > 0
    error_message = "Name exactly one user."
  }
}

action "imops_easemob_roaming_clear" "gdpr" {
  config {
    user_id = var.gdpr_erasure_user_id
  }
}

# Or run it once, when the ticket's record is created in an ordinary apply.
resource "terraform_data" "erasure_ticket" {
  input = "DPO-2025-0137"

  lifecycle {
    action_trigger {
      events  = [after_create]
      actions = [action.imops_easemob_roaming_clear.gdpr]
    }
  }
}
