package schedule

import (
	"errors"
	"syscall"
)

// renameContended reports a rename Windows refused because another process
// has the target open for a moment (a reader, or a concurrent run): worth
// trying again.
func renameContended(err error) bool {
	return errors.Is(err, syscall.ERROR_ACCESS_DENIED) || errors.Is(err, syscall.Errno(32)) // ERROR_SHARING_VIOLATION
}

// removeUnsupported reports the ERROR_INVALID_FUNCTION that Wine 8 gives
// for the delete os.Root uses (FileDispositionInformationEx); a plain
// delete by path works there.
func removeUnsupported(err error) bool { return errors.Is(err, syscall.Errno(1)) }
