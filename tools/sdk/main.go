// Command sdkgen writes this package's Python and Go SDKs from schema.json with Pulumi's own code
// generators (github.com/pulumi/pulumi/pkg/v3/codegen/python and codegen/go), at the same module
// version as the engine tools/engine builds, so the SDKs match what `pulumi package gen-sdk` of
// that release would write, without needing a language host.
//
// Usage: go run . -schema ../../schema.json -out <dir>   (writes <dir>/python, <dir>/go and <dir>/go.mod)
//
// tools/sdk/build.ts runs it (`npm run sdk`) and compares its output with the committed sdk/.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"

	"github.com/blang/semver"
	gogen "github.com/pulumi/pulumi/pkg/v3/codegen/go"
	"github.com/pulumi/pulumi/pkg/v3/codegen/python"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

// toolName is what the generated files' "do not edit" headers name as their generator.
const toolName = "pulumi-pingone-sessions/tools/sdk"

// noReferences is the schema loader: this package's schema refers to no other package, so any
// attempt to load one is an error in the schema, reported as such rather than by downloading.
type noReferences struct{}

func (noReferences) refused(name string) error {
	return fmt.Errorf("schema.json refers to package %q; this generator loads no other package", name)
}

func (l noReferences) LoadPackage(pkg string, _ *semver.Version) (*schema.Package, error) {
	return nil, l.refused(pkg)
}

func (l noReferences) LoadPackageV2(_ context.Context, d *schema.PackageDescriptor) (*schema.Package, error) {
	return nil, l.refused(d.Name)
}

func (l noReferences) LoadPackageReference(pkg string, _ *semver.Version) (schema.PackageReference, error) {
	return nil, l.refused(pkg)
}

func (l noReferences) LoadPackageReferenceV2(_ context.Context, d *schema.PackageDescriptor) (schema.PackageReference, error) {
	return nil, l.refused(d.Name)
}

func main() {
	schemaPath := flag.String("schema", "schema.json", "the package schema")
	out := flag.String("out", "sdk", "the directory that receives python/ and go/")
	flag.Parse()
	if err := run(*schemaPath, *out); err != nil {
		fmt.Fprintf(os.Stderr, "sdkgen: %v\n", err)
		os.Exit(1)
	}
}

func run(schemaPath, out string) error {
	raw, err := os.ReadFile(schemaPath)
	if err != nil {
		return err
	}
	var spec schema.PackageSpec
	if err := json.Unmarshal(raw, &spec); err != nil {
		return fmt.Errorf("%s: %w", schemaPath, err)
	}
	if err := withVersionedSDKs(&spec); err != nil {
		return fmt.Errorf("%s: %w", schemaPath, err)
	}
	pkg, err := bind(schemaPath, spec)
	if err != nil {
		return err
	}
	pythonFiles, err := python.GeneratePackage(toolName, pkg, nil, noReferences{})
	if err != nil {
		return fmt.Errorf("python: %w", err)
	}
	// Bind again: each generator imports its language's section into the package it is given.
	if pkg, err = bind(schemaPath, spec); err != nil {
		return err
	}
	goFiles, err := gogen.GeneratePackage(toolName, pkg, nil)
	if err != nil {
		return fmt.Errorf("go: %w", err)
	}
	goMod, err := goModFor(spec)
	if err != nil {
		return err
	}
	if err := write(filepath.Join(out, "python"), pythonFiles); err != nil {
		return err
	}
	if err := write(filepath.Join(out, "go"), goFiles); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(out, "go.mod"), goMod, 0o644)
}

// withVersionedSDKs sets `respectSchemaVersion` in the python and go sections of the schema
// unless they say otherwise: without it the generators write version 0.0.0 (Pulumi's release
// tooling rewrites it with sed), so the wheel would be pulumi_pingone_sessions-0.0.0 and the SDK
// would not ask the engine for the plugin's version. The schema's version is the npm package's.
func withVersionedSDKs(spec *schema.PackageSpec) error {
	if spec.Language == nil {
		spec.Language = map[string]schema.RawMessage{}
	}
	for _, language := range []string{"python", "go"} {
		section := map[string]any{}
		if raw, ok := spec.Language[language]; ok {
			if err := json.Unmarshal(raw, &section); err != nil {
				return fmt.Errorf("language.%s: %w", language, err)
			}
		}
		if _, set := section["respectSchemaVersion"]; !set {
			section["respectSchemaVersion"] = true
		}
		raw, err := json.Marshal(section)
		if err != nil {
			return err
		}
		spec.Language[language] = raw
	}
	return nil
}

// goModFor is the Go SDK's go.mod (sdk/go.mod, as Pulumi's providers lay it out): the module is
// the import base path less its last two elements (`<repo>/sdk/go/<package>` → `<repo>/sdk`), and
// it requires Pulumi's Go SDK at the engine's version (this module's own requirement).
func goModFor(spec schema.PackageSpec) ([]byte, error) {
	var info struct {
		ImportBasePath string `json:"importBasePath"`
	}
	if raw, ok := spec.Language["go"]; ok {
		if err := json.Unmarshal(raw, &info); err != nil {
			return nil, fmt.Errorf("language.go: %w", err)
		}
	}
	if !strings.HasSuffix(path.Dir(info.ImportBasePath), "/sdk/go") {
		return nil, fmt.Errorf("language.go.importBasePath %q is not <module>/sdk/go/<package>", info.ImportBasePath)
	}
	build, ok := debug.ReadBuildInfo()
	if !ok {
		return nil, errors.New("no build information: run the generator with go run or go build")
	}
	sdkVersion := ""
	for _, dep := range build.Deps {
		if dep.Path == "github.com/pulumi/pulumi/sdk/v3" {
			sdkVersion = dep.Version
		}
	}
	if sdkVersion == "" {
		return nil, errors.New("the generator was built without github.com/pulumi/pulumi/sdk/v3")
	}
	module := path.Dir(path.Dir(info.ImportBasePath))
	return []byte(fmt.Sprintf("module %s\n\ngo 1.25\n\nrequire github.com/pulumi/pulumi/sdk/v3 %s\n", module, sdkVersion)), nil
}

// bind validates the schema against Pulumi's metaschema and binds it, as `pulumi package gen-sdk` does.
func bind(schemaPath string, spec schema.PackageSpec) (*schema.Package, error) {
	pkg, diags, err := schema.BindSpec(spec, noReferences{}, schema.ValidationOptions{})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", schemaPath, err)
	}
	if diags.HasErrors() {
		return nil, fmt.Errorf("%s does not bind: %s", schemaPath, diags.Error())
	}
	return pkg, nil
}

// write replaces dir with exactly files, so a file the generator no longer writes disappears.
func write(dir string, files map[string][]byte) error {
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		file := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(file, files[name], 0o644); err != nil {
			return err
		}
	}
	return nil
}
