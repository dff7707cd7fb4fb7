package main

// Template input values: from a config file, from defaults, or prompted.

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
)

type config struct {
	schema *Schema
	values map[string]any
}

func newConfig(s *Schema) *config {
	// Input values must be declared in the schema.
	s.AdditionalProperties = false
	return &config{schema: s, values: map[string]any{}}
}

// loadFile reads answers from a JSON file. As in the CLI, keys that the
// schema does not declare are dropped (returned so they can be reported);
// declared ones are type-, enum- and pattern-checked.
func (c *config) loadFile(p string) ([]string, error) {
	wrap := func(err error) error { return fmt.Errorf("failed to load config from file %s: %w", p, err) }
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, wrap(err)
	}
	inst := map[string]any{}
	if err := json.Unmarshal(b, &inst); err != nil {
		return nil, wrap(err)
	}
	for _, name := range sortedKeys(inst) {
		ps, ok := c.schema.Properties[name]
		if !ok || ps.Type != "integer" {
			continue
		}
		iv, err := toInteger(inst[name])
		if err != nil {
			return nil, wrap(fmt.Errorf("failed to parse property %s: %w", name, err))
		}
		inst[name] = iv
	}
	if err := c.schema.validateInstance(inst, true); err != nil {
		return nil, wrap(err)
	}
	var unknown []string
	for _, name := range sortedKeys(inst) {
		if _, ok := c.schema.Properties[name]; !ok {
			unknown = append(unknown, name)
			continue
		}
		if _, ok := c.values[name]; !ok {
			c.values[name] = inst[name]
		}
	}
	return unknown, nil
}

// resolveFormat handles the CLI's custom `format` values. warehouse_path needs
// a workspace; offline it comes from DATABRICKS_WAREHOUSE_ID. Unknown formats
// yield "" (as in the CLI).
func resolveFormat(format, name string) (string, error) {
	if format != "warehouse_path" {
		return "", nil
	}
	id := os.Getenv("DATABRICKS_WAREHOUSE_ID")
	if id == "" {
		return "", fmt.Errorf("property %s needs a SQL warehouse: set DATABRICKS_WAREHOUSE_ID or give it in the config file", name)
	}
	return "/sql/1.0/warehouses/" + id, nil
}

// assignDefaults gives every property without a value its default, in
// `order`, each default rendered as a template with the values known so far.
// Properties without a default stay unset (and fail the final validation).
func (c *config) assignDefaults(r *renderer) error {
	for _, np := range c.schema.orderedProperties() {
		name, p := np.Name, np.Schema
		if _, ok := c.values[name]; ok {
			continue
		}
		if p.Format != "" {
			v, err := resolveFormat(p.Format, name)
			if err != nil {
				return err
			}
			c.values[name] = v
			continue
		}
		if p.Default == nil {
			continue
		}
		s, err := valueToString(p.Default, p.Type)
		if err != nil {
			return err
		}
		if s, err = r.execute(s); err != nil {
			return err
		}
		v, err := parseValue(s, p.Type)
		if err != nil {
			return err
		}
		c.values[name] = v
	}
	return nil
}

// skipPrompt reports whether a property needs no prompt: it already has a
// value, or its skip_prompt_if holds for the values so far (then its default
// is used, rendered as a template for strings).
func (c *config) skipPrompt(np namedProperty, r *renderer) (bool, error) {
	if _, ok := c.values[np.Name]; ok {
		return true, nil
	}
	p := np.Schema
	if p.SkipPromptIf == nil {
		return false, nil
	}
	if p.SkipPromptIf.validateInstance(c.values, false) != nil {
		return false, nil
	}
	if p.Default == nil {
		return false, fmt.Errorf("property %s has skip_prompt_if set but no default value", np.Name)
	}
	if p.Type != "string" {
		c.values[np.Name] = p.Default
		return true, nil
	}
	v, err := r.execute(p.Default.(string))
	if err != nil {
		return false, err
	}
	c.values[np.Name] = v
	return true, nil
}

type prompter struct {
	in  *bufio.Reader
	out io.Writer
	eof bool
}

func (pr *prompter) readLine() string {
	if pr.eof {
		return ""
	}
	line, err := pr.in.ReadString('\n')
	if err != nil {
		pr.eof = true
	}
	return strings.TrimRight(line, "\r\n")
}

func (pr *prompter) ask(question, def string) string {
	if def != "" {
		question += fmt.Sprintf(" [%s]", def)
	}
	fmt.Fprint(pr.out, question+": ")
	ans := pr.readLine()
	if pr.eof {
		fmt.Fprintln(pr.out)
	}
	if ans == "" {
		return def
	}
	return ans
}

// promptForValues asks for every property in `order` (showing the rendered
// description and default); Enter takes the default. Invalid answers are
// reported and asked again; at end of input the default is taken and an
// invalid answer is an error.
func (c *config) promptForValues(r *renderer, pr *prompter) error {
	for _, np := range c.schema.orderedProperties() {
		name, p := np.Name, np.Schema
		skip, err := c.skipPrompt(np, r)
		if err != nil {
			return err
		}
		if skip {
			continue
		}
		def := ""
		if p.Default != nil {
			s, err := valueToString(p.Default, p.Type)
			if err != nil {
				return err
			}
			if def, err = r.execute(s); err != nil {
				return err
			}
		}
		desc, err := r.execute(p.Description)
		if err != nil {
			return err
		}
		var lastErr error
		for {
			var answer string
			switch {
			case p.Format != "":
				if answer, err = resolveFormat(p.Format, name); err != nil {
					return err
				}
			case p.Enum != nil:
				opts := make([]string, len(p.Enum))
				for i, e := range p.Enum {
					if opts[i], err = valueToString(e, p.Type); err != nil {
						return err
					}
				}
				label := desc
				if i := strings.LastIndex(desc, "\n"); i != -1 {
					fmt.Fprintln(pr.out, desc[:i])
					label = desc[i+1:]
				}
				fmt.Fprintln(pr.out, label+":")
				for i, o := range opts {
					fmt.Fprintf(pr.out, "  %d) %s\n", i+1, o)
				}
				answer = pr.ask("Choose a number or a value", def)
				if n, convErr := strconv.Atoi(answer); convErr == nil && n >= 1 && n <= len(opts) {
					answer = opts[n-1]
				}
			default:
				answer = pr.ask(desc, def)
			}
			if lastErr != nil && pr.eof && answer == def {
				// A retry that hit the end of input: keep the real error.
				return lastErr
			}
			err = c.acceptAnswer(name, p, answer)
			if err == nil {
				break
			}
			fmt.Fprintln(pr.out, "Validation failed: "+err.Error())
			if pr.eof {
				// Input is exhausted: there is no answer to retry with.
				return err
			}
			lastErr = err
		}
	}
	return nil
}

func (c *config) acceptAnswer(name string, p *Schema, answer string) error {
	v, err := parseValue(answer, p.Type)
	if err != nil {
		delete(c.values, name)
		return err
	}
	c.values[name] = v
	if err := c.schema.validateInstance(c.values, false); err != nil {
		delete(c.values, name)
		return err
	}
	return nil
}

// validate requires a valid value for every property.
func (c *config) validate() error {
	req := make([]string, 0, len(c.schema.Properties))
	for n := range c.schema.Properties {
		req = append(req, n)
	}
	sort.Strings(req)
	c.schema.Required = req
	if err := c.schema.validateInstance(c.values, false); err != nil {
		return fmt.Errorf("validation for template input parameters failed. %w", err)
	}
	return nil
}

var errUsage = errors.New("usage")
