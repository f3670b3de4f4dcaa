package provider

// operations lists every vendor call the provider offers. Adding an operation is one file
// declaring it plus one line here; both the resource and the action follow.
func operations() []*Operation {
	return []*Operation{
		rongcloudExtensionDelete(),
		rongcloudBroadcastRecall(),
		easemobRoamingChatDelete(),
		easemobRoamingGroupDelete(),
		easemobRoamingClear(),
		easemobRoamingChatClear(),
		easemobRoamingGroupClear(),
		tencentimGroupMessageDeleteBySender(),
	}
}
