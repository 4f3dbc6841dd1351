package chash

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
)

// Hasher maps keys to members. Keys are 64-bit hashes (see HashKey and Mix64);
// members are non-empty names, each with a positive weight.
//
// A Hasher is a plain value owned by one goroutine: Add, Remove and, for a
// LoadAware hasher, Assign and Release must not run concurrently with any
// other method. Concurrent calls to Lookup alone are safe.
type Hasher interface {
	// Name returns the algorithm's name, as accepted by New.
	Name() string
	// Lookup returns the member that owns key, or "" when there are no
	// members. It does not allocate and does not change the hasher.
	Lookup(key uint64) string
	// Add adds a member with a weight, a positive finite number; a member
	// with weight 2 is meant to receive twice the keys of a member with
	// weight 1. Algorithms without weights accept only weight 1.
	Add(member string, weight float64) error
	// Remove removes a member. Its keys move to the remaining members.
	Remove(member string) error
	// Members returns the member names in ascending order, in a new slice.
	Members() []string
}

// LoadAware is a Hasher that tracks which keys are placed where, so that it
// can bound every member's load. Lookup on a LoadAware hasher returns a
// placed key's current owner, and for a key not placed yet the member that
// Assign would choose now.
type LoadAware interface {
	Hasher
	// Assign places key on a member, counts it against that member's load
	// and returns the member. Assigning a key already placed returns its
	// current owner and changes nothing. It fails with ErrEmpty when there
	// are no members.
	Assign(key uint64) (string, error)
	// Release removes a placed key from its owner's load and reports
	// whether the key was placed. It never moves other keys.
	Release(key uint64) bool
	// Load returns the number of keys placed on member, or 0 for a name
	// that is not a member.
	Load(member string) int
	// Capacity returns the most keys member may hold when the next key is
	// assigned, or 0 for a name that is not a member.
	Capacity(member string) int
}

// Errors returned by this package, always wrapped with context; test for them
// with errors.Is.
var (
	// ErrUnknownAlgorithm means New was given a name not listed by Names.
	ErrUnknownAlgorithm = errors.New("unknown consistent-hashing algorithm")
	// ErrInvalidOption means an Options field is out of range.
	ErrInvalidOption = errors.New("invalid option")
	// ErrInvalidMember means a member name is empty.
	ErrInvalidMember = errors.New("invalid member name")
	// ErrInvalidWeight means a weight is not a positive finite number.
	ErrInvalidWeight = errors.New("invalid weight")
	// ErrDuplicateMember means Add was given a name already present.
	ErrDuplicateMember = errors.New("member already present")
	// ErrUnknownMember means Remove was given a name not present.
	ErrUnknownMember = errors.New("no such member")
	// ErrUnsupported means the algorithm cannot do what was asked, such as
	// weights or removing any member but the last one for jump hash.
	ErrUnsupported = errors.New("not supported by this algorithm")
	// ErrEmpty means a key was placed while there are no members.
	ErrEmpty = errors.New("no members")
)

// Algorithm names accepted by New.
const (
	NameRing        = "ring"         // Ring: virtual nodes on a hash ring.
	NameRendezvous  = "rendezvous"   // Rendezvous: highest random weight.
	NameJump        = "jump"         // Jump: Lamping and Veach's jump hash.
	NameBoundedLoad = "bounded-load" // BoundedLoad: ring with a load cap.
	NameMaglev      = "maglev"       // Maglev: Google's lookup table.
)

// Defaults used when an Options field is zero.
const (
	// DefaultVNodes is the number of ring points per unit of weight.
	DefaultVNodes = 160
	// DefaultLoadFactor is the bounded-load factor c: no member holds more
	// than ceil(c × mean) keys.
	DefaultLoadFactor = 1.25
	// DefaultTableSize is the Maglev table size M in entries, a prime.
	DefaultTableSize = 65537
)

// maxVNodes bounds the ring points of one member, so that a huge weight
// fails instead of exhausting memory.
const maxVNodes = 1 << 22

