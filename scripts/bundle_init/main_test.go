package main

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// result of one in-process run of the renderer.
type result struct {
	err            error
	stdout, stderr string
}

func runInit(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(args, strings.NewReader(stdin), &out, &errb)
	return result{err, out.String(), errb.String()}
}

func writeJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "config.json")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// tree lists files ("f path") and directories ("d path") under root.
func tree(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if rel == "." {
			return nil
		}
		kind := "f "
		if d.IsDir() {
			kind = "d "
		}
		out = append(out, kind+filepath.ToSlash(rel))
		return nil
	})
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

func read(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func clearWorkspaceEnv(t *testing.T) {
	for _, k := range []string{envHost, envUserName, envDisplayName, envDefaultCatalog, envAzureResource, envRecordHistory} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
}

func TestBasicRenderWithConfigFile(t *testing.T) {
	clearWorkspaceEnv(t)
	t.Setenv(envUserName, "jane.doe@example.com")
	out := t.TempDir()
	cfg := writeJSON(t, map[string]any{"project_name": "sales", "layer": "gold"})
	r := runInit(t, "", "testdata/basic", "--config-file", cfg, "--output-dir", out)
	if r.err != nil {
		t.Fatalf("run: %v\n%s", r.err, r.stderr)
	}
	want := []string{
		"d sales", "d sales/empty_dir", "d sales/scripts",
		"f sales/README.md", "f sales/raw_gold.txt", "f sales/scripts/gen.sh", "f sales/scripts/run.sh",
	}
	if got := tree(t, out); !reflect.DeepEqual(got, want) {
		t.Fatalf("tree:\n got %v\nwant %v", got, want)
	}
	readme := read(t, filepath.Join(out, "sales/README.md"))
	for _, s := range []string{
		"Table: gold_sales",                      // library definition via {{template}}
		"Pipeline: sales_pipeline",               // default rendered as a template
		"Workers: 2",                             // integer default
		"Owner: jane_doe (jane.doe@example.com)", // short_name / user_name
		"layer=gold",                             // map/pair
		"- A\n- B\n- C",                          // regexp Split + upper
	} {
		if !strings.Contains(readme, s) {
			t.Errorf("README.md lacks %q:\n%s", s, readme)
		}
	}
	// non-.tmpl file: byte-for-byte, even with {{ in it.
	src := read(t, "testdata/basic/template/{{.project_name}}/raw_{{.layer}}.txt")
	if got := read(t, filepath.Join(out, "sales/raw_gold.txt")); got != src {
		t.Errorf("raw file changed: %q != %q", got, src)
	}
	for _, f := range []string{"sales/scripts/run.sh", "sales/scripts/gen.sh"} {
		info, err := os.Stat(filepath.Join(out, f))
		if err != nil {
			t.Fatal(err)
		}
		if info.Mode().Perm()&0o100 == 0 {
			t.Errorf("%s lost its executable bit: %v", f, info.Mode())
		}
	}
	if info, _ := os.Stat(filepath.Join(out, "sales/README.md")); info.Mode().Perm()&0o111 != 0 {
		t.Errorf("README.md became executable")
	}
	if got := read(t, filepath.Join(out, "sales/scripts/gen.sh")); !strings.Contains(got, "generated for sales") {
		t.Errorf("gen.sh not rendered: %q", got)
	}
	if !strings.Contains(r.stderr, "Welcome to the fixture template on https://your-workspace.cloud.databricks.com!") {
		t.Errorf("welcome message missing: %s", r.stderr)
	}
	if !strings.Contains(r.stderr, "Created sales with sales_pipeline.") {
		t.Errorf("success message missing: %s", r.stderr)
	}
}

func TestJSONOutputListsWrittenFiles(t *testing.T) {
	out := t.TempDir()
	cfg := writeJSON(t, map[string]any{"use_serverless": "no"})
	r := runInit(t, "", "testdata/basic", "--config-file="+cfg, "--output-dir", out, "-o", "json")
	if r.err != nil {
		t.Fatal(r.err)
	}
	var got struct{ Outputs []string }
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("%v: %q", err, r.stdout)
	}
	want := []string{"my_project/README.md", "my_project/empty_dir/only_serverless.txt", "my_project/raw_silver.txt", "my_project/scripts/gen.sh", "my_project/scripts/run.sh"}
	if !reflect.DeepEqual(got.Outputs, want) {
		t.Errorf("outputs %v, want %v", got.Outputs, want)
	}
}

