//go:build !unix

package declared

import "os"

// openNoBlock opens a file; Windows has no FIFOs in a folder to block on.
func openNoBlock(path string) (*os.File, error) {
	return os.Open(path)
}
