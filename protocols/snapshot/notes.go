package snapshot

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// The trace annotations the nodes write and the Auditor reads. Their format
// is stable:
//
//	checkpoint id=3 epoch=1 bal=97 sent=0,5,4 recv=0,3,6
//	channels id=3 epoch=1 chan=/12:5,13:7/
//	rollback epoch=2 to=3 bal=97 sent=0,5,4 recv=0,3,6
//
// Vectors are indexed by node (n1 first). "checkpoint" is a node recording
// its local state (for Chandy–Lamport, its part of snapshot id); "channels"
// lists, per sender, the transfers (seq:amount) it recorded as in flight
// on its incoming channels when its part of snapshot id completed;
// "rollback" is the state a node restored when it entered a recovery epoch,
// after replaying recorded channel messages (to=-1: it kept its current
// state).

var errNote = errors.New("malformed annotation")

func vec(v []int) string {
	var b strings.Builder
	for i, x := range v {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(x))
	}
	return b.String()
}

func checkpointNote(id, epoch int, s state) string {
	return fmt.Sprintf("checkpoint id=%d epoch=%d bal=%d sent=%s recv=%s", id, epoch, s.Balance, vec(s.Sent), vec(s.Recv))
}

func rollbackNote(epoch, to int, s state) string {
	return fmt.Sprintf("rollback epoch=%d to=%d bal=%d sent=%s recv=%s", epoch, to, s.Balance, vec(s.Sent), vec(s.Recv))
}

func channelsNote(id, epoch int, chans [][]chanMsg) string {
	var b strings.Builder
	fmt.Fprintf(&b, "channels id=%d epoch=%d chan=", id, epoch)
	for j, msgs := range chans {
		if j > 0 {
			b.WriteByte('/')
		}
		for k, m := range msgs {
			if k > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, "%d:%d", m.Seq, m.Amount)
		}
	}
	return b.String()
}

// note is a parsed annotation.
type note struct {
	kind  string // checkpoint, channels or rollback
	id    int    // checkpoint id, or the rollback target
	epoch int
	st    state
	chans [][]chanMsg
}

// parseNote parses an annotation of n nodes. ok is false for annotations
// that are not this package's; err reports one that is, but is malformed.
func parseNote(text string, n int) (nt note, ok bool, err error) {
	fields := strings.Fields(text)
	if len(fields) == 0 {
		return note{}, false, nil
	}
	nt.kind = fields[0]
	switch nt.kind {
	case "checkpoint", "rollback", "channels":
	default:
		return note{}, false, nil
	}
	kv := map[string]string{}
	for _, f := range fields[1:] {
		k, v, found := strings.Cut(f, "=")
		if !found {
			return nt, true, fmt.Errorf("%w %q: field %q", errNote, text, f)
		}
		kv[k] = v
	}
	num := func(k string) int {
		v, e := strconv.Atoi(kv[k])
		if e != nil && err == nil {
			err = fmt.Errorf("%w %q: %s: %w", errNote, text, k, e)
		}
		return v
	}
	ints := func(k string) []int {
		parts := strings.Split(kv[k], ",")
		if len(parts) != n && err == nil {
			err = fmt.Errorf("%w %q: %s has %d entries, want %d", errNote, text, k, len(parts), n)
			return make([]int, n)
		}
		out := make([]int, n)
		for i, p := range parts {
			v, e := strconv.Atoi(p)
			if e != nil && err == nil {
				err = fmt.Errorf("%w %q: %s: %w", errNote, text, k, e)
			}
			out[i] = v
		}
		return out
	}
	nt.epoch = num("epoch")
	switch nt.kind {
	case "checkpoint":
		nt.id = num("id")
	case "rollback":
		nt.id = num("to")
	case "channels":
		nt.id = num("id")
		parts := strings.Split(kv["chan"], "/")
		if len(parts) != n {
			return nt, true, fmt.Errorf("%w %q: chan has %d channels, want %d", errNote, text, len(parts), n)
		}
		nt.chans = make([][]chanMsg, n)
		for j, p := range parts {
			if p == "" {
				continue
			}
			for _, m := range strings.Split(p, ",") {
				s, a, _ := strings.Cut(m, ":")
				seq, e1 := strconv.Atoi(s)
				amt, e2 := strconv.Atoi(a)
				if e := errors.Join(e1, e2); e != nil {
					return nt, true, fmt.Errorf("%w %q: %w", errNote, text, e)
				}
				nt.chans[j] = append(nt.chans[j], chanMsg{Seq: seq, Amount: amt})
			}
		}
		return nt, true, err
	}
	nt.st = state{Balance: num("bal"), Sent: ints("sent"), Recv: ints("recv")}
	return nt, true, err
}
