//go:build !windows

package main

func signatureState() string {
	return "none (Authenticode signs the Windows builds; check this one against SHA256SUMS)"
}
