package pbkv

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/dsimlab/dsim/checker"
)

func TestCheckOnePrimary(t *testing.T) {
	views := []ViewDecided{{Num: 1, Primary: "n1", Backup: "n2"}, {Num: 2, Primary: "n2", Backup: "n3"}}
	tests := []struct {
		name   string
		acts   []PrimaryActs
		want   checker.Verdict
		offend []string
	}{
		{"one primary per view", []PrimaryActs{{"n1", 1}, {"n2", 2}, {"n2", 2}}, checker.Holds, nil},
		{"no primary acted", nil, checker.Holds, nil},
		{"two primaries in one view", []PrimaryActs{{"n1", 1}, {"n2", 1}}, checker.Violated, []string{"view 1"}},
		{"a server acts in a view naming another primary", []PrimaryActs{{"n3", 2}}, checker.Violated, []string{"view 2"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := CheckOnePrimary(views, tc.acts)
			assert.Equal(t, tc.want, res.Verdict, res.Detail)
			assert.Equal(t, tc.offend, res.Offending)
			assert.Equal(t, OnePrimaryCheck, res.Check)
		})
	}
}

func TestFactsDescribeThemselvesAsTheOldAnnotations(t *testing.T) {
	assert.Equal(t, "view 3 primary=n2 backup=none", ViewDecided{Num: 3, Primary: "n2", Backup: "none"}.String())
	assert.Equal(t, "primary acts in view 12", PrimaryActs{Server: "n1", View: 12}.String())
}

func TestCheckAckedWrites(t *testing.T) {
	put := func(key, v string, call, ret int64) checker.Operation {
		return checker.Operation{Input: checker.KVInput{Op: checker.KVPut, Key: key, Value: v}, Call: call, Return: ret}
	}
	app := func(key, v string, call, ret int64) checker.Operation {
		return checker.Operation{Input: checker.KVInput{Op: checker.KVAppend, Key: key, Value: v}, Call: call, Return: ret}
	}
	unknown := func(op checker.Operation) checker.Operation {
		op.Outcome = checker.Unknown
		return op
	}
	get := checker.Operation{Input: checker.KVInput{Op: checker.KVGet, Key: "a"}, Output: checker.KVOutput{Value: "zzz"}, Call: 1, Return: 2}
	tests := []struct {
		name   string
		ops    []checker.Operation
		final  map[string]string
		want   checker.Verdict
		offend []string
	}{
		{"appends all there", []checker.Operation{app("a", "x;", 0, 1), app("a", "y;", 2, 3), get},
			map[string]string{"a": "x;y;"}, checker.Holds, nil},
		{"a later put overwrites", []checker.Operation{app("a", "x;", 0, 1), put("a", "p;", 2, 3)},
			map[string]string{"a": "p;"}, checker.Holds, nil},
		{"a concurrent put may come after", []checker.Operation{app("a", "x;", 5, 9), put("a", "p;", 2, 6)},
			map[string]string{"a": "p;"}, checker.Holds, nil},
		{"a put of unknown outcome may come after", []checker.Operation{unknown(put("a", "p;", 0, 0)), app("a", "x;", 5, 9)},
			map[string]string{"a": "p;"}, checker.Holds, nil},
		{"unknown writes may be missing", []checker.Operation{unknown(app("a", "x;", 0, 0))},
			map[string]string{}, checker.Holds, nil},
		{"lost append", []checker.Operation{app("a", "x;", 0, 1), app("a", "y;", 2, 3)},
			map[string]string{"a": "x;"}, checker.Violated, []string{"a"}},
		{"lost put", []checker.Operation{put("b", "p;", 0, 1)},
			map[string]string{}, checker.Violated, []string{"b"}},
		{"a put that returned before cannot excuse it", []checker.Operation{put("a", "p;", 0, 1), app("a", "x;", 2, 3)},
			map[string]string{"a": "p;"}, checker.Violated, []string{"a"}},
		{"applied twice", []checker.Operation{app("a", "x;", 0, 1)},
			map[string]string{"a": "x;x;"}, checker.Violated, []string{"a"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := CheckAckedWrites(tc.ops, tc.final)
			assert.Equal(t, tc.want, res.Verdict, res.Detail)
			assert.Equal(t, tc.offend, res.Offending)
		})
	}
}

func TestStoreRecordsAndSnapshots(t *testing.T) {
	s := newStore()
	for _, r := range []*Request{
		{Client: "c1", Seq: 1, Op: checker.KVPut, Key: "k", Value: "a;"},
		{Client: "c1", Seq: 2, Op: checker.KVAppend, Key: "k", Value: "b;"},
		{Client: "c1", Seq: 2, Op: checker.KVAppend, Key: "k", Value: "b;"}, // a retry: applied once
		{Client: "c2", Seq: 1, Op: checker.KVAppend, Key: "j", Value: "c;"},
	} {
		assert.NoError(t, s.Apply(writeRecord(r)))
	}
	assert.NoError(t, s.Apply(primaryRecord(7)))
	assert.Equal(t, map[string]string{"k": "a;b;", "j": "c;"}, s.kv)
	assert.Equal(t, 7, s.primaryView)

	c := newStore()
	assert.NoError(t, c.Restore(s.Snapshot()))
	assert.Equal(t, s, c)
	assert.NoError(t, c.Restore(s.transferSnapshot()))
	assert.Equal(t, 0, c.primaryView, "a transfer does not carry the sender's primary view")
	assert.True(t, c.duplicate("c1", 2))
	assert.False(t, c.duplicate("c1", 3))

	assert.Error(t, c.Restore([]byte{5}))
	assert.Error(t, c.Apply([]byte{'w', 200}))
	assert.Error(t, c.Apply([]byte{'?'}))

	vs := &vsState{}
	v := View{Num: 3, Primary: 1, PrimaryInc: 2, Backup: -1}
	assert.NoError(t, vs.Apply(putView([]byte{recView}, v)))
	assert.NoError(t, vs.Apply(putUint([]byte{recAck}, 3)))
	assert.Equal(t, v, vs.acked)
	assert.NoError(t, vs.Apply(putUint([]byte{recAck}, 2)), "an old ack changes nothing")
	vc := &vsState{}
	assert.NoError(t, vc.Restore(vs.Snapshot()))
	assert.Equal(t, vs, vc)
}
