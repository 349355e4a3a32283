//go:build unix

package fleet

import (
	"os"
	"syscall"
)

// openResult opens a file the listing found regular without following a
// link or waiting on a FIFO, should it have been swapped for one since.
func openResult(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK|syscall.O_NOFOLLOW, 0)
}