func TestPromptsUseDefaultsAndSkipPromptIf(t *testing.T) {
	out := t.TempDir()
	// Enter on every prompt: use_serverless=yes, so num_workers is not asked.
	r := runInit(t, "\n\n\n\n", "testdata/basic", "--output-dir", out)
	if r.err != nil {
		t.Fatalf("%v\n%s", r.err, r.stderr)
	}
	if strings.Contains(r.stderr, "Workers") {
		t.Errorf("num_workers was prompted although skip_prompt_if holds:\n%s", r.stderr)
	}
	if !strings.Contains(r.stderr, "Pipeline name for my_project [my_project_pipeline]: ") {
		t.Errorf("description/default not rendered as templates:\n%s", r.stderr)
	}
	if strings.Contains(r.stderr, "Owner") {
		t.Errorf("owner has skip_prompt_if {} and must not be asked:\n%s", r.stderr)
	}
	readme := read(t, filepath.Join(out, "my_project/README.md"))
	if !strings.Contains(readme, "Workers: 2") || !strings.Contains(readme, "Owner: user (user@example.com)") {
		t.Errorf("defaults not used:\n%s", readme)
	}

	// use_serverless=no: num_workers is asked; a bad answer is retried.
	out2 := t.TempDir()
	r = runInit(t, "etl\n\n1\n2\nmany\n7\n", "testdata/basic", "--output-dir", out2)
	if r.err != nil {
		t.Fatalf("%v\n%s", r.err, r.stderr)
	}
	if !strings.Contains(r.stderr, `Validation failed: "many" is not a integer`) {
		t.Errorf("no retry on bad integer:\n%s", r.stderr)
	}
	readme = read(t, filepath.Join(out2, "etl/README.md"))
	for _, s := range []string{"Pipeline: etl_pipeline", "Table: bronze_etl", "Workers: 7"} {
		if !strings.Contains(readme, s) {
			t.Errorf("README lacks %q:\n%s", s, readme)
		}
	}
	if _, err := os.Stat(filepath.Join(out2, "etl/empty_dir/only_serverless.txt")); err != nil {
		t.Errorf("conditional skip wrongly applied: %v", err)
	}
}

func TestPromptBadAnswerAtEndOfInputFails(t *testing.T) {
	out := t.TempDir()
	r := runInit(t, "Bad Name\n", "testdata/basic", "--output-dir", out)
	if r.err == nil || !strings.Contains(r.err.Error(), "Project name must be lower_snake_case") {
		t.Fatalf("want pattern error, got %v", r.err)
	}
	if got := tree(t, out); len(got) != 0 {
		t.Errorf("files written: %v", got)
	}
}

func TestBadAnswersWriteNothing(t *testing.T) {
	cases := []struct {
		name string
		cfg  map[string]any
		want string
	}{
		{"pattern", map[string]any{"project_name": "Bad Name"},
			`failed to load config from file CFG: invalid value for project_name: "Bad Name". Project name must be lower_snake_case and start with a letter.`},
		{"enum", map[string]any{"layer": "platinum"},
			"expected value of property layer to be one of [bronze silver gold]. Found: platinum"},
		{"type", map[string]any{"project_name": 5},
			`incorrect type for property project_name: expected type string, but value is 5`},
		{"integer", map[string]any{"num_workers": "two"},
			`failed to parse property num_workers: cannot convert "two" to an integer`},
		{"not integer", map[string]any{"num_workers": 2.5},
			"failed to parse property num_workers: expected integer value, got: 2.5"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			cfg := writeJSON(t, c.cfg)
			r := runInit(t, "", "testdata/basic", "--config-file", cfg, "--output-dir", out)
			if r.err == nil || !strings.Contains(r.err.Error(), strings.ReplaceAll(c.want, "CFG", cfg)) {
				t.Fatalf("want %q, got %v", c.want, r.err)
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("output directory was created")
			}
		})
	}
}

