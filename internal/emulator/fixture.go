package emulator

import (
	"embed"
	"encoding/json"
	"fmt"
	"os"
)

// Fixture is the emulator's starting data, one optional part per vendor. A vendor without its
// part answers every call as an unknown app.
type Fixture struct {
	RongCloud *RongCloudFixture `json:"rongcloud,omitempty"`
	Easemob   *EasemobFixture   `json:"easemob,omitempty"`
	TencentIM *TencentIMFixture `json:"tencentim,omitempty"`
}

// Snapshot is a copy of every vendor's store, as the admin API's /_admin/state returns it.
type Snapshot struct {
	RongCloud *RongCloudState `json:"rongcloud,omitempty"`
	Easemob   *EasemobState   `json:"easemob,omitempty"`
	TencentIM *TencentIMState `json:"tencentim,omitempty"`
}

//go:embed testdata/demo-fixture.json
var demoFixture embed.FS

// DemoFixture returns the fixture the demo and the command's default use: a few messages per
// vendor, with credentials that only make sense against the emulator.
func DemoFixture() Fixture {
	data, err := demoFixture.ReadFile("testdata/demo-fixture.json")
	if err != nil {
		panic(err)
	}
	var f Fixture
	if err := json.Unmarshal(data, &f); err != nil {
		panic(fmt.Sprintf("embedded demo fixture: %v", err))
	}
	return f
}

// LoadFixtureFile reads a fixture from a JSON file.
func LoadFixtureFile(path string) (Fixture, error) {
	var f Fixture
	data, err := os.ReadFile(path)
	if err != nil {
		return f, err
	}
	if err := json.Unmarshal(data, &f); err != nil {
		return f, fmt.Errorf("%s: %w", path, err)
	}
	return f, nil
}
