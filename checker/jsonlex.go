package checker

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
)

// jsonLexer reads the JSON of a history file one value at a time, straight
// from its bytes. History files are read with it rather than with
// encoding/json's Decoder.Token, which costs microseconds a token (a
// 100,000-operation history took half a second), and because the reader
// must see every field name, to reject a name given twice. Strings with
// escapes are decoded by encoding/json, so escapes mean what JSON says.
type jsonLexer struct {
	data []byte
	off  int
}

// errSyntax marks a lexer error; the reader adds the line and column of
// the lexer's offset.
var errSyntax = errors.New("invalid JSON")

func (l *jsonLexer) skipSpace() {
	for l.off < len(l.data) {
		switch l.data[l.off] {
		case ' ', '\t', '\r', '\n':
			l.off++
		default:
			return
		}
	}
}

// peek returns the next byte that is not blank, or 0 at the end.
func (l *jsonLexer) peek() byte {
	l.skipSpace()
	if l.off == len(l.data) {
		return 0
	}
	return l.data[l.off]
}

// atEnd reports whether only blanks are left.
func (l *jsonLexer) atEnd() bool { return l.peek() == 0 }

// consume reads c if it comes next and reports whether it did.
func (l *jsonLexer) consume(c byte) bool {
	if l.peek() == c {
		l.off++
		return true
	}
	return false
}

// kind names the JSON value that starts next, for messages.
func (l *jsonLexer) kind() string {
	switch c := l.peek(); {
	case c == '{':
		return "object"
	case c == '[':
		return "array"
	case c == '"':
		return "string"
	case c == 't' || c == 'f':
		return "bool"
	case c == 'n':
		return "null"
	case c == '-' || (c >= '0' && c <= '9'):
		return "number"
	case c == 0:
		return "end of file"
	}
	return "character " + strconv.QuoteRune(rune(l.data[l.off]))
}

// str reads a string.
func (l *jsonLexer) str() (string, error) {
	if l.peek() != '"' {
		return "", fmt.Errorf("%w: want a string, got %s", errSyntax, l.kind())
	}
	start, escaped := l.off, false
	for i := start + 1; i < len(l.data); i++ {
		switch c := l.data[i]; {
		case c == '\\':
			escaped = true
			i++
		case c < 0x20:
			l.off = i
			return "", fmt.Errorf("%w: control character in a string", errSyntax)
		case c == '"':
			l.off = i + 1
			if !escaped {
				return string(l.data[start+1 : i]), nil
			}
			var s string
			if err := json.Unmarshal(l.data[start:i+1], &s); err != nil {
				l.off = start
				return "", fmt.Errorf("%w: bad escape in a string", errSyntax)
			}
			return s, nil
		}
	}
	l.off = len(l.data)
	return "", fmt.Errorf("%w: unterminated string", errSyntax)
}

// integer reads a number that must be an integer.
func (l *jsonLexer) integer() (int64, error) {
	l.skipSpace()
	start := l.off
	for l.off < len(l.data) && bytes.IndexByte([]byte("+-0123456789.eE"), l.data[l.off]) >= 0 {
		l.off++
	}
	text := string(l.data[start:l.off])
	v, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		if _, ferr := strconv.ParseFloat(text, 64); ferr != nil || !json.Valid([]byte(text)) {
			l.off = start
			return 0, fmt.Errorf("%w: bad number %q", errSyntax, text)
		}
		return 0, fmt.Errorf("%s is not a whole number in range", text)
	}
	return v, nil
}

// literal reads true, false or null.
func (l *jsonLexer) literal() (string, error) {
	l.skipSpace()
	for _, lit := range []string{"true", "false", "null"} {
		if bytes.HasPrefix(l.data[l.off:], []byte(lit)) {
			l.off += len(lit)
			return lit, nil
		}
	}
	return "", fmt.Errorf("%w: unexpected %s", errSyntax, l.kind())
}

// skip reads one value of any kind, checking only that it is well formed.
func (l *jsonLexer) skip() error {
	switch l.peek() {
	case '"':
		_, err := l.str()
		return err
	case '{', '[':
		return l.skipNested()
	case 't', 'f', 'n':
		_, err := l.literal()
		return err
	}
	_, err := l.number()
	return err
}

func (l *jsonLexer) skipNested() error {
	open := l.data[l.off]
	l.off++
	if l.consume(open + 2) { // ']' is '[' + 2, '}' is '{' + 2
		return nil
	}
	for {
		if open == '{' {
			if _, err := l.str(); err != nil {
				return err
			}
			if !l.consume(':') {
				return fmt.Errorf("%w: want ':' after a field name", errSyntax)
			}
		}
		if err := l.skip(); err != nil {
			return err
		}
		if l.consume(open + 2) {
			return nil
		}
		if !l.consume(',') {
			return fmt.Errorf("%w: want ',' or %q", errSyntax, open+2)
		}
	}
}

// number reads any JSON number.
func (l *jsonLexer) number() (string, error) {
	l.skipSpace()
	start := l.off
	for l.off < len(l.data) && bytes.IndexByte([]byte("+-0123456789.eE"), l.data[l.off]) >= 0 {
		l.off++
	}
	if l.off == start || !json.Valid(l.data[start:l.off]) {
		l.off = start
		return "", fmt.Errorf("%w: unexpected %s", errSyntax, l.kind())
	}
	return string(l.data[start:l.off]), nil
}
