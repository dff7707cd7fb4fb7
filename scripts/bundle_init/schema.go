package main

// Template schema (databricks_template_schema.json) handling.
//
// This follows the documented behaviour of `databricks bundle init`
// (databricks/cli libs/jsonschema and libs/template): the same keywords, the
// same checks and, where feasible, the same error wording, so that a template
// that renders here renders the same way with the real CLI.

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strconv"
)

// Highest template schema version understood (same as the CLI).
const maxSchemaVersion = 1

// Schema is the subset of JSON schema (plus Databricks extensions) that bundle
// templates use. Unknown keywords are ignored, as the CLI ignores them.
type Schema struct {
	Type                       string             `json:"type"`
	Description                string             `json:"description"`
	Const                      any                `json:"const"`
	Properties                 map[string]*Schema `json:"properties"`
	AdditionalProperties       any                `json:"additionalProperties"`
	Required                   []string           `json:"required"`
	Default                    any                `json:"default"`
	Enum                       []any              `json:"enum"`
	Pattern                    string             `json:"pattern"`
	Format                     string             `json:"format"`
	AnyOf                      []Schema           `json:"anyOf"`
	Order                      *int               `json:"order"`
	WelcomeMessage             string             `json:"welcome_message"`
	SuccessMessage             string             `json:"success_message"`
	PatternMatchFailureMessage string             `json:"pattern_match_failure_message"`
	MinDatabricksCliVersion    string             `json:"min_databricks_cli_version"`
	SkipPromptIf               *Schema            `json:"skip_prompt_if"`
	Version                    *int               `json:"version"`
	TemplateDir                string             `json:"template_dir"`
}

// namedProperty pairs a property name with its schema.
type namedProperty struct {
	Name   string
	Schema *Schema
}

