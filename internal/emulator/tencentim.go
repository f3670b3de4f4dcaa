package emulator

import "net/http"

// TencentIMFixture is the TencentIM part of a fixture.
type TencentIMFixture struct{}

// TencentIMState is the TencentIM store.
type TencentIMState struct{}

type tencentimVendor struct{ emu *Emulator }

func newTencentIMVendor(e *Emulator) *tencentimVendor { return &tencentimVendor{emu: e} }
func (v *tencentimVendor) name() string               { return "tencentim" }
func (v *tencentimVendor) load(Fixture)               {}
func (v *tencentimVendor) snapshot(*Snapshot)         {}
func (v *tencentimVendor) rateLimitAnswer(w http.ResponseWriter) {
	writeJSON(w, http.StatusTooManyRequests, map[string]string{"error": "too_many_requests"})
}
func (v *tencentimVendor) serve(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusNotFound, map[string]string{"error": "not_implemented"})
}
