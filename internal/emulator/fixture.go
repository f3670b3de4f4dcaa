package emulator

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"slices"
	"sort"
	"strings"
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
	f, err := decodeFixture(bytes.NewReader(data))
	if err != nil {
		panic(fmt.Sprintf("embedded demo fixture: %v", err))
	}
	return f
}

// LoadFixtureFile reads a fixture from a JSON file. Unknown fields are refused, and so is a
// fixture that Validate rejects, so a typo cannot turn into an empty ID.
func LoadFixtureFile(path string) (Fixture, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Fixture{}, err
	}
	f, err := decodeFixture(bytes.NewReader(data))
	if err != nil {
		return Fixture{}, fmt.Errorf("%s: %w", path, err)
	}
	return f, nil
}

// decodeFixture reads one JSON fixture, refusing unknown fields and trailing data, and
// validates it.
func decodeFixture(r io.Reader) (Fixture, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return Fixture{}, err
	}
	var f Fixture
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		// encoding/json names the unknown field but not where it is; find it.
		if strings.HasPrefix(err.Error(), "json: unknown field ") {
			if located := locateUnknownField(data); located != nil {
				return Fixture{}, located
			}
		}
		return Fixture{}, fmt.Errorf("fixture is not valid JSON: %w", err)
	}
	var extra json.RawMessage
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return Fixture{}, errors.New("fixture is not valid JSON: data after the fixture object")
	}
	if err := f.Validate(); err != nil {
		return Fixture{}, err
	}
	return f, nil
}

// locateUnknownField returns an error naming the JSON path of the first field (in document
// order of paths, keys sorted) that the Fixture types do not have, or nil.
func locateUnknownField(data []byte) error {
	var doc any
	if json.Unmarshal(data, &doc) != nil {
		return nil
	}
	path, key := unknownField(doc, reflect.TypeOf(Fixture{}), "")
	if key == "" {
		return nil
	}
	if path == "" {
		return fmt.Errorf("unknown field %q at the top level of the fixture (expected rongcloud, easemob or tencentim)", key)
	}
	return fmt.Errorf("%s: unknown field %q", path, key)
}

func unknownField(doc any, t reflect.Type, path string) (string, string) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct:
		obj, ok := doc.(map[string]any)
		if !ok {
			return "", ""
		}
		keys := make([]string, 0, len(obj))
		for k := range obj {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			field, ok := jsonField(t, k)
			if !ok {
				return path, k
			}
			if p, bad := unknownField(obj[k], field.Type, joinPath(path, field.Tag.Get("json"), field.Name)); bad != "" {
				return p, bad
			}
		}
	case reflect.Slice, reflect.Array:
		list, ok := doc.([]any)
		if !ok {
			return "", ""
		}
		for i, item := range list {
			if p, bad := unknownField(item, t.Elem(), fmt.Sprintf("%s[%d]", path, i)); bad != "" {
				return p, bad
			}
		}
	case reflect.Map:
		obj, ok := doc.(map[string]any)
		if !ok {
			return "", ""
		}
		for k, v := range obj {
			if p, bad := unknownField(v, t.Elem(), path+"."+k); bad != "" {
				return p, bad
			}
		}
	}
	return "", ""
}

// jsonField finds the struct field a JSON key decodes into, matching as encoding/json does:
// exactly, else case-insensitively.
func jsonField(t reflect.Type, key string) (reflect.StructField, bool) {
	var folded *reflect.StructField
	for i := range t.NumField() {
		field := t.Field(i)
		name, _, _ := strings.Cut(field.Tag.Get("json"), ",")
		if name == "-" || !field.IsExported() {
			continue
		}
		if name == "" {
			name = field.Name
		}
		if name == key {
			return field, true
		}
		if folded == nil && strings.EqualFold(name, key) {
			folded = &field
		}
	}
	if folded != nil {
		return *folded, true
	}
	return reflect.StructField{}, false
}

