package main

// Rendering of the template tree, in memory first, then to disk.

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"text/template"
)

const tmplSuffix = ".tmpl"

// outFile is one rendered file, held in memory until everything succeeded.
type outFile struct {
	relPath string // slash-separated, relative to the output directory
	perm    fs.FileMode
	content []byte
}

type renderer struct {
	values       map[string]any
	base         *template.Template
	src          fs.FS // the template/ tree
	files        []outFile
	skipPatterns []string
	visitedDirs  []string
}

// parseLibraryDir parses every entry of dir (in fsys) as template definitions.
func parseLibraryDir(t *template.Template, fsys fs.FS, pattern string) (*template.Template, error) {
	matches, err := fs.Glob(fsys, pattern)
	if err != nil {
		return nil, err
	}
	if len(matches) == 0 {
		return t, nil
	}
	return t.ParseFS(fsys, matches...)
}

// newRenderer builds the base template: helpers, then the optional shared
// library (parsed first so the template's own library wins), then library/*.
func newRenderer(values map[string]any, root fs.FS, shared fs.FS) (*renderer, error) {
	base := template.New("").Funcs(helperFuncs())
	var err error
	if shared != nil {
		if base, err = parseLibraryDir(base, shared, "*"); err != nil {
			return nil, err
		}
	}
	if base, err = parseLibraryDir(base, root, "library/*"); err != nil {
		return nil, err
	}
	src, err := fs.Sub(root, "template")
	if err != nil {
		return nil, err
	}
	return &renderer{values: values, base: base, src: src}, nil
}

var (
	missingKeyRe = regexp.MustCompile(`map has no entry for key "(.*)"`)
	locationRe   = regexp.MustCompile(`^template: [^:]*:(\d+):(\d+):`)
)

// execute renders text with the current values and missingkey=error.
func (r *renderer) execute(text string) (string, error) {
	t, err := r.base.Clone()
	if err != nil {
		return "", err
	}
	// Options are not cloned, so set them on every copy.
	t = t.Option("missingkey=error")
	if t, err = t.Parse(text); err != nil {
		return "", fmt.Errorf("error in %s: %w", text, err)
	}
	var sb strings.Builder
	if err := t.Execute(&sb, r.values); err != nil {
		var ee template.ExecError
		if errors.As(err, &ee) {
			if m := missingKeyRe.FindStringSubmatch(ee.Err.Error()); len(m) == 2 {
				// The CLI's wording, plus where it happened.
				where := ""
				if loc := locationRe.FindStringSubmatch(ee.Err.Error()); len(loc) == 3 {
					where = fmt.Sprintf(" (line %s, column %s)", loc[1], loc[2])
				}
				return "", template.ExecError{Name: ee.Name, Err: fmt.Errorf("variable %q not defined%s", m[1], where)}
			}
		}
		return "", err
	}
	return sb.String(), nil
}

// computeFile renders one file's path and (for *.tmpl) its content.
func (r *renderer) computeFile(rel string) (outFile, error) {
	info, err := fs.Stat(r.src, rel)
	if err != nil {
		return outFile{}, err
	}
	perm := info.Mode().Perm() | 0o200 // the owner can always write
	dest, err := r.execute(rel)
	if err != nil {
		return outFile{}, err
	}
	raw, err := fs.ReadFile(r.src, rel)
	if err != nil {
		return outFile{}, err
	}
	if !strings.HasSuffix(rel, tmplSuffix) {
		// Copied as is: same bytes, same permission bits.
		return outFile{relPath: dest, perm: perm, content: raw}, nil
	}
	dest = strings.TrimSuffix(dest, tmplSuffix)
	content, err := r.execute(string(raw))
	var fe failError
	if errors.As(err, &fe) {
		return outFile{}, fe
	}
	if err != nil {
		if strings.HasPrefix(err.Error(), "error in ") {
			// A parse error: name the file instead of echoing its content.
			var inner error = err
			if u := errors.Unwrap(err); u != nil {
				inner = u
			}
			return outFile{}, fmt.Errorf("failed to compute file content for %s. %w", rel, inner)
		}
		return outFile{}, fmt.Errorf("failed to compute file content for %s. %w", rel, err)
	}
	return outFile{relPath: dest, perm: perm, content: []byte(content)}, nil
}

func isSkipped(p string, patterns []string) (bool, error) {
	for _, pat := range patterns {
		ok, err := path.Match(pat, p)
		if err != nil {
			return false, err
		}
		if ok {
			return true, nil
		}
	}
	return false, nil
}

