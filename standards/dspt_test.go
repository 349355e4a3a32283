package standards

import "testing"

// The built-in list must agree with the totals of its source (shared
// dspt-v8-category4.md section 2: 45 items, 29 mandatory; per standard 13,
// 2, 1, 5, 2, 5, 6, 5, 3, 3) and hold the two items v8 made mandatory.
func TestBuiltInDSPTItemsMatchTheToolkit(t *testing.T) {
	d, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	items := d.DSPT.Items
	perStandard := map[int]int{}
	mandatory := 0
	for _, it := range items {
		perStandard[it.Standard]++
		if it.Mandatory {
			mandatory++
		}
	}
	if len(items) != 45 || mandatory != 29 {
		t.Errorf("%d items, %d mandatory; want 45 and 29", len(items), mandatory)
	}
	want := map[int]int{1: 13, 2: 2, 3: 1, 4: 5, 5: 2, 6: 5, 7: 6, 8: 5, 9: 3, 10: 3}
	for n, c := range want {
		if perStandard[n] != c {
			t.Errorf("standard %d has %d items, want %d", n, perStandard[n], c)
		}
	}
	for _, id := range []string{"4.3.1", "7.1.1"} {
		it, ok := d.DSPT.Item(id)
		if !ok || !it.Mandatory || !it.NewInV8 {
			t.Errorf("item %s: %+v, want mandatory and new in v8", id, it)
		}
	}
}

func TestDSPTItemFileRefusesBadItems(t *testing.T) {
	for name, items := range map[string][]DSPTItem{
		"bad id":         {{ID: "7.1", Standard: 7, Machine: "strong"}},
		"wrong standard": {{ID: "7.1.1", Standard: 6, Machine: "strong"}},
		"twice":          {{ID: "7.1.1", Standard: 7, Machine: "strong"}, {ID: "7.1.1", Standard: 7, Machine: "strong"}},
		"bad machine":    {{ID: "7.1.1", Standard: 7, Machine: "yes"}},
	} {
		f := DSPTItemFile{Items: items}
		if err := f.validate(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
