package chash

import (
	"errors"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewAndNames(t *testing.T) {
	names := Names()
	assert.Equal(t, []string{NameBoundedLoad, NameJump, NameMaglev, NameRendezvous, NameRing}, names)
	assert.True(t, slices.IsSorted(names))
	for _, n := range names {
		h, err := New(n, Options{})
		require.NoError(t, err, n)
		assert.Equal(t, n, h.Name())
		assert.Empty(t, h.Members(), n)
		assert.Equal(t, "", h.Lookup(42), "%s: empty hasher", n)
	}
	_, err := New("consistent", Options{})
	assert.ErrorIs(t, err, ErrUnknownAlgorithm)
}

func TestNewInvalidOptions(t *testing.T) {
	tests := []struct {
		algo string
		opts Options
	}{
		{NameRing, Options{VNodes: -1}},
		{NameRing, Options{VNodes: maxVNodes + 1}},
		{NameBoundedLoad, Options{VNodes: -5}},
		{NameBoundedLoad, Options{LoadFactor: 0.9}},
		{NameBoundedLoad, Options{LoadFactor: math.NaN()}},
		{NameBoundedLoad, Options{LoadFactor: math.Inf(1)}},
		{NameMaglev, Options{TableSize: 65536}},
		{NameMaglev, Options{TableSize: 2}},
		{NameMaglev, Options{TableSize: -7}},
	}
	for _, tt := range tests {
		h, err := New(tt.algo, tt.opts)
		assert.ErrorIs(t, err, ErrInvalidOption, "%s %+v", tt.algo, tt.opts)
		assert.Nil(t, h, "%s %+v: a failed New returns a nil interface", tt.algo, tt.opts)
	}
	// Fields an algorithm does not use are ignored.
	_, err := New(NameJump, Options{VNodes: -1, LoadFactor: 0.5, TableSize: 4})
	assert.NoError(t, err)
}

func TestMembershipErrors(t *testing.T) {
	for _, algo := range Names() {
		t.Run(algo, func(t *testing.T) {
			h := build(t, algo, Options{}, []string{"a", "b", "c"})
			tests := []struct {
				what string
				err  error
				want error
			}{
				{"duplicate", h.Add("b", 1), ErrDuplicateMember},
				{"empty name", h.Add("", 1), ErrInvalidMember},
				{"zero weight", h.Add("d", 0), ErrInvalidWeight},
				{"negative weight", h.Add("d", -1), ErrInvalidWeight},
				{"NaN weight", h.Add("d", math.NaN()), ErrInvalidWeight},
				{"infinite weight", h.Add("d", math.Inf(1)), ErrInvalidWeight},
				{"unknown member", h.Remove("zz"), ErrUnknownMember},
			}
			for _, tt := range tests {
				assert.ErrorIs(t, tt.err, tt.want, tt.what)
			}
			assert.Equal(t, []string{"a", "b", "c"}, h.Members(), "failed calls change nothing")
		})
	}
}

func TestJumpLimits(t *testing.T) {
	j := NewJump()
	for _, n := range []string{"c", "a", "b"} {
		require.NoError(t, j.Add(n, 1))
	}
	assert.ErrorIs(t, j.Add("d", 2), ErrUnsupported, "weights")
	assert.ErrorIs(t, j.Remove("c"), ErrUnsupported, "first bucket")
	assert.ErrorIs(t, j.Remove("a"), ErrUnsupported, "middle bucket")
	assert.Equal(t, []string{"c", "a", "b"}, j.Buckets())
	assert.Equal(t, []string{"a", "b", "c"}, j.Members())
	require.NoError(t, j.Remove("b"))
	require.NoError(t, j.Remove("a"))
	assert.Equal(t, []string{"c"}, j.Buckets())
}

func TestMaglevMemberLimit(t *testing.T) {
	m, err := NewMaglev(Options{TableSize: 5})
	require.NoError(t, err)
	for _, n := range []string{"a", "b", "c", "d"} {
		require.NoError(t, m.Add(n, 1))
	}
	assert.ErrorIs(t, m.Add("e", 1), ErrInvalidOption, "M must exceed the member count")
	assert.Equal(t, []int{2, 1, 1, 1}, m.Entries(), "turns in name order")
}

// TestOrderIndependence builds each hasher from the same weighted members
// added in several orders, some with churn, and requires identical
// mappings. Jump is tested separately: its buckets follow insertion order.
func TestOrderIndependence(t *testing.T) {
	keys := testKeys(7, 20000)
	names := testNames(40)
	weights := map[string]float64{}
	for i, n := range names {
		weights[n] = float64(1 + i%3)
	}
	reversed := slices.Clone(names)
	slices.Reverse(reversed)
	shuffled := slices.Clone(names)
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })

	for _, algo := range []string{NameRing, NameRendezvous, NameMaglev, NameBoundedLoad} {
		t.Run(algo, func(t *testing.T) {
			var want []string
			for i, order := range [][]string{names, reversed, shuffled} {
				h, err := New(algo, Options{})
				require.NoError(t, err)
				for j, n := range order {
					require.NoError(t, h.Add(n, weights[n]))
					if j%7 == 0 { // Churn: a member that comes and goes.
						require.NoError(t, h.Add("temp", 1))
						require.NoError(t, h.Remove("temp"))
					}
				}
				assert.Equal(t, names, h.Members())
				placeAll(t, h, keys)
				got := owners(h, keys)
				if i == 0 {
					want = got
					continue
				}
				assert.Equal(t, want, got, "order %d", i)
			}
		})
	}
}

