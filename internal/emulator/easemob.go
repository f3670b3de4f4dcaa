package emulator

import "net/http"

// EasemobFixture is the Easemob part of a fixture.
type EasemobFixture struct{}

// EasemobState is the Easemob store.
type EasemobState struct{}

type easemobVendor struct{ emu *Emulator }

func newEasemobVendor(e *Emulator) *easemobVendor { return &easemobVendor{emu: e} }
func (v *easemobVendor) name() string             { return "easemob" }
func (v *easemobVendor) load(Fixture)             {}
func (v *easemobVendor) snapshot(*Snapshot)       {}
func (v *easemobVendor) rateLimitAnswer(w http.ResponseWriter) {
	writeJSON(w, http.StatusTooManyRequests, map[string]string{"error": "too_many_requests"})
}
func (v *easemobVendor) serve(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusNotFound, map[string]string{"error": "not_implemented"})
}
