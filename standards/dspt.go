package standards

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// DSPTItem is one evidence item of the Data Security and Protection Toolkit
// for the practice's category, as the toolkit numbers it ("7.1.1").
type DSPTItem struct {
	ID       string `json:"id"`
	Standard int    `json:"standard"`
	// Mandatory items are needed for Standards Met; Approaching ones also
	// for Approaching Standards.
	Mandatory   bool   `json:"mandatory"`
	Approaching bool   `json:"approaching"`
	Asks        string `json:"asks"`
	// Machine is what a scan of a PC can contribute: "strong", "partial"
	// or "procedural" (a person or a document is needed).
	Machine string `json:"machine"`
	// GPIT items are those a practice's GP IT team usually evidences.
	GPIT    bool `json:"gp_it"`
	NewInV8 bool `json:"new_in_v8"`
}

// DSPTItemFile is the list of one toolkit version's items for a category.
type DSPTItemFile struct {
	Provenance
	Toolkit  string     `json:"toolkit"`
	Category int        `json:"category"`
	Items    []DSPTItem `json:"items"`
}

var dsptItemID = regexp.MustCompile(`^([1-9]|10)\.[1-9][0-9]?\.[1-9][0-9]?$`)

func (f *DSPTItemFile) validate() error {
	if len(f.Items) == 0 {
		return fmt.Errorf("no DSPT items")
	}
	seen := map[string]bool{}
	for _, it := range f.Items {
		if !dsptItemID.MatchString(it.ID) {
			return fmt.Errorf("DSPT item %q is not of the form 7.1.1", it.ID)
		}
		if seen[it.ID] {
			return fmt.Errorf("DSPT item %s listed twice", it.ID)
		}
		seen[it.ID] = true
		if strings.SplitN(it.ID, ".", 2)[0] != strconv.Itoa(it.Standard) {
			return fmt.Errorf("DSPT item %s is under standard %d", it.ID, it.Standard)
		}
		if !slices.Contains([]string{"strong", "partial", "procedural"}, it.Machine) {
			return fmt.Errorf("DSPT item %s: machine %q is not strong, partial or procedural", it.ID, it.Machine)
		}
	}
	return nil
}

// compare refuses a file that drops an item the built-in list has.
func (f *DSPTItemFile) compare(b Body) ([]FactChange, error) {
	builtIn, ok := b.(*DSPTItemFile)
	if !ok || builtIn.Toolkit != f.Toolkit {
		return nil, nil
	}
	for _, it := range builtIn.Items {
		if _, ok := f.Item(it.ID); !ok {
			return nil, fmt.Errorf("DSPT item %s of the built-in list is missing", it.ID)
		}
	}
	return nil, nil
}

// Item returns the item with that ID.
func (f *DSPTItemFile) Item(id string) (DSPTItem, bool) {
	i := slices.IndexFunc(f.Items, func(it DSPTItem) bool { return it.ID == id })
	if i < 0 {
		return DSPTItem{}, false
	}
	return f.Items[i], true
}
