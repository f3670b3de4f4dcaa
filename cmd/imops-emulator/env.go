package main

import (
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/imops/terraform-provider-imops/internal/emulator"
)

// vendorEnv lists, per vendor, the provider's environment variables that choose the app and
// where its requests go. env clears them all before setting those of the fixture's vendors,
// so a rehearsal can never reach a real vendor through a variable left in the CI environment.
var vendorEnv = []string{
	"IMOPS_RONGCLOUD_APP_KEY", "IMOPS_RONGCLOUD_APP_SECRET", "IMOPS_RONGCLOUD_REGION", "IMOPS_RONGCLOUD_API_URLS",
	"IMOPS_EASEMOB_API_URL", "IMOPS_EASEMOB_ORG_NAME", "IMOPS_EASEMOB_APP_NAME",
	"IMOPS_EASEMOB_CLIENT_ID", "IMOPS_EASEMOB_CLIENT_SECRET", "IMOPS_EASEMOB_APP_TOKEN",
	"IMOPS_TENCENTIM_SDK_APP_ID", "IMOPS_TENCENTIM_IDENTIFIER", "IMOPS_TENCENTIM_SECRET_KEY",
	"IMOPS_TENCENTIM_USER_SIG", "IMOPS_TENCENTIM_REGION", "IMOPS_TENCENTIM_API_URLS",
}

type envFlags struct {
	set          *flag.FlagSet
	url, fixture *string
}

func newEnvFlags() *envFlags {
	set := flag.NewFlagSet(name+" env", flag.ContinueOnError)
	return &envFlags{
		set:     set,
		url:     set.String("url", defaultURL, "base URL of the running emulator"),
		fixture: set.String("fixture", "", "the fixture `file` the emulator was started with (default: the built-in demo data)"),
	}
}

// env prints POSIX shell lines (for eval) that clear the provider's vendor variables and set
// those of each vendor in the fixture to its credentials and the emulator's URLs.
func env(args []string, stdout, stderr io.Writer) int {
	flags := newEnvFlags()
	if code := parseFlags(flags.set, args, 0, "", stdout, stderr); code >= 0 {
		return code
	}
	fixture := emulator.DemoFixture()
	if *flags.fixture != "" {
		var err error
		if fixture, err = emulator.LoadFixtureFile(*flags.fixture); err != nil {
			return failed(stderr, err)
		}
	}
	fmt.Fprint(stdout, shellEnv(strings.TrimRight(*flags.url, "/"), fixture))
	return exitOK
}

func shellEnv(base string, f emulator.Fixture) string {
	var b strings.Builder
	b.WriteString("unset " + strings.Join(vendorEnv, " ") + "\n")
	export := func(pairs ...string) {
		b.WriteString("export")
		for i := 0; i < len(pairs); i += 2 {
			b.WriteString(" " + pairs[i] + "=" + shellQuote(pairs[i+1]))
		}
		b.WriteString("\n")
	}
	if rc := f.RongCloud; rc != nil {
		export("IMOPS_RONGCLOUD_APP_KEY", rc.AppKey, "IMOPS_RONGCLOUD_APP_SECRET", rc.AppSecret,
			"IMOPS_RONGCLOUD_API_URLS", base+"/rongcloud,"+base+"/rongcloud-backup")
	}
	if em := f.Easemob; em != nil {
		export("IMOPS_EASEMOB_API_URL", base+"/easemob", "IMOPS_EASEMOB_ORG_NAME", em.OrgName, "IMOPS_EASEMOB_APP_NAME", em.AppName,
			"IMOPS_EASEMOB_CLIENT_ID", em.ClientID, "IMOPS_EASEMOB_CLIENT_SECRET", em.ClientSecret)
	}
	if tc := f.TencentIM; tc != nil && len(tc.Admins) > 0 {
		export("IMOPS_TENCENTIM_SDK_APP_ID", strconv.FormatUint(tc.SDKAppID, 10), "IMOPS_TENCENTIM_IDENTIFIER", tc.Admins[0],
			"IMOPS_TENCENTIM_SECRET_KEY", tc.SecretKey, "IMOPS_TENCENTIM_API_URLS", base+"/tencentim,"+base+"/tencentim-backup")
	}
	return b.String()
}

// shellQuote quotes s for a POSIX shell: inside single quotes nothing is special but the
// single quote itself.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
