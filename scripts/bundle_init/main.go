// Command bundle-init renders a Databricks Asset Bundle template offline.
//
// It re-implements, with the Go standard library only, the behaviour of
// `databricks bundle init TEMPLATE_PATH --config-file F --output-dir D` for
// local template directories (schema, prompts, library definitions, path and
// content templates, {{skip}}, helpers). Workspace-dependent helpers read
// DATABRICKS_HOST, DATABRICKS_USER_NAME, DATABRICKS_DEFAULT_CATALOG, ...
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

const schemaFile = "databricks_template_schema.json"

const usageText = `Usage: bundle-init [TEMPLATE_PATH] [flags]

Offline re-implementation of 'databricks bundle init' for local templates.
TEMPLATE_PATH defaults to $BUNDLE_INIT_DEFAULT_TEMPLATE (the repository root
when run through scripts/bundle-init).

Flags:
      --config-file F     JSON file with template input values (no prompts;
                          missing values take their defaults)
      --output-dir D      directory to write the project to (default ".")
      --template-dir D    subdirectory of TEMPLATE_PATH holding the template
  -o, --output text|json  json prints {"outputs": [...]} on stdout
      --shared-library D  extra library directory parsed before the template's
                          own library/ (the CLI's built-in common library;
                          used for fidelity checks)
  -h, --help              show this help

Environment (workspace helpers): DATABRICKS_HOST, DATABRICKS_USER_NAME,
DATABRICKS_USER_DISPLAY_NAME, DATABRICKS_DEFAULT_CATALOG (default ""),
DATABRICKS_AZURE_RESOURCE_ID, DATABRICKS_WAREHOUSE_ID,
DATABRICKS_BUNDLE_INIT_RECORD_DEPLOYMENT_HISTORY.
`

type options struct {
	templatePath  string
	configFile    string
	outputDir     string
	templateDir   string
	sharedLibrary string
	output        string
}

func parseArgs(args []string) (*options, error) {
	o := &options{output: "text"}
	var positional []string
	valued := map[string]*string{
		"--config-file":    &o.configFile,
		"--output-dir":     &o.outputDir,
		"--template-dir":   &o.templateDir,
		"--shared-library": &o.sharedLibrary,
		"--output":         &o.output,
		"-o":               &o.output,
	}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			positional = append(positional, args[i+1:]...)
			break
		}
		if a == "-h" || a == "--help" {
			return nil, errUsage
		}
		if a == "--tag" || a == "--branch" || strings.HasPrefix(a, "--tag=") || strings.HasPrefix(a, "--branch=") {
			return nil, errors.New("--tag and --branch need a Git template, which the offline renderer does not support")
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			positional = append(positional, a)
			continue
		}
		name, val, hasVal := strings.Cut(a, "=")
		dst, ok := valued[name]
		if !ok {
			return nil, fmt.Errorf("unknown flag: %s", name)
		}
		if !hasVal {
			if i+1 >= len(args) {
				return nil, fmt.Errorf("flag needs an argument: %s", name)
			}
			i++
			val = args[i]
		}
		*dst = val
	}
	if len(positional) > 1 {
		return nil, fmt.Errorf("accepts at most 1 arg(s), received %d", len(positional))
	}
	if len(positional) == 1 {
		o.templatePath = positional[0]
	} else {
		o.templatePath = os.Getenv("BUNDLE_INIT_DEFAULT_TEMPLATE")
	}
	if o.templatePath == "" {
		return nil, errors.New("no TEMPLATE_PATH given")
	}
	if o.output != "text" && o.output != "json" {
		return nil, fmt.Errorf("unsupported output type %q (text or json)", o.output)
	}
	return o, nil
}

var builtinNames = map[string]bool{
	"default-python": true, "default-sql": true, "default-minimal": true, "default-scala": true,
	"dbt-sql": true, "mlops-stacks": true, "mlops-stack": true, "pydabs": true,
	"lakeflow-pipelines": true, "cli-pipelines": true, "lakeflow-integrations": true,
}

