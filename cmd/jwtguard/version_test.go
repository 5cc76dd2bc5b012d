package main

import (
	"runtime/debug"
	"testing"
)

func TestVersionLine(t *testing.T) {
	vcs := []debug.BuildSetting{
		{Key: "vcs", Value: "git"},
		{Key: "vcs.revision", Value: "0123456789abcdef0123456789abcdef01234567"},
		{Key: "vcs.time", Value: "2026-11-30T10:00:00Z"},
		{Key: "vcs.modified", Value: "true"},
	}
	tests := []struct {
		name string
		bi   *debug.BuildInfo
		ok   bool
		want string
	}{
		{"no build info", nil, false, "jwtguard: development build (no build information)"},
		{"go install at a version", &debug.BuildInfo{GoVersion: "go1.26.8",
			Main: debug.Module{Path: "github.com/jwtguard/jwtguard", Version: "v0.3.0"}}, true,
			"jwtguard v0.3.0 (github.com/jwtguard/jwtguard), go1.26.8"},
		{"go run or test binary", &debug.BuildInfo{GoVersion: "go1.26.8",
			Main: debug.Module{Path: "github.com/jwtguard/jwtguard", Version: "(devel)"}}, true,
			"jwtguard development build (github.com/jwtguard/jwtguard), go1.26.8"},
		{"go build in a modified checkout", &debug.BuildInfo{GoVersion: "go1.26.8", Settings: vcs,
			Main: debug.Module{Path: "github.com/jwtguard/jwtguard", Version: "v0.3.1-0.20261130100000-0123456789ab+dirty"}}, true,
			"jwtguard v0.3.1-0.20261130100000-0123456789ab+dirty (github.com/jwtguard/jwtguard), commit 0123456789ab from 2026-11-30T10:00:00Z with uncommitted changes, go1.26.8"},
		{"empty version, short revision", &debug.BuildInfo{Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "abc"}}}, true,
			"jwtguard development build, commit abc"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := versionLine(tt.bi, tt.ok); got != tt.want {
				t.Errorf("versionLine = %q\nwant          %q", got, tt.want)
			}
		})
	}
}