func joinPath(path, tag, fieldName string) string {
	name, _, _ := strings.Cut(tag, ",")
	if name == "" {
		name = fieldName
	}
	if path == "" {
		return name
	}
	return path + "." + name
}

// maxFixtureProblems caps how many problems Validate lists, so a fixture with a systematic
// mistake gives a readable error.
const maxFixtureProblems = 10

// fixtureProblems collects what Validate finds, each prefixed with its JSON path.
type fixtureProblems []string

func (p *fixtureProblems) add(path, format string, args ...any) {
	*p = append(*p, path+": "+fmt.Sprintf(format, args...))
}

func (p *fixtureProblems) empty(path, value string) {
	if strings.TrimSpace(value) == "" {
		p.add(path, "empty")
	}
}

// firstSeen reports duplicate IDs: the first path holding each ID.
type firstSeen map[string]string

func (p *fixtureProblems) unique(seen firstSeen, path, id string) {
	if id == "" {
		return
	}
	if first, ok := seen[id]; ok {
		p.add(path, "duplicate ID %q (also at %s)", id, first)
		return
	}
	seen[id] = path
}

func (p fixtureProblems) err() error {
	if len(p) == 0 {
		return nil
	}
	shown := p
	if len(shown) > maxFixtureProblems {
		shown = shown[:maxFixtureProblems]
	}
	msg := "invalid fixture: " + strings.Join(shown, "; ")
	if more := len(p) - len(shown); more > 0 {
		msg += fmt.Sprintf("; and %d more", more)
	}
	return errors.New(msg)
}

// Validate rejects a fixture the vendors could not serve as intended: empty credentials or
// IDs, unknown conversation, chat or group types, messages addressed to undeclared groups or
// topics, and duplicate IDs. Each problem is named by its JSON path, e.g.
// "easemob.messages[3].msg_id: empty". New accepts any fixture; LoadFixtureFile and the admin
// API's PUT /_admin/fixture call Validate.
func (f Fixture) Validate() error {
	var p fixtureProblems
	if f.RongCloud != nil {
		p.rongcloud(f.RongCloud)
	}
	if f.Easemob != nil {
		p.easemob(f.Easemob)
	}
	if f.TencentIM != nil {
		p.tencentim(f.TencentIM)
	}
	return p.err()
}

func (p *fixtureProblems) rongcloud(app *RongCloudFixture) {
	p.empty("rongcloud.app_key", app.AppKey)
	p.empty("rongcloud.app_secret", app.AppSecret)
	seen := firstSeen{}
	for i, m := range app.Messages {
		path := fmt.Sprintf("rongcloud.messages[%d]", i)
		p.empty(path+".msg_uid", m.MsgUID)
		p.empty(path+".from_user_id", m.FromUserID)
		p.empty(path+".target_id", m.TargetID)
		if m.ConversationType != "private" && m.ConversationType != "group" {
			p.add(path+".conversation_type", "%q is not private or group", m.ConversationType)
		}
		p.unique(seen, path+".msg_uid", m.MsgUID)
	}
	seen = firstSeen{}
	for i, b := range app.Broadcasts {
		path := fmt.Sprintf("rongcloud.broadcasts[%d]", i)
		p.empty(path+".message_uid", b.MessageUID)
		p.empty(path+".from_user_id", b.FromUserID)
		p.unique(seen, path+".message_uid", b.MessageUID)
	}
}

var easemobGroupTypes = map[string]string{"group": "groupchat", "chatroom": "chatroom"}

