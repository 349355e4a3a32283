//go:build unix

package declared

import (
	"os"
	"syscall"
)

// openNoBlock opens a file so that a FIFO swapped in after the Lstat
// cannot block the open.
func openNoBlock(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK|syscall.O_NOFOLLOW, 0)
}