func TestUnknownConfigPropertyIgnoredWithWarning(t *testing.T) {
	out := t.TempDir()
	cfg := writeJSON(t, map[string]any{"project_name": "p1", "no_such_thing": 1})
	r := runInit(t, "", "testdata/basic", "--config-file", cfg, "--output-dir", out)
	if r.err != nil {
		t.Fatal(r.err)
	}
	if !strings.Contains(r.stderr, "property no_such_thing is not defined in the template schema; ignored") {
		t.Errorf("no warning: %s", r.stderr)
	}
}

func TestRefusesToOverwrite(t *testing.T) {
	out := t.TempDir()
	cfg := writeJSON(t, map[string]any{"project_name": "p1"})
	if r := runInit(t, "", "testdata/basic", "--config-file", cfg, "--output-dir", out); r.err != nil {
		t.Fatal(r.err)
	}
	// Keep only an edited README: a second run must fail and write nothing.
	if err := os.RemoveAll(filepath.Join(out, "p1/scripts")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(out, "p1/README.md"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	before := tree(t, out)
	r := runInit(t, "", "testdata/basic", "--config-file", cfg, "--output-dir", out)
	if r.err == nil || r.err.Error() != "failed to initialize template, one or more files already exist: p1/README.md" {
		t.Fatalf("got %v", r.err)
	}
	if after := tree(t, out); !reflect.DeepEqual(before, after) {
		t.Errorf("files changed:\n%v\n%v", before, after)
	}
	if read(t, filepath.Join(out, "p1/README.md")) != "mine" {
		t.Errorf("README overwritten")
	}
}

func TestSkip(t *testing.T) {
	out := t.TempDir()
	r := runInit(t, "", "testdata/skip", "--config-file", writeJSON(t, map[string]any{}), "--output-dir", out)
	if r.err != nil {
		t.Fatalf("%v\n%s", r.err, r.stderr)
	}
	want := []string{
		"d a", "d c", "d d", "d d/sub", "d e",
		"f a/x",      // c/z.tmpl skips ../a, but a was walked before c (BFS)
		"f c/z",      // b skipped by a/x.tmpl before b is visited
		"f d/f",      // d/sub/keep.txt skipped by the relative glob sub/*
		"f e/e1",     // e/a.log skipped by *.log relative to e/
		"f file1",    // file3, dir1 and demo_extra.txt skipped by file1.tmpl
		"f root.log", // *.log from e/ does not reach the root
	}
	if got := tree(t, out); !reflect.DeepEqual(got, want) {
		t.Fatalf("tree:\n got %v\nwant %v", got, want)
	}
}

func TestMissingKeyIsAnError(t *testing.T) {
	out := filepath.Join(t.TempDir(), "o")
	r := runInit(t, "", "testdata/missingkey", "--config-file", writeJSON(t, map[string]any{}), "--output-dir", out)
	want := `failed to compute file content for out.txt.tmpl. variable "undefined_thing" not defined (line 2, column 6)`
	if r.err == nil || r.err.Error() != want {
		t.Fatalf("want %q, got %v", want, r.err)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("output written")
	}
}

func TestFailHelper(t *testing.T) {
	r := runInit(t, "", "testdata/failing", "--config-file", writeJSON(t, map[string]any{"name": "n1"}), "--output-dir", t.TempDir())
	if r.err == nil || r.err.Error() != "cannot render n1" {
		t.Fatalf("got %v", r.err)
	}
}

// writeTemplate makes a template root with the given schema and files.
func writeTemplate(t *testing.T, schema string, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	files["databricks_template_schema.json"] = schema
	if _, ok := files["template/.keep"]; !ok {
		files["template/.keep"] = ""
	}
	for p, c := range files {
		full := filepath.Join(root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func TestSchemaErrors(t *testing.T) {
	cases := []struct{ schema, want string }{
		{`{"properties": {"a": {"type": "string"}}}`, "template property a is missing a description"},
		{`{"properties": {"a": {"type": "int", "description": "d"}}}`, `type int is not a recognized json schema type. Please use "integer" instead`},
		{`{"properties": {"a": {"type": "bool", "description": "d"}}}`, `Please use "boolean" instead`},
		{`{"properties": {"a": {"description": "d"}}}`, "type  is not a recognized json schema type"},
		{`{"properties": {"a": {"type": "array", "description": "d"}}}`, "property type array is not supported by bundle templates"},
		{`{"properties": {"a": {"type": "string", "description": "d", "enum": ["x", "y"], "default": "z"}}}`, "list of enum values for property a does not contain default value z: [x y]"},
		{`{"properties": {"a": {"type": "string", "description": "d", "skip_prompt_if": {}}}}`, `property "a" has a skip_prompt_if clause but no default value`},
		{`{"properties": {"a": {"type": "integer", "description": "d", "pattern": "x"}}}`, "Patterns are only supported for string properties"},
		{`{"properties": {"a": {"type": "string", "description": "d", "pattern": "("}}}`, `invalid regex pattern "(" provided for property "a"`},
		{`{"properties": {"a": {"type": "integer", "description": "d", "default": "1"}}}`, "failed to parse default value for property a"},
		{`{"properties": {"a": {"type": "string", "description": "d", "default": 1}}}`, "type validation for default value of property a failed: expected type string, but value is 1"},
		{`{"version": 2, "properties": {}}`, "template schema version 2 is not supported by this version of the CLI"},
		{`{"min_databricks_cli_version": "0.1", "properties": {}}`, `invalid minimum CLI version "0.1"`},
		{`{"properties": `, "failed to load schema: unexpected end of JSON input"},
	}
	for _, c := range cases {
		root := writeTemplate(t, c.schema, map[string]string{})
		r := runInit(t, "", root, "--config-file", writeJSON(t, map[string]any{}), "--output-dir", t.TempDir())
		if r.err == nil || !strings.Contains(r.err.Error(), c.want) {
			t.Errorf("schema %s: want %q, got %v", c.schema, c.want, r.err)
		}
	}
}

func TestNotATemplate(t *testing.T) {
	r := runInit(t, "", t.TempDir(), "--output-dir", t.TempDir())
	if r.err == nil || r.err.Error() != "not a bundle template: expected to find a template schema file at databricks_template_schema.json" {
		t.Fatalf("got %v", r.err)
	}
}

func TestMissingValueWithoutDefaultFails(t *testing.T) {
	root := writeTemplate(t, `{"properties": {"a": {"type": "string", "description": "d"}, "b": {"type": "string", "description": "d", "default": "x"}}}`, map[string]string{})
	r := runInit(t, "", root, "--config-file", writeJSON(t, map[string]any{}), "--output-dir", t.TempDir())
	want := "validation for template input parameters failed. no value provided for required property a"
	if r.err == nil || r.err.Error() != want {
		t.Fatalf("want %q, got %v", want, r.err)
	}
}

func TestOrderAndDefaultsSeeEarlierValues(t *testing.T) {
	root := writeTemplate(t, `{"properties": {
		"z": {"type": "string", "description": "z", "default": "Z", "order": 1},
		"a": {"type": "string", "description": "a", "default": "{{.z}}-a", "order": 2},
		"m": {"type": "string", "description": "m", "default": "{{.a}}-m"},
		"b": {"type": "boolean", "description": "b", "default": true},
		"n": {"type": "number", "description": "n", "default": 1.5}
	}}`, map[string]string{"template/out.tmpl": "{{.z}} {{.a}} {{.m}} {{.b}} {{.n}} {{if .b}}yes{{end}}"})
	out := t.TempDir()
	r := runInit(t, "", root, "--config-file", writeJSON(t, map[string]any{"z": "zz"}), "--output-dir", out)
	if r.err != nil {
		t.Fatal(r.err)
	}
	if got := read(t, filepath.Join(out, "out")); got != "zz zz-a zz-a-m true 1.5 yes" {
		t.Errorf("got %q", got)
	}
	s, err := parseSchema([]byte(`{"properties": {"c": {"type":"string","description":"d"}, "b": {"type":"string","description":"d","order":2}, "a": {"type":"string","description":"d","order":1}, "d": {"type":"string","description":"d","order":1}}}`))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range s.orderedProperties() {
		names = append(names, p.Name)
	}
	if !reflect.DeepEqual(names, []string{"a", "d", "b", "c"}) {
		t.Errorf("order %v", names)
	}
}

func TestSkipPromptIfAnyOfAndConst(t *testing.T) {
	schema := `{"properties": {
		"mode": {"type": "string", "description": "mode", "enum": ["a", "b", "c"], "default": "a", "order": 1},
		"extra": {"type": "string", "description": "extra?", "default": "{{.mode}}-default", "order": 2,
			"skip_prompt_if": {"anyOf": [{"properties": {"mode": {"const": "a"}}}, {"properties": {"mode": {"const": "b"}}}]}}
	}}`
	root := writeTemplate(t, schema, map[string]string{"template/out.tmpl": "{{.extra}}"})
	for _, c := range []struct{ in, want string }{{"b\n", "b-default"}, {"c\nasked\n", "asked"}, {"c\n\n", "c-default"}} {
		out := t.TempDir()
		r := runInit(t, c.in, root, "--output-dir", out)
		if r.err != nil {
			t.Fatal(r.err)
		}
		if got := read(t, filepath.Join(out, "out")); got != c.want {
			t.Errorf("input %q: got %q want %q", c.in, got, c.want)
		}
	}
	warnRoot := writeTemplate(t, `{"properties": {"x": {"type": "string", "description": "d", "default": "v", "skip_prompt_if": {"not": {}}}}}`, map[string]string{})
	r := runInit(t, "", warnRoot, "--config-file", writeJSON(t, map[string]any{}), "--output-dir", t.TempDir())
	if r.err != nil || !strings.Contains(r.stderr, `skip_prompt_if uses "not", which databricks bundle init ignores`) {
		t.Errorf("no warning for unsupported keyword: %v %s", r.err, r.stderr)
	}
}

func TestTemplateDirInSchemaAndFlag(t *testing.T) {
	root := t.TempDir()
	base := filepath.Join(root, "base")
	for p, c := range map[string]string{
		"base/template/{{.name}}.txt.tmpl":        "from base {{template \"x\"}}",
		"base/library/defs":                       `{{define "x"}}lib{{end}}`,
		"variant/databricks_template_schema.json": `{"template_dir": "../base", "properties": {"name": {"type": "string", "description": "n", "default": "v"}}}`,
	} {
		full := filepath.Join(root, filepath.FromSlash(p))
		os.MkdirAll(filepath.Dir(full), 0o755)
		os.WriteFile(full, []byte(c), 0o644)
	}
	_ = base
	out := t.TempDir()
	r := runInit(t, "", root, "--template-dir", "variant", "--config-file", writeJSON(t, map[string]any{}), "--output-dir", out)
	if r.err != nil {
		t.Fatal(r.err)
	}
	if got := read(t, filepath.Join(out, "v.txt")); got != "from base lib" {
		t.Errorf("got %q", got)
	}
}

func TestDefaultTemplatePathFromEnvAndArgs(t *testing.T) {
	t.Setenv("BUNDLE_INIT_DEFAULT_TEMPLATE", "testdata/failing")
	o, err := parseArgs([]string{"--output-dir", "x"})
	if err != nil || o.templatePath != "testdata/failing" || o.outputDir != "x" {
		t.Fatalf("%+v %v", o, err)
	}
	if _, err := parseArgs([]string{"a", "b"}); err == nil {
		t.Error("two positional args accepted")
	}
	if _, err := parseArgs([]string{"--nope"}); err == nil {
		t.Error("unknown flag accepted")
	}
	if _, err := parseArgs([]string{"x", "--tag", "v1"}); err == nil {
		t.Error("--tag accepted")
	}
	r := runInit(t, "", "https://github.com/x/y", "--output-dir", t.TempDir())
	if r.err == nil || !strings.Contains(r.err.Error(), "not supported offline") {
		t.Errorf("git url: %v", r.err)
	}
}
