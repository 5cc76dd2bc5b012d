//go:build !race

package rsapub

const raceEnabled = false