// sortedNames returns property names in lexical order (deterministic checks).
func (s *Schema) sortedNames() []string {
	names := make([]string, 0, len(s.Properties))
	for n := range s.Properties {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// orderedProperties: properties with an `order` first (ascending), then the
// rest; ties broken by name.
func (s *Schema) orderedProperties() []namedProperty {
	out := make([]namedProperty, 0, len(s.Properties))
	for _, n := range s.sortedNames() {
		out = append(out, namedProperty{n, s.Properties[n]})
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i].Schema.Order, out[j].Schema.Order
		switch {
		case a != nil && b != nil && *a != *b:
			return *a < *b
		case a != nil && b == nil:
			return true
		case a == nil && b != nil:
			return false
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// parseSchema decodes and validates a template schema.
func parseSchema(b []byte) (*Schema, error) {
	s := &Schema{}
	if err := json.Unmarshal(b, s); err != nil {
		return nil, err
	}
	// JSON numbers decode as float64; integer properties hold int64 values.
	for _, name := range s.sortedNames() {
		p := s.Properties[name]
		if p.Type != "integer" {
			continue
		}
		var err error
		if p.Default != nil {
			if p.Default, err = toInteger(p.Default); err != nil {
				return nil, fmt.Errorf("failed to parse default value for property %s: %w", name, err)
			}
		}
		if p.Const != nil {
			if p.Const, err = toInteger(p.Const); err != nil {
				return nil, fmt.Errorf("failed to parse const value for property %s: %w", name, err)
			}
		}
		for i, e := range p.Enum {
			if p.Enum[i], err = toInteger(e); err != nil {
				return nil, fmt.Errorf("failed to parse enum value %v at index %v for property %s: %w", e, i, name, err)
			}
		}
	}
	if err := s.validateSchema(); err != nil {
		return nil, err
	}
	return s, nil
}

var semverRe = regexp.MustCompile(`^v(0|[1-9]\d*)(\.(0|[1-9]\d*)(\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?)?)?$`)

func (s *Schema) validateSchema() error {
	names := s.sortedNames()
	// Property types must be JSON schema types.
	for _, n := range names {
		switch t := s.Properties[n].Type; t {
		case "number", "boolean", "string", "integer", "object", "array":
		case "int", "int32", "int64":
			return fmt.Errorf("type %s is not a recognized json schema type. Please use \"integer\" instead", t)
		case "float", "float32", "float64":
			return fmt.Errorf("type %s is not a recognized json schema type. Please use \"number\" instead", t)
		case "bool":
			return fmt.Errorf("type %s is not a recognized json schema type. Please use \"boolean\" instead", t)
		default:
			return fmt.Errorf("type %s is not a recognized json schema type", t)
		}
	}
	for _, n := range names {
		p := s.Properties[n]
		if p.Default != nil {
			if err := validateType(p.Default, p.Type); err != nil {
				return fmt.Errorf("type validation for default value of property %s failed: %w", n, err)
			}
		}
	}
	for _, n := range names {
		p := s.Properties[n]
		for i, e := range p.Enum {
			if err := validateType(e, p.Type); err != nil {
				return fmt.Errorf("type validation for enum at index %v failed for property %s: %w", i, n, err)
			}
		}
	}
	for _, n := range names {
		p := s.Properties[n]
		if p.Const != nil {
			if err := validateType(p.Const, p.Type); err != nil {
				return fmt.Errorf("type validation for const value of property %s failed: %w", n, err)
			}
		}
	}
	for _, n := range names {
		p := s.Properties[n]
		if p.Default != nil && p.Enum != nil && !containsValue(p.Enum, p.Default) {
			return fmt.Errorf("list of enum values for property %s does not contain default value %v: %v", n, p.Default, p.Enum)
		}
	}
	for _, n := range names {
		p := s.Properties[n]
		if p.Pattern == "" {
			continue
		}
		if p.Type != "string" {
			return fmt.Errorf("property %q has a non-empty regex pattern %q specified. Patterns are only supported for string properties", n, p.Pattern)
		}
		re, err := regexp.Compile(p.Pattern)
		if err != nil {
			return fmt.Errorf("invalid regex pattern %q provided for property %q: %w", p.Pattern, n, err)
		}
		for i, e := range p.Enum {
			if !re.MatchString(e.(string)) {
				return fmt.Errorf("enum value %q at index %v for property %q does not match specified regex pattern: %q", e, i, n, p.Pattern)
			}
		}
	}
	// min_databricks_cli_version: the format is checked, the version itself is
	// not enforced (there is no CLI version offline).
	if s.MinDatabricksCliVersion != "" && !semverRe.MatchString(s.MinDatabricksCliVersion) {
		return fmt.Errorf("invalid minimum CLI version %q specified. Please specify the version in the format v0.0.0", s.MinDatabricksCliVersion)
	}
	for _, n := range names {
		p := s.Properties[n]
		if p.SkipPromptIf != nil && p.Default == nil {
			return fmt.Errorf("property %q has a skip_prompt_if clause but no default value", n)
		}
	}
	// Bundle-template specific rules.
	for _, n := range names {
		if t := s.Properties[n].Type; t == "array" || t == "object" {
			return fmt.Errorf("property type %s is not supported by bundle templates", t)
		}
	}
	if s.Version != nil && *s.Version > maxSchemaVersion {
		return fmt.Errorf("template schema version %d is not supported by this version of the CLI. Please upgrade your CLI to the latest version", *s.Version)
	}
	for _, n := range names {
		if s.Properties[n].Description == "" {
			return fmt.Errorf("template property %s is missing a description", n)
		}
	}
	return nil
}

// ---- instance validation -------------------------------------------------

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// validateInstance checks values against the schema, in the CLI's order:
// additional properties, enum, required, types, pattern, const, anyOf.
// allowAdditional mirrors the CLI's temporary relaxation while reading a
// config file (unknown keys are then dropped, not rejected).
func (s *Schema) validateInstance(values map[string]any, allowAdditional bool) error {
	keys := sortedKeys(values)
	if !allowAdditional && s.AdditionalProperties == false {
		for _, k := range keys {
			if _, ok := s.Properties[k]; !ok {
				return fmt.Errorf("property %s is not defined in the schema", k)
			}
		}
	}
	for _, k := range keys {
		p, ok := s.Properties[k]
		if !ok || p.Enum == nil {
			continue
		}
		if !containsValue(p.Enum, values[k]) {
			return fmt.Errorf("expected value of property %s to be one of %v. Found: %v", k, p.Enum, values[k])
		}
	}
	for _, name := range s.Required {
		if _, ok := values[name]; !ok {
			return fmt.Errorf("no value provided for required property %s", name)
		}
	}
	for _, k := range keys {
		p, ok := s.Properties[k]
		if !ok {
			continue
		}
		if err := validateType(values[k], p.Type); err != nil {
			return fmt.Errorf("incorrect type for property %s: %w", k, err)
		}
	}
	for _, k := range keys {
		p, ok := s.Properties[k]
		if !ok || p.Pattern == "" {
			continue
		}
		str, isStr := values[k].(string)
		if !isStr {
			return fmt.Errorf("invalid value for %s: %v. Expected a value of type string", k, values[k])
		}
		match, err := regexp.MatchString(p.Pattern, str)
		if err != nil {
			return err
		}
		if !match {
			msg := p.PatternMatchFailureMessage
			if msg == "" {
				msg = "Expected to match regex pattern: " + p.Pattern
			}
			return fmt.Errorf("invalid value for %s: %q. %s", k, str, msg)
		}
	}
	for _, k := range keys {
		p, ok := s.Properties[k]
		if !ok || p.Const == nil {
			continue
		}
		// Plain interface equality, like the CLI: an integer answer (int64)
		// never equals an untyped JSON const (float64) in a nested schema.
		if !valuesEqual(values[k], p.Const) {
			return fmt.Errorf("expected value of property %s to be %v. Found: %v", k, p.Const, values[k])
		}
	}
	if s.AnyOf != nil {
		if len(s.AnyOf) == 0 {
			return errors.New("anyOf must contain at least one schema")
		}
		for i := range s.AnyOf {
			if s.AnyOf[i].validateInstance(values, allowAdditional) == nil {
				return nil
			}
		}
		return errors.New("instance does not match any of the schemas in anyOf")
	}
	return nil
}

func valuesEqual(a, b any) bool {
	if a == nil || b == nil {
		return a == b
	}
	ta, tb := reflect.TypeOf(a), reflect.TypeOf(b)
	if ta != tb || !ta.Comparable() {
		return false
	}
	return a == b
}

func containsValue(list []any, v any) bool {
	for _, e := range list {
		if valuesEqual(e, v) {
			return true
		}
	}
	return false
}

// ---- typed values ---------------------------------------------------------

func validateType(v any, t string) error {
	switch t {
	case "string":
		if _, ok := v.(string); !ok {
			return fmt.Errorf("expected type string, but value is %#v", v)
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			return fmt.Errorf("expected type boolean, but value is %#v", v)
		}
	case "number":
		switch v.(type) {
		case float32, float64:
		default:
			return fmt.Errorf("expected type float, but value is %#v", v)
		}
	case "integer":
		switch v.(type) {
		case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		default:
			return fmt.Errorf("expected type integer, but value is %#v", v)
		}
	}
	return nil
}

func toInteger(v any) (int64, error) {
	switch x := v.(type) {
	case float64:
		if x != float64(int64(x)) {
			return 0, fmt.Errorf("expected integer value, got: %v", v)
		}
		return int64(x), nil
	case float32:
		if float64(x) != float64(int64(x)) {
			return 0, fmt.Errorf("expected integer value, got: %v", v)
		}
		return int64(x), nil
	case int:
		return int64(x), nil
	case int32:
		return int64(x), nil
	case int64:
		return x, nil
	}
	return 0, fmt.Errorf("cannot convert %#v to an integer", v)
}

// valueToString renders a typed value (e.g. a default) as prompt text.
func valueToString(v any, t string) (string, error) {
	switch t {
	case "boolean":
		b, ok := v.(bool)
		if !ok {
			return "", fmt.Errorf("expected bool, got: %#v", v)
		}
		return strconv.FormatBool(b), nil
	case "string":
		s, ok := v.(string)
		if !ok {
			return "", fmt.Errorf("expected string, got: %#v", v)
		}
		return s, nil
	case "number":
		f, ok := v.(float64)
		if !ok {
			return "", fmt.Errorf("expected float, got: %#v", v)
		}
		return strconv.FormatFloat(f, 'f', -1, 64), nil
	case "integer":
		i, err := toInteger(v)
		if err != nil {
			return "", err
		}
		return strconv.FormatInt(i, 10), nil
	}
	return "", fmt.Errorf("unknown json schema type: %q", t)
}

// parseValue converts text (an answer or a rendered default) to a typed value.
func parseValue(s string, t string) (any, error) {
	var v any
	var err error
	switch t {
	case "string":
		return s, nil
	case "boolean":
		v, err = strconv.ParseBool(s)
	case "number":
		v, err = strconv.ParseFloat(s, 64)
	case "integer":
		v, err = strconv.ParseInt(s, 10, 64)
	default:
		return nil, fmt.Errorf("unknown json schema type: %q", t)
	}
	if errors.Is(err, strconv.ErrSyntax) {
		return nil, fmt.Errorf("%q is not a %s", s, t)
	}
	return v, err
}

// unsupportedSkipKeywords lists keywords a skip_prompt_if may contain that the
// CLI silently ignores (it only evaluates properties/const/enum/pattern/
// required/anyOf). They are reported as warnings so that a template does not
// behave differently here and with the real CLI.
func unsupportedSkipKeywords(raw []byte) []string {
	var doc struct {
		Properties map[string]map[string]json.RawMessage `json:"properties"`
	}
	if json.Unmarshal(raw, &doc) != nil {
		return nil
	}
	var out []string
	var scan func(prop string, m map[string]json.RawMessage, where string)
	scan = func(prop string, m map[string]json.RawMessage, where string) {
		for _, k := range []string{"not", "allOf", "oneOf", "if", "then", "else"} {
			if _, ok := m[k]; ok {
				out = append(out, fmt.Sprintf("property %s: skip_prompt_if%s uses %q, which databricks bundle init ignores", prop, where, k))
			}
		}
	}
	names := make([]string, 0, len(doc.Properties))
	for n := range doc.Properties {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		raw, ok := doc.Properties[n]["skip_prompt_if"]
		if !ok {
			continue
		}
		var m map[string]json.RawMessage
		if json.Unmarshal(raw, &m) != nil {
			continue
		}
		scan(n, m, "")
		var props map[string]map[string]json.RawMessage
		if p, ok := m["properties"]; ok && json.Unmarshal(p, &props) == nil {
			keys := make([]string, 0, len(props))
			for k := range props {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				scan(n, props[k], ".properties."+k)
			}
		}
	}
	return out
}
