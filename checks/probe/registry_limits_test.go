package probe

import (
	"strings"
	"testing"
)

func TestCapRegistryString(t *testing.T) {
	display := strings.Repeat("Ł", 600_000)
	got := capRegistryString(display)
	if !strings.HasPrefix(got, strings.Repeat("Ł", MaxRegistryString)+"… (registry value cut: 600000 characters, the first 16384 kept)") || len(got) > 3*MaxRegistryString {
		t.Errorf("a 600,000-character value became %d bytes: %.80q", len(got), got[len(got)-80:])
	}
	if s := "Google Chrome"; capRegistryString(s) != s {
		t.Error("a short value was changed")
	}
	exact := strings.Repeat("a", MaxRegistryString)
	if capRegistryString(exact) != exact {
		t.Error("a value of exactly the limit was cut")
	}
	many := capRegistryStrings(make([]string, MaxRegistryStrings+5))
	if len(many) != MaxRegistryStrings+1 || many[MaxRegistryStrings] != "(5 more strings not kept)" {
		t.Errorf("%d strings, last %q", len(many), many[len(many)-1])
	}
}
