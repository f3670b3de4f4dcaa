package tencentim

import (
	"fmt"
	"strings"
)

// DefaultRegion is the data center used when none is configured: apps created without
// choosing one live in China.
const DefaultRegion = "china"

// region is one data center: its name in the provider configuration and its two REST API
// hosts. The backup host exists for DNS trouble with the primary.
type region struct {
	name            string
	primary, backup string
}

// regions keeps the order of Tencent's own documentation, so the default comes first in
// every listing shown to users.
var regions = []region{
	{"china", "console.tim.qq.com", "adminapi.my-imcloud.com"},
	{"singapore", "adminapisgp.im.qcloud.com", "adminapisgp.my-imcloud.com"},
	{"seoul", "adminapikr.im.qcloud.com", "adminapikr.my-imcloud.com"},
	{"tokyo", "adminapijpn.im.qcloud.com", "adminapijpn.my-imcloud.com"},
	{"frankfurt", "adminapiger.im.qcloud.com", "adminapiger.my-imcloud.com"},
	{"mumbai", "adminapiind.im.qcloud.com", "adminapiind.my-imcloud.com"},
	{"silicon_valley", "adminapiusa.im.qcloud.com", "adminapiusa.my-imcloud.com"},
	{"jakarta", "adminapiidn.im.qcloud.com", "adminapiidn.my-imcloud.com"},
}

// Regions lists the data-center names accepted in the provider configuration, default first.
func Regions() []string {
	names := make([]string, len(regions))
	for i, r := range regions {
		names[i] = r.name
	}
	return names
}

// RegionURLs returns the primary and backup base URLs of a data center.
func RegionURLs(name string) ([]string, error) {
	for _, r := range regions {
		if r.name == name {
			return []string{"https://" + r.primary, "https://" + r.backup}, nil
		}
	}
	return nil, fmt.Errorf("unknown Tencent Cloud IM region %q (expected one of %s)", name, strings.Join(Regions(), ", "))
}