// walk visits template/ breadth-first: in each directory all files are
// rendered (collecting {{skip}} patterns) before any subdirectory is visited,
// so a skip can prune a directory eagerly. Files matching a pattern are
// still rendered, and dropped when persisting (as in the CLI).
func (r *renderer) walk() error {
	queue := []string{"."}
	var cur string
	for len(queue) > 0 {
		cur, queue = queue[0], queue[1:]
		dir, err := r.execute(cur)
		if err != nil {
			return err
		}
		skipped, err := isSkipped(dir, r.skipPatterns)
		if err != nil {
			return err
		}
		if skipped {
			continue
		}
		r.visitedDirs = append(r.visitedDirs, dir)

		r.base.Funcs(template.FuncMap{
			"skip": func(rel string) (string, error) {
				// Relative to the directory of the calling file; the
				// pattern itself may contain template expressions.
				pat, err := r.execute(path.Join(cur, rel))
				if err != nil {
					return "", err
				}
				for _, p := range r.skipPatterns {
					if p == pat {
						return "", nil
					}
				}
				r.skipPatterns = append(r.skipPatterns, pat)
				return "", nil
			},
		})

		entries, err := fs.ReadDir(r.src, cur)
		if err != nil {
			return err
		}
		sort.Slice(entries, func(i, j int) bool { return entries[i].Name() < entries[j].Name() })
		for _, e := range entries {
			p := path.Join(cur, e.Name())
			if e.IsDir() {
				queue = append(queue, p)
				continue
			}
			f, err := r.computeFile(p)
			if err != nil {
				return err
			}
			r.files = append(r.files, f)
		}
	}
	return nil
}

// filesToWrite applies the skip patterns and checks every destination:
// inside the output directory, unique, and not already existing.
func (r *renderer) filesToWrite(outDir string) ([]outFile, error) {
	var keep []outFile
	seen := map[string]bool{}
	for _, f := range r.files {
		skipped, err := isSkipped(f.relPath, r.skipPatterns)
		if err != nil {
			return nil, err
		}
		if skipped {
			continue
		}
		if err := checkInside(f.relPath); err != nil {
			return nil, err
		}
		clean := path.Clean(f.relPath)
		if seen[clean] {
			return nil, fmt.Errorf("failed to initialize template, two template files render to the same path: %s", f.relPath)
		}
		seen[clean] = true
		keep = append(keep, f)
	}
	for _, f := range keep {
		_, err := os.Lstat(filepath.Join(outDir, filepath.FromSlash(f.relPath)))
		if err == nil {
			return nil, fmt.Errorf("failed to initialize template, one or more files already exist: %s", f.relPath)
		}
		if !errors.Is(err, fs.ErrNotExist) && !isNotDirErr(err) {
			return nil, fmt.Errorf("error while verifying file %s does not already exist: %w", f.relPath, err)
		}
	}
	for _, d := range r.visitedDirs {
		if err := checkInside(d); err != nil {
			return nil, err
		}
	}
	return keep, nil
}

func isNotDirErr(err error) bool {
	return strings.Contains(err.Error(), "not a directory")
}

func checkInside(rel string) error {
	c := path.Clean(rel)
	if path.IsAbs(rel) || c == ".." || strings.HasPrefix(c, "../") || c == "." && rel != "." {
		return fmt.Errorf("relative path escapes root: %s", rel)
	}
	return nil
}

// persist writes the files, then creates every visited directory (empty
// directories of the template are kept). It returns the written paths.
func (r *renderer) persist(outDir string, files []outFile) ([]string, error) {
	var written []string
	for _, f := range files {
		abs := filepath.Join(outDir, filepath.FromSlash(f.relPath))
		if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
			return written, err
		}
		h, err := os.OpenFile(abs, os.O_WRONLY|os.O_CREATE|os.O_EXCL, f.perm)
		if err != nil {
			return written, err
		}
		_, err = h.Write(f.content)
		if cerr := h.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return written, err
		}
		written = append(written, f.relPath)
	}
	for _, d := range r.visitedDirs {
		if d == "." {
			continue
		}
		abs := filepath.Join(outDir, filepath.FromSlash(d))
		if _, err := os.Stat(abs); err == nil {
			continue
		}
		if err := os.MkdirAll(abs, 0o755); err != nil {
			return written, fmt.Errorf("failed to create directory %s: %w", d, err)
		}
	}
	sort.Strings(written)
	return written, nil
}
