package practice

import (
	"bytes"
	"os"
	"reflect"
	"strings"
	"testing"
)

// TestTemplateParses: the template lists every item a person answers,
// with its question, and reads back as a blank practice.
func TestTemplateParses(t *testing.T) {
	items := catalogue(t)
	var b bytes.Buffer
	if err := Write(&b, Blank(items), items); err != nil {
		t.Fatal(err)
	}
	p, err := Parse(b.Bytes(), opts(t))
	if err != nil {
		t.Fatalf("%v\n%s", err, b.String())
	}
	want := 0
	for _, it := range items.Items {
		if it.Machine != "strong" {
			want++
			if !strings.Contains(b.String(), it.Asks[:20]) {
				t.Errorf("template lacks the question of %s", it.ID)
			}
		}
	}
	if len(p.Attestations) != want || want == 0 {
		t.Errorf("template has %d items, want %d", len(p.Attestations), want)
	}
	if len(ToAnswer(p, opts(t).Now)) != want {
		t.Errorf("a blank template should have every item to answer")
	}
	for _, s := range []string{"4.3.1 * GP IT (standard 4)", "#  - check: os-supported", "#  - name: Main router", "accepted_risks: []"} {
		if !strings.Contains(b.String(), s) {
			t.Errorf("template lacks %q", s)
		}
	}
}

// TestWriteRoundTrip: what Write writes, Parse reads back the same, even
// for text that needs quoting.
func TestWriteRoundTrip(t *testing.T) {
	b, _ := os.ReadFile("testdata/good.yaml")
	p, err := Parse(b, opts(t))
	if err != nil {
		t.Fatal(err)
	}
	p.Attestations[0].Evidence = `"Policies" drive: #3 \ IT, yes`
	p.Attestations[1].Owner = "true"
	p.Assets[0].Notes = "Ünïcode café – 10: 20"
	p.Hosts[0].Notes = "- starts with a dash"
	var out bytes.Buffer
	if err := Write(&out, p, catalogue(t)); err != nil {
		t.Fatal(err)
	}
	again, err := Parse(out.Bytes(), opts(t))
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if !reflect.DeepEqual(p, again) {
		t.Errorf("round trip changed the practice:\n got %+v\nwant %+v", again, p)
	}
}

func TestToAnswer(t *testing.T) {
	b, _ := os.ReadFile("testdata/good.yaml")
	p, _ := Parse(b, opts(t))
	// 4.3.1 answered until 2027; 3.2.1 past its review; 7.1.2 blank.
	if got := ToAnswer(p, opts(t).Now); !reflect.DeepEqual(got, []int{1, 2}) {
		t.Errorf("ToAnswer = %v, want [1 2]", got)
	}
}
