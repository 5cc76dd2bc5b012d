package main

import (
	"fmt"
	"runtime/debug"
	"strings"
)

// versionLine describes the running binary from its build information:
// module version, the commit it was built from (when the build recorded
// one) and the Go release. ok is false when the binary carries no build
// information at all.
//
// "go install module@version" records the module version; "go build" in a
// checkout records a pseudo-version and the commit; "go run" and test
// binaries record neither and report a development build.
func versionLine(bi *debug.BuildInfo, ok bool) string {
	if !ok || bi == nil {
		return "jwtguard: development build (no build information)"
	}
	version := bi.Main.Version
	if version == "" || version == "(devel)" {
		version = "development build"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "jwtguard %s", version)
	if bi.Main.Path != "" {
		fmt.Fprintf(&b, " (%s)", bi.Main.Path)
	}
	settings := map[string]string{}
	for _, s := range bi.Settings {
		settings[s.Key] = s.Value
	}
	if rev := settings["vcs.revision"]; rev != "" {
		fmt.Fprintf(&b, ", commit %s", rev[:min(len(rev), 12)])
		if t := settings["vcs.time"]; t != "" {
			fmt.Fprintf(&b, " from %s", t)
		}
		if settings["vcs.modified"] == "true" {
			b.WriteString(" with uncommitted changes")
		}
	}
	if bi.GoVersion != "" {
		fmt.Fprintf(&b, ", %s", bi.GoVersion)
	}
	return b.String()
}

// buildVersion is versionLine for this binary.
func buildVersion() string { return versionLine(debug.ReadBuildInfo()) }
