//go:build !unix

package main

import "os"

// openNoBlock opens a file to read; Windows has no FIFO to wait on.
func openNoBlock(path string) (*os.File, error) { return os.Open(path) }