// loadTemplate finds the schema and the directory holding template/ and
// library/ (the schema's template_dir, if set, is relative to the schema).
func loadTemplate(o *options) (*Schema, []string, string, error) {
	p := o.templatePath
	for _, pre := range []string{"https://", "ssh://", "git@"} {
		if strings.HasPrefix(p, pre) {
			return nil, nil, "", fmt.Errorf("%s: Git templates are not supported offline; clone it and pass the local path", p)
		}
	}
	for _, pre := range []string{"http://", "git://", "ftp://", "ftps://"} {
		if strings.HasPrefix(p, pre) {
			return nil, nil, "", fmt.Errorf("unsupported protocol in Git URL %q: only https://, ssh://, git@ URLs are supported", p)
		}
	}
	if o.templateDir != "" {
		p = filepath.Join(p, o.templateDir)
	}
	if _, err := os.Stat(p); err != nil && builtinNames[o.templatePath] {
		return nil, nil, "", fmt.Errorf("built-in template %q is not available offline; pass a local template directory", o.templatePath)
	}
	raw, err := os.ReadFile(filepath.Join(p, schemaFile))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil, "", fmt.Errorf("not a bundle template: expected to find a template schema file at %s", schemaFile)
		}
		return nil, nil, "", fmt.Errorf("failed to load schema: %w", err)
	}
	s, err := parseSchema(raw)
	if err != nil {
		return nil, nil, "", fmt.Errorf("failed to load schema: %w", err)
	}
	root := p
	if s.TemplateDir != "" {
		root = filepath.Join(p, s.TemplateDir)
		if _, err := os.Stat(root); errors.Is(err, fs.ErrNotExist) {
			return nil, nil, "", fmt.Errorf("template directory %s not found", root)
		}
	}
	return s, unsupportedSkipKeywords(raw), root, nil
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	o, err := parseArgs(args)
	if err != nil {
		return err
	}
	schema, warnings, root, err := loadTemplate(o)
	if err != nil {
		return err
	}
	for _, w := range warnings {
		fmt.Fprintln(stderr, "Warning: "+w)
	}
	outDir, err := filepath.Abs(o.outputDir)
	if err != nil {
		return err
	}

	cfg := newConfig(schema)
	if o.configFile != "" {
		unknown, err := cfg.loadFile(o.configFile)
		if err != nil {
			return err
		}
		for _, k := range unknown {
			fmt.Fprintf(stderr, "Warning: %s: property %s is not defined in the template schema; ignored\n", o.configFile, k)
		}
	}

	var shared fs.FS
	if o.sharedLibrary != "" {
		shared = os.DirFS(o.sharedLibrary)
	}
	r, err := newRenderer(cfg.values, os.DirFS(root), shared)
	if err != nil {
		return err
	}

	if schema.WelcomeMessage != "" {
		msg, err := r.execute(schema.WelcomeMessage)
		if err != nil {
			return err
		}
		fmt.Fprintln(stderr, msg)
	}

	if o.configFile != "" {
		err = cfg.assignDefaults(r)
	} else {
		err = cfg.promptForValues(r, &prompter{in: bufio.NewReader(stdin), out: stderr})
	}
	if err != nil {
		return err
	}
	if err := cfg.validate(); err != nil {
		return err
	}

	// Everything is rendered and checked in memory before anything is written.
	if err := r.walk(); err != nil {
		return err
	}
	files, err := r.filesToWrite(outDir)
	if err != nil {
		return err
	}
	success := "✨ Successfully initialized template"
	if schema.SuccessMessage != "" {
		if success, err = r.execute(schema.SuccessMessage); err != nil {
			return err
		}
	}
	written, err := r.persist(outDir, files)
	if err != nil {
		return err
	}
	fmt.Fprintln(stderr, success)
	if o.output == "json" {
		if written == nil {
			written = []string{}
		}
		b, _ := json.MarshalIndent(map[string][]string{"outputs": written}, "", "  ")
		fmt.Fprintln(stdout, string(b))
	}
	return nil
}

func main() {
	err := run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	if errors.Is(err, errUsage) {
		fmt.Print(usageText)
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "Error: "+err.Error())
		os.Exit(1)
	}
}
