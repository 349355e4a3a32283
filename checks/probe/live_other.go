//go:build !windows

package probe

import "context"

const commandsForbidden = false

func readRegistry(Query) (any, error) {
	return nil, Errorf(NotFound, "there is no Windows registry on this OS")
}

func readWMI(context.Context, Query) (any, error) {
	return nil, Errorf(MissingClass, "there is no WMI on this OS")
}

func readRegistryKeys(Query) (any, error) {
	return nil, Errorf(NotFound, "there is no Windows registry on this OS")
}

func callAPI(_ context.Context, q Query) (any, error) {
	return nil, Errorf(NotFound, "%s is a Windows API; this is not Windows", q.Path)
}