// maxTableSize bounds the Maglev table, in entries.
const maxTableSize = 1 << 24

// Options configures the algorithms. The zero value selects every default;
// a field an algorithm does not use is ignored.
type Options struct {
	// VNodes is the number of ring points per unit of weight for ring and
	// bounded-load; a member of weight w gets round(VNodes × w) points, at
	// least one. Zero means DefaultVNodes.
	VNodes int
	// LoadFactor is c for bounded-load, at least 1: with m keys placed, a
	// member of weight w holds at most ceil(c × m × w / W), W the total
	// weight (the capacity of Mirrokni, Thorup and Zadimoghaddam). Zero
	// means DefaultLoadFactor.
	LoadFactor float64
	// TableSize is Maglev's table size M in entries, a prime larger than the
	// number of members (ideally 100 times larger). Zero means
	// DefaultTableSize.
	TableSize int
}

func (o Options) vnodes() (int, error) {
	switch {
	case o.VNodes == 0:
		return DefaultVNodes, nil
	case o.VNodes < 0 || o.VNodes > maxVNodes:
		return 0, fmt.Errorf("chash: VNodes %d, want 1..%d: %w", o.VNodes, maxVNodes, ErrInvalidOption)
	}
	return o.VNodes, nil
}

func (o Options) loadFactor() (float64, error) {
	switch {
	case o.LoadFactor == 0:
		return DefaultLoadFactor, nil
	case !(o.LoadFactor >= 1) || math.IsInf(o.LoadFactor, 1):
		return 0, fmt.Errorf("chash: LoadFactor %v, want a finite number >= 1: %w", o.LoadFactor, ErrInvalidOption)
	}
	return o.LoadFactor, nil
}

func (o Options) tableSize() (int, error) {
	switch {
	case o.TableSize == 0:
		return DefaultTableSize, nil
	case o.TableSize < 3 || o.TableSize > maxTableSize || !isPrime(o.TableSize):
		return 0, fmt.Errorf("chash: TableSize %d, want a prime in 3..%d: %w", o.TableSize, maxTableSize, ErrInvalidOption)
	}
	return o.TableSize, nil
}

// algorithms is the constructor table behind New and Names, sorted by name.
var algorithms = []struct {
	name string
	new  func(Options) (Hasher, error)
}{
	{NameBoundedLoad, func(o Options) (Hasher, error) { return asHasher(NewBoundedLoad(o)) }},
	{NameJump, func(o Options) (Hasher, error) { return NewJump(), nil }},
	{NameMaglev, func(o Options) (Hasher, error) { return asHasher(NewMaglev(o)) }},
	{NameRendezvous, func(o Options) (Hasher, error) { return NewRendezvous(), nil }},
	{NameRing, func(o Options) (Hasher, error) { return asHasher(NewRing(o)) }},
}

// asHasher keeps a typed nil pointer out of the returned interface.
func asHasher[T Hasher](h T, err error) (Hasher, error) {
	if err != nil {
		return nil, err
	}
	return h, nil
}

// New returns an empty hasher running the named algorithm, configured by
// opts. The name is one of Names; anything else fails with
// ErrUnknownAlgorithm, and an out-of-range option with ErrInvalidOption.
func New(name string, opts Options) (Hasher, error) {
	for _, a := range algorithms {
		if a.name == name {
			return a.new(opts)
		}
	}
	return nil, fmt.Errorf("chash: %q (known: %s): %w", name, strings.Join(Names(), ", "), ErrUnknownAlgorithm)
}

// Names returns the algorithm names accepted by New, in ascending order, in a
// new slice.
func Names() []string {
	names := make([]string, len(algorithms))
	for i, a := range algorithms {
		names[i] = a.name
	}
	return names
}

// Member is a member name and its weight, for Build.
type Member struct {
	Name   string
	Weight float64
}

// BulkAdder is a Hasher that adds many members at once for less than one
// Add each: Maglev populates its table once, Ring sorts its points once.
type BulkAdder interface {
	Hasher
	// AddAll adds the members as one Add each would, or none of them on
	// an error.
	AddAll(members []Member) error
}

