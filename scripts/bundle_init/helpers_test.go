package main

import (
	"strings"
	"testing"
	"text/template"
)

func renderWith(t *testing.T, text string) (string, error) {
	t.Helper()
	tm, err := template.New("").Funcs(helperFuncs()).Option("missingkey=error").Parse(text)
	if err != nil {
		return "", err
	}
	var sb strings.Builder
	err = tm.Execute(&sb, map[string]any{})
	return sb.String(), err
}

func TestIsUUID(t *testing.T) {
	for s, want := range map[string]bool{
		"aaaaaaaa-bbbb-4ccc-dddd-eeeeeeeeeeee":          true,
		"AAAAAAAA-BBBB-4CCC-DDDD-EEEEEEEEEEEE":          true,
		"urn:uuid:aaaaaaaa-bbbb-4ccc-dddd-eeeeeeeeeeee": true,
		"{aaaaaaaa-bbbb-4ccc-dddd-eeeeeeeeeeee}":        true,
		"aaaaaaaabbbb4cccddddeeeeeeeeeeee":              true,
		"user@example.com":                              false,
		"aaaaaaaa-bbbb-4ccc-dddd-eeeeeeeeeeeg":          false,
		"aaaaaaaa_bbbb-4ccc-dddd-eeeeeeeeeeee":          false,
	} {
		if got := isUUID(s); got != want {
			t.Errorf("isUUID(%q) = %v", s, got)
		}
	}
	if !isUUID(newUUID()) || newUUID() == newUUID() {
		t.Error("uuid helper")
	}
}

func TestWorkspaceHelpers(t *testing.T) {
	clearWorkspaceEnv(t)
	got, err := renderWith(t, "{{workspace_host}}|{{user_name}}|{{short_name}}|{{default_catalog}}|{{is_service_principal}}|{{smallest_node_type}}|{{path_separator}}")
	if err != nil {
		t.Fatal(err)
	}
	if got != "https://your-workspace.cloud.databricks.com|user@example.com|user||false|i3.xlarge|/" {
		t.Errorf("defaults: %q", got)
	}
	t.Setenv(envHost, "adb-123.4.azuredatabricks.net/")
	t.Setenv(envUserName, "Jean-Luc.Picard+x@Example.com")
	t.Setenv(envDefaultCatalog, "dev")
	got, _ = renderWith(t, "{{workspace_host}}|{{short_name}}|{{default_catalog}}|{{smallest_node_type}}")
	if got != "https://adb-123.4.azuredatabricks.net|jean_luc_picard_x|dev|Standard_D3_v2" {
		t.Errorf("azure: %q", got)
	}
	t.Setenv(envHost, "https://1234.5.gcp.databricks.com")
	t.Setenv(envUserName, "aaaaaaaa-bbbb-4ccc-dddd-eeeeeeeeeeee")
	t.Setenv(envDisplayName, "My SP")
	got, _ = renderWith(t, "{{smallest_node_type}}|{{is_service_principal}}|{{short_name}}")
	if got != "n1-standard-4|true|my_sp" {
		t.Errorf("gcp/sp: %q", got)
	}
}

func TestGenericHelpers(t *testing.T) {
	got, err := renderWith(t, `{{(url "https://h.example.com/p?q=1").Host}}|{{lower "AbC"}}|{{upper "abc"}}|{{$m := map (pair "a" 1) (pair "b" "x")}}{{$m.a}}{{$m.b}}|{{if lt (random_int 3) 3}}ok{{end}}|{{eq bundle_uuid bundle_uuid}}|{{len uuid}}`)
	if err != nil {
		t.Fatal(err)
	}
	if got != "h.example.com|abc|ABC|1x|ok|true|36" {
		t.Errorf("got %q", got)
	}
	if _, err := renderWith(t, `{{fail "boom %d" 3}}`); err == nil || !strings.Contains(err.Error(), "boom 3") {
		t.Errorf("fail: %v", err)
	}
	// No sprig: unknown functions are parse errors.
	if _, err := renderWith(t, `{{default "a" "b"}}`); err == nil {
		t.Error("sprig's default must not exist")
	}
	if _, err := renderWith(t, `{{skip "x"}}`); err == nil {
		t.Error("skip exists only while walking the template tree")
	}
}

func TestNormalizeName(t *testing.T) {
	for in, want := range map[string]string{"a.b": "a_b", "__A--b__": "a_b", "Ünïcode.Name": "ünïcode_name", "x...y": "x_y"} {
		if got := normalizeName(in); got != want {
			t.Errorf("normalizeName(%q) = %q, want %q", in, got, want)
		}
	}
}
