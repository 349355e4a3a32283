//go:build unix

package main

import (
	"os"
	"syscall"
)

// openNoBlock opens a file to read without waiting on a FIFO, so that a
// pipe put where a file was expected is refused rather than hanging.
func openNoBlock(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}
