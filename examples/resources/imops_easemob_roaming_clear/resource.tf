# Erase one person's whole roaming history, in every chat, group and chat room, after a
# verified GDPR erasure request. This cannot be undone. The people they talked with keep their
# own copies, which is what one-way deletion means on Easemob.
variable "gdpr_erasure_user_id" {
  type        = string
  description = "Easemob user ID whose roaming history is erased. Set only in the reviewed pull request that closes the erasure ticket; never computed or taken from a list."

  validation {
    condition     = length(trimspace(var.gdpr_erasure_user_id)) > 0
    error_message = "Name exactly one user."
  }
}

resource "imops_easemob_roaming_clear" "gdpr_erasure" {
  user_id = var.gdpr_erasure_user_id

  triggers = {
    ticket = "DPO-2025-0137"
  }
}