// TestJumpDeterminism checks that jump's mapping depends only on the
// sequence of Add and Remove calls.
func TestJumpDeterminism(t *testing.T) {
	keys := testKeys(8, 20000)
	names := testNames(30)
	a := build(t, NameJump, Options{}, names)
	b := build(t, NameJump, Options{}, names)
	require.NoError(t, b.Add("extra", 1))
	require.NoError(t, b.Remove("extra"))
	assert.Equal(t, owners(a, keys), owners(b, keys), "same sequence, same mapping")

	reversed := slices.Clone(names)
	slices.Reverse(reversed)
	c := build(t, NameJump, Options{}, reversed)
	assert.Greater(t, Moved(a.Lookup, c.Lookup, keys), 0.9, "bucket order is insertion order")
}

// TestGoldenMappings pins a fingerprint of each algorithm's mapping, so an
// accidental change to any of them (which would change every trace that
// uses it) fails here. Update the values only on purpose.
func TestGoldenMappings(t *testing.T) {
	want := map[string]uint64{
		NameBoundedLoad: 0x834eb427cfb5bc04,
		NameJump:        0x8a1969042ea33285,
		NameMaglev:      0x421dccecd2a2f2e0,
		NameRendezvous:  0xa60c7f7ec580104e,
		NameRing:        0x57e1a63405733bc3,
	}
	keys := testKeys(9, 5000)
	for _, algo := range Names() {
		t.Run(algo, func(t *testing.T) {
			// c = 1.05, so that keys overflow (at 1.25 none of these does,
			// and bounded-load would map as the ring).
			h := build(t, algo, Options{LoadFactor: 1.05}, testNames(10))
			if algo != NameJump { // Make the weighted paths count too.
				require.NoError(t, h.Add("heavy", 3))
			}
			placeAll(t, h, keys)
			f := fnv.New64a()
			for _, o := range owners(h, keys) {
				_, _ = f.Write([]byte(o))
				_, _ = f.Write([]byte{0})
			}
			assert.Equal(t, want[algo], f.Sum64(), "fingerprint %#x", f.Sum64())
		})
	}
}

func TestLookupZeroAllocs(t *testing.T) {
	keys := testKeys(10, 1024)
	for _, algo := range Names() {
		t.Run(algo, func(t *testing.T) {
			h := build(t, algo, Options{}, testNames(100))
			placeAll(t, h, keys[:512]) // Bounded-load: half placed, half not.
			i := 0
			allocs := testing.AllocsPerRun(2000, func() {
				_ = h.Lookup(keys[i%len(keys)])
				i++
			})
			assert.Zero(t, allocs)
		})
	}
}

func TestPlace(t *testing.T) {
	for _, algo := range Names() {
		h, err := New(algo, Options{})
		require.NoError(t, err)
		_, err = Place(h, 1)
		assert.ErrorIs(t, err, ErrEmpty, algo)
		require.NoError(t, h.Add("a", 1))
		m, err := Place(h, 1)
		require.NoError(t, err)
		assert.Equal(t, "a", m, algo)
	}
	b, err := NewBoundedLoad(Options{})
	require.NoError(t, err)
	require.NoError(t, b.Add("a", 1))
	_, err = Place(b, 1)
	require.NoError(t, err)
	assert.Equal(t, 1, b.Load("a"), "Place assigns on a LoadAware hasher")
}

func TestErrorsWrapContext(t *testing.T) {
	h := build(t, NameRing, Options{}, []string{"a"})
	err := h.Add("a", 1)
	require.Error(t, err)
	assert.True(t, errors.Is(err, ErrDuplicateMember))
	assert.Contains(t, err.Error(), `ring: add "a"`)
}
