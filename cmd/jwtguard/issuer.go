package main

import (
	"context"
	"io"
)

func runIssuer(ctx context.Context, args []string, stdout, stderr io.Writer) int { return exitUsage }