func (p *fixtureProblems) easemob(app *EasemobFixture) {
	p.empty("easemob.org_name", app.OrgName)
	p.empty("easemob.app_name", app.AppName)
	p.empty("easemob.client_id", app.ClientID)
	p.empty("easemob.client_secret", app.ClientSecret)
	seen := firstSeen{}
	for i, user := range app.Users {
		path := fmt.Sprintf("easemob.users[%d]", i)
		p.empty(path, user)
		p.unique(seen, path, user)
	}
	groups := map[string]EasemobGroup{}
	seen = firstSeen{}
	for i, g := range app.Groups {
		path := fmt.Sprintf("easemob.groups[%d]", i)
		p.empty(path+".group_id", g.GroupID)
		if _, ok := easemobGroupTypes[g.Type]; !ok {
			p.add(path+".type", "%q is not group or chatroom", g.Type)
		}
		p.unique(seen, path+".group_id", g.GroupID)
		if _, dup := groups[g.GroupID]; !dup {
			groups[g.GroupID] = g
		}
	}
	seen = firstSeen{}
	for i, m := range app.Messages {
		path := fmt.Sprintf("easemob.messages[%d]", i)
		p.empty(path+".msg_id", m.MsgID)
		p.empty(path+".from", m.From)
		p.empty(path+".to", m.To)
		switch m.ChatType {
		case "chat":
		case "groupchat", "chatroom":
			if m.To == "" {
				break
			}
			g, ok := groups[m.To]
			if !ok {
				p.add(path+".to", "group %q is not declared in easemob.groups", m.To)
			} else if want, known := easemobGroupTypes[g.Type]; known && want != m.ChatType {
				p.add(path+".chat_type", "%q, but %q is declared as a %s (chat_type %s)", m.ChatType, m.To, g.Type, want)
			}
		default:
			p.add(path+".chat_type", "%q is not chat, groupchat or chatroom", m.ChatType)
		}
		p.unique(seen, path+".msg_id", m.MsgID)
	}
}

var tencentGroupTypes = []string{"Private", "Public", "ChatRoom", "AVChatRoom", "Community"}

func (p *fixtureProblems) tencentim(app *TencentIMFixture) {
	if app.SDKAppID == 0 {
		p.add("tencentim.sdk_app_id", "missing or 0")
	}
	p.empty("tencentim.secret_key", app.SecretKey)
	if len(app.Admins) == 0 {
		p.add("tencentim.admins", "empty: at least one admin account is needed to call the REST API")
	}
	seen := firstSeen{}
	for i, admin := range app.Admins {
		path := fmt.Sprintf("tencentim.admins[%d]", i)
		p.empty(path, admin)
		p.unique(seen, path, admin)
	}
	seen = firstSeen{}
	for i, g := range app.Groups {
		path := fmt.Sprintf("tencentim.groups[%d]", i)
		p.empty(path+".group_id", g.GroupID)
		if !slices.Contains(tencentGroupTypes, g.Type) {
			p.add(path+".type", "%q is not one of %s", g.Type, strings.Join(tencentGroupTypes, ", "))
		}
		p.unique(seen, path+".group_id", g.GroupID)
		topics := firstSeen{}
		for j, topic := range g.Topics {
			topicPath := fmt.Sprintf("%s.topics[%d]", path, j)
			p.empty(topicPath, topic)
			p.unique(topics, topicPath, topic)
		}
		// seqs maps each stream (the group's own, "", or a topic) to its seqs' first paths.
		seqs := map[string]map[uint64]string{}
		for j, m := range g.Messages {
			msgPath := fmt.Sprintf("%s.messages[%d]", path, j)
			p.empty(msgPath+".sender", m.Sender)
			if m.TopicID != "" && !slices.Contains(g.Topics, m.TopicID) {
				p.add(msgPath+".topic_id", "%q is not declared in %s.topics", m.TopicID, path)
			}
			if m.Seq == 0 {
				p.add(msgPath+".seq", "missing or 0 (seqs start at 1)")
				continue
			}
			stream := seqs[m.TopicID]
			if stream == nil {
				stream = map[uint64]string{}
				seqs[m.TopicID] = stream
			}
			if first, dup := stream[m.Seq]; dup {
				where := "the group's own stream"
				if m.TopicID != "" {
					where = fmt.Sprintf("topic %q", m.TopicID)
				}
				p.add(msgPath+".seq", "duplicate seq %d in %s (also at %s)", m.Seq, where, first)
				continue
			}
			stream[m.Seq] = msgPath
		}
	}
}
