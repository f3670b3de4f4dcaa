# A support agent pasted a customer's card number into a one-to-one chat. Remove those
# messages from the agent's server-side history (and, with notify, from their signed-in
# devices). The customer's copy is not touched: roaming deletion is one-way.
resource "imops_easemob_roaming_chat_delete" "card_number_leak" {
  user_id      = "agent_0042"
  peer_user_id = "customer_81934"
  message_ids = [
    "1235807318835202004",
    "1235807318835202005",
  ]

  # Re-run the deletion if the ticket is reopened with more IDs to check.
  triggers = {
    ticket = "SEC-2291"
  }
}
