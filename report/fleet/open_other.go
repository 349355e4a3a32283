//go:build !unix

package fleet

import "os"

// openResult opens a file the listing found regular.
func openResult(path string) (*os.File, error) { return os.Open(path) }
