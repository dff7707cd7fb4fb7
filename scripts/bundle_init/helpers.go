package main

// Template helper functions, matching the names and semantics of the
// Databricks CLI's bundle template helpers. Workspace-dependent helpers read
// their values from the environment (offline mode).

import (
	"crypto/rand"
	"errors"
	"fmt"
	mrand "math/rand"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"text/template"
	"time"
	"unicode"
)

// Environment variables read by the workspace helpers.
const (
	envHost           = "DATABRICKS_HOST"
	envUserName       = "DATABRICKS_USER_NAME"
	envDisplayName    = "DATABRICKS_USER_DISPLAY_NAME"
	envDefaultCatalog = "DATABRICKS_DEFAULT_CATALOG"
	envAzureResource  = "DATABRICKS_AZURE_RESOURCE_ID"
	envRecordHistory  = "DATABRICKS_BUNDLE_INIT_RECORD_DEPLOYMENT_HISTORY"

	defaultHost     = "https://your-workspace.cloud.databricks.com"
	defaultUserName = "user@example.com"
)

// failError is raised by the `fail` helper; its message is reported verbatim.
type failError struct{ msg string }

func (e failError) Error() string { return e.msg }

type kv struct {
	k string
	v any
}

func newUUID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	b[6] = (b[6] & 0x0f) | 0x40 // version 4
	b[8] = (b[8] & 0x3f) | 0x80 // RFC 4122 variant
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// bundleUUID is stable for one run, like the CLI's.
var bundleUUID = newUUID()

var rng = mrand.New(mrand.NewSource(time.Now().UnixNano()))

func isHex(s string) bool {
	for _, c := range s {
		if !strings.ContainsRune("0123456789abcdefABCDEF", c) {
			return false
		}
	}
	return true
}

// isUUID accepts the forms github.com/google/uuid.Parse accepts: canonical
// 8-4-4-4-12, with urn:uuid: prefix, in braces, or 32 hex digits.
func isUUID(s string) bool {
	switch len(s) {
	case 36:
	case 45:
		if !strings.EqualFold(s[:9], "urn:uuid:") {
			return false
		}
		s = s[9:]
	case 38:
		if s[0] != '{' || s[37] != '}' {
			return false
		}
		s = s[1:37]
	case 32:
		return isHex(s)
	default:
		return false
	}
	if s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return false
	}
	return isHex(s[0:8] + s[9:13] + s[14:18] + s[19:23] + s[24:])
}

// normalizeName lower-cases and replaces every non letter/digit with "_",
// collapsing runs and trimming them at the ends.
func normalizeName(name string) string {
	s := strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return r
		}
		return '_'
	}, strings.ToLower(name))
	s = regexp.MustCompile(`_+`).ReplaceAllString(s, "_")
	return strings.Trim(s, "_")
}

func workspaceHost() string {
	h := strings.TrimSpace(os.Getenv(envHost))
	if h == "" {
		return defaultHost
	}
	// Like the SDK: add https:// when there is no scheme, keep scheme://host.
	if !strings.Contains(h, "://") {
		h = "https://" + h
	}
	if u, err := url.Parse(h); err == nil && u.Host != "" {
		return u.Scheme + "://" + u.Host
	}
	return strings.TrimRight(h, "/")
}

func userName() string {
	if u := os.Getenv(envUserName); u != "" {
		return u
	}
	return defaultUserName
}

func shortName() string {
	name := userName()
	if isUUID(name) {
		if d := os.Getenv(envDisplayName); d != "" {
			name = d
		}
	}
	local := name
	if i := strings.Index(name, "@"); i >= 0 {
		local = name[:i]
	}
	return normalizeName(local)
}

func hostCloud(host string) string {
	u, err := url.Parse(host)
	h := host
	if err == nil && u.Hostname() != "" {
		h = u.Hostname()
	}
	h = strings.ToLower(h)
	if os.Getenv(envAzureResource) != "" {
		return "azure"
	}
	for _, suf := range []string{".azuredatabricks.net", ".databricks.azure.cn", ".databricks.azure.us"} {
		if strings.HasSuffix(h, suf) {
			return "azure"
		}
	}
	if strings.HasSuffix(h, ".gcp.databricks.com") {
		return "gcp"
	}
	return "aws"
}

func envBool(key string) bool {
	v := os.Getenv(key)
	switch strings.ToLower(v) {
	case "yes", "on":
		return true
	case "no", "off", "":
		return false
	}
	b, _ := strconv.ParseBool(v)
	return b
}

// helperFuncs returns every helper except `skip`, which only exists while the
// template tree is walked (as in the CLI).
func helperFuncs() template.FuncMap {
	return template.FuncMap{
		"fail": func(format string, args ...any) (any, error) {
			return nil, failError{fmt.Sprintf(format, args...)}
		},
		"url":    func(raw string) (*url.URL, error) { return url.Parse(raw) },
		"regexp": func(expr string) (*regexp.Regexp, error) { return regexp.Compile(expr) },
		"random_int": func(n int) (int, error) {
			if n <= 0 {
				return 0, errors.New("invalid argument to random_int: n must be positive")
			}
			return rng.Intn(n), nil
		},
		"uuid":        newUUID,
		"bundle_uuid": func() string { return bundleUUID },
		"pair":        func(k string, v any) kv { return kv{k, v} },
		"map": func(pairs ...kv) map[string]any {
			m := make(map[string]any, len(pairs))
			for _, p := range pairs {
				m[p.k] = p.v
			}
			return m
		},
		"smallest_node_type": func() string {
			switch hostCloud(workspaceHost()) {
			case "azure":
				return "Standard_D3_v2"
			case "gcp":
				return "n1-standard-4"
			}
			return "i3.xlarge"
		},
		"path_separator": func() string { return string(os.PathSeparator) },
		"workspace_host": workspaceHost,
		"user_name":      userName,
		"short_name":     shortName,
		// Default catalog of the workspace's metastore; "" when unknown, which
		// is what the CLI returns for a workspace without Unity Catalog.
		"default_catalog":           func() string { return os.Getenv(envDefaultCatalog) },
		"is_service_principal":      func() bool { return isUUID(userName()) },
		"record_deployment_history": func() bool { return envBool(envRecordHistory) },
		"lower":                     strings.ToLower,
		"upper":                     strings.ToUpper,
	}
}
