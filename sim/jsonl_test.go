package sim

import (
	"bytes"
	"encoding/json"
	"testing"
)

// FuzzJSONStringMatchesEncodingJSON: the trace's hand-written string
// escaping is byte for byte encoding/json's, whatever the string.
func FuzzJSONStringMatchesEncodingJSON(f *testing.F) {
	for _, s := range []string{"", "plain", `q"uo\te`, "tab\tnl\ncr\r", "\x00\x1f\x7f", "<a & b>", "é, ü, 世界",
		"\u2028\u2029", "bad \xff utf8 \xc3", "emoji 🐹"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendJSONString(nil, s); !bytes.Equal(got, want) {
			t.Fatalf("appendJSONString(%q) = %s, want %s", s, got, want)
		}
	})
}