// Build returns a hasher running the named algorithm with the given
// members, built in bulk where the algorithm allows (Maglev and Ring: a
// 1,000-member Maglev table is populated once, not 1,000 times). The
// result is the same as New followed by one Add per member.
func Build(name string, opts Options, members []Member) (Hasher, error) {
	h, err := New(name, opts)
	if err != nil {
		return nil, err
	}
	if b, ok := h.(BulkAdder); ok {
		if err := b.AddAll(members); err != nil {
			return nil, err
		}
		return h, nil
	}
	for _, m := range members {
		if err := h.Add(m.Name, m.Weight); err != nil {
			return nil, err
		}
	}
	return h, nil
}

// Place puts key on a member of h and returns it: through Assign when h is
// LoadAware, so the key counts against the member's load, and through Lookup
// otherwise. It fails with ErrEmpty when h has no members. Place lets a
// comparison drive every algorithm the same way.
func Place(h Hasher, key uint64) (string, error) {
	if la, ok := h.(LoadAware); ok {
		return la.Assign(key)
	}
	m := h.Lookup(key)
	if m == "" {
		return "", fmt.Errorf("chash: %s: place key %#x: %w", h.Name(), key, ErrEmpty)
	}
	return m, nil
}

// HashKey hashes a string key to the 64-bit key that Lookup takes: 64-bit
// FNV-1a followed by Mix64. The function is fixed, the same in every process
// and on every machine, so mappings can be replayed and compared.
func HashKey(s string) uint64 {
	const (
		offset64 = 14695981039346656037
		prime64  = 1099511628211
	)
	h := uint64(offset64)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= prime64
	}
	return Mix64(h)
}

// Mix64 is the splitmix64 finalizer, a fixed bijection on 64-bit integers
// that spreads nearby inputs over the whole range. Use it to turn integer ids,
// such as sequential request numbers, into keys for Lookup.
func Mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// member is one named, weighted member.
type member struct {
	name   string
	weight float64
}

// memberSet is a set of members kept sorted by name, so that the order in
// which they were added never shows.
type memberSet struct {
	list []member
}

func (s *memberSet) find(name string) (int, bool) {
	return slices.BinarySearchFunc(s.list, name, func(m member, n string) int {
		return strings.Compare(m.name, n)
	})
}

// insert validates and adds a member and returns its index in the sorted list.
func (s *memberSet) insert(algo, name string, weight float64) (int, error) {
	if name == "" {
		return 0, fmt.Errorf("chash: %s: add %q: %w", algo, name, ErrInvalidMember)
	}
	if err := checkWeight(algo, name, weight); err != nil {
		return 0, err
	}
	i, found := s.find(name)
	if found {
		return 0, fmt.Errorf("chash: %s: add %q: %w", algo, name, ErrDuplicateMember)
	}
	s.list = slices.Insert(s.list, i, member{name: name, weight: weight})
	return i, nil
}

// remove deletes a member and returns the index it had in the sorted list.
func (s *memberSet) remove(algo, name string) (int, error) {
	i, found := s.find(name)
	if !found {
		return 0, fmt.Errorf("chash: %s: remove %q: %w", algo, name, ErrUnknownMember)
	}
	s.list = slices.Delete(s.list, i, i+1)
	return i, nil
}

// checkWeight fails with ErrInvalidWeight unless weight is positive and finite.
func checkWeight(algo, name string, weight float64) error {
	if !(weight > 0) || math.IsInf(weight, 1) {
		return fmt.Errorf("chash: %s: add %q with weight %v, want a positive finite number: %w", algo, name, weight, ErrInvalidWeight)
	}
	return nil
}

func (s *memberSet) names() []string {
	names := make([]string, len(s.list))
	for i, m := range s.list {
		names[i] = m.name
	}
	return names
}

func isPrime(n int) bool {
	if n < 2 {
		return false
	}
	for d := 2; d*d <= n; d++ {
		if n%d == 0 {
			return false
		}
	}
	return true
}
