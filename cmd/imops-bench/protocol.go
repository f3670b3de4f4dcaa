package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/imops/terraform-provider-imops/cmd/imops-bench/internal/cpuprofile"
	"github.com/imops/terraform-provider-imops/internal/provider"
)

// protocolActionCommand runs one action at plugin-protocol level, for a terraform older than
// 1.14, which cannot invoke actions. The harness starts it as a child process so that its wall
// time and peak memory are those of the provider's work alone, as for a provider process.
const protocolActionCommand = "protocol-action"

// benchActionType is the action every action case invokes.
const benchActionType = "imops_easemob_roaming_chat_delete"

// protocolActionMain reads the IDs file as the configuration would (split on newlines after
// trimming), then takes the action through the RPCs Terraform ≥ 1.14 sends: GetProviderSchema,
// ConfigureProvider (the vendor settings come from the environment), ValidateActionConfig,
// PlanAction and InvokeAction. It exits 1 on any error diagnostic.
func protocolActionMain(args []string, stderr io.Writer) int {
	set := flag.NewFlagSet(protocolActionCommand, flag.ContinueOnError)
	set.SetOutput(stderr)
	idsPath := set.String("ids", "", "file of message IDs, one a line")
	if err := set.Parse(args); err != nil {
		return exitUsage
	}
	data, err := os.ReadFile(*idsPath)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", protocolActionCommand, err)
		return exitError
	}
	ids := strings.Split(strings.TrimSpace(string(data)), "\n")
	stop, err := cpuprofile.Start()
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", protocolActionCommand, err)
		return exitError
	}
	defer stop()
	if err := invokeAtProtocolLevel(context.Background(), ids); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", protocolActionCommand, err)
		return exitError
	}
	return exitOK
}

func invokeAtProtocolLevel(ctx context.Context, ids []string) error {
	// The server the provider binary serves (main.go), not the framework's alone.
	server, err := provider.NewServer("bench")()
	if err != nil {
		return err
	}
	actions, ok := server.(tfprotov6.ActionServer)
	if !ok {
		return fmt.Errorf("the provider server (%T) does not serve actions", server)
	}
	schema, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		return fmt.Errorf("GetProviderSchema: %w", err)
	}
	if err := diagnosticsError("GetProviderSchema", schema.Diagnostics); err != nil {
		return err
	}
	providerConfig, err := dynamicValue(schema.Provider.ValueType(), nil)
	if err != nil {
		return err
	}
	configured, err := server.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{TerraformVersion: "1.14.0", Config: providerConfig})
	if err != nil {
		return fmt.Errorf("ConfigureProvider: %w", err)
	}
	if err := diagnosticsError("ConfigureProvider", configured.Diagnostics); err != nil {
		return err
	}
	actionSchema, ok := schema.ActionSchemas[benchActionType]
	if !ok {
		return fmt.Errorf("the provider has no action %s", benchActionType)
	}
	config, err := dynamicValue(actionSchema.Schema.ValueType(), map[string]any{
		"user_id": "alice", "peer_user_id": "bob", "message_ids": ids, "notify": false,
	})
	if err != nil {
		return err
	}
	validated, err := actions.ValidateActionConfig(ctx, &tfprotov6.ValidateActionConfigRequest{ActionType: benchActionType, Config: config})
	if err != nil {
		return fmt.Errorf("ValidateActionConfig: %w", err)
	}
	if err := diagnosticsError("ValidateActionConfig", validated.Diagnostics); err != nil {
		return err
	}
	planned, err := actions.PlanAction(ctx, &tfprotov6.PlanActionRequest{ActionType: benchActionType, Config: config})
	if err != nil {
		return fmt.Errorf("PlanAction: %w", err)
	}
	if err := diagnosticsError("PlanAction", planned.Diagnostics); err != nil {
		return err
	}
	stream, err := actions.InvokeAction(ctx, &tfprotov6.InvokeActionRequest{ActionType: benchActionType, Config: config})
	if err != nil {
		return fmt.Errorf("InvokeAction: %w", err)
	}
	completed := false
	for event := range stream.Events {
		if done, ok := event.Type.(tfprotov6.CompletedInvokeActionEventType); ok {
			completed = true
			if err := diagnosticsError("InvokeAction", done.Diagnostics); err != nil {
				return err
			}
		}
	}
	if !completed {
		return errors.New("InvokeAction: the stream ended without a completed event")
	}
	return nil
}

// diagnosticsError turns a call's error diagnostics into one error.
func diagnosticsError(call string, diags []*tfprotov6.Diagnostic) error {
	var problems []string
	for _, d := range diags {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			problems = append(problems, d.Summary+": "+d.Detail)
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s: %s", call, strings.Join(problems, "; "))
	}
	return nil
}

// dynamicValue encodes a configuration of type typ as Terraform sends it: values names the
// attributes that are set (strings, bools, string slices for lists and sets); every other
// attribute, and nested blocks, are null.
func dynamicValue(typ tftypes.Type, values map[string]any) (*tfprotov6.DynamicValue, error) {
	object, ok := typ.(tftypes.Object)
	if !ok {
		return nil, fmt.Errorf("a configuration must be an object, not %s", typ)
	}
	attrs := map[string]tftypes.Value{}
	for name, attrType := range object.AttributeTypes {
		value, err := attributeValue(attrType, values[name])
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		attrs[name] = value
	}
	for name := range values {
		if _, ok := object.AttributeTypes[name]; !ok {
			return nil, fmt.Errorf("the schema has no attribute %q", name)
		}
	}
	dv, err := tfprotov6.NewDynamicValue(object, tftypes.NewValue(object, attrs))
	if err != nil {
		return nil, err
	}
	return &dv, nil
}

func attributeValue(typ tftypes.Type, v any) (tftypes.Value, error) {
	strs, isList := v.([]string)
	if !isList {
		if v != nil {
			if err := tftypes.ValidateValue(typ, v); err != nil {
				return tftypes.Value{}, err
			}
		}
		return tftypes.NewValue(typ, v), nil
	}
	// message_ids is a set in 0.1.0 and a list after: encode for whichever the schema says.
	var elemType tftypes.Type
	switch collection := typ.(type) {
	case tftypes.List:
		elemType = collection.ElementType
	case tftypes.Set:
		elemType = collection.ElementType
	default:
		return tftypes.Value{}, fmt.Errorf("want a list or a set for a slice, got %s", typ)
	}
	elems := make([]tftypes.Value, len(strs))
	for i, s := range strs {
		elems[i] = tftypes.NewValue(elemType, s)
	}
	return tftypes.NewValue(typ, elems), nil
}
