package chash

import (
	"fmt"
	"slices"
)

// Maglev is Maglev hashing (Eisenbud et al., NSDI 2016, section 3.4): a
// lookup table of M entries, M prime, filled by letting members take turns
// claiming their next free preferred entry, where member i prefers entries
// offset_i, offset_i+skip_i, offset_i+2·skip_i, … (mod M). Lookup is
// table[key mod M], one division and two loads.
//
// Unweighted, every member gets floor(M/n) or ceil(M/n) entries. Weights are
// supported as the paper suggests, by how often a member takes a turn: in
// each round a member earns its weight in credit and takes one turn per
// maximum weight of credit, so entries are shared in proportion to weight.
//
// Members take turns in name order, so the table is the same whatever order
// members were added in. The table is rebuilt on every Add and Remove, in
// O(M log M) time; AddAll (or Build) adds many members with one rebuild. Maglev trades a little disruption for balance: besides
// the keys that must move, a few per cent of the others may move too.
type Maglev struct {
	size  uint64
	set   memberSet
	table []int32 // table[e] is the index in set.list of entry e's owner.
}

var _ BulkAdder = (*Maglev)(nil)

// NewMaglev returns an empty Maglev hasher with an opts.TableSize table.
func NewMaglev(opts Options) (*Maglev, error) {
	m, err := opts.tableSize()
	if err != nil {
		return nil, err
	}
	return &Maglev{size: uint64(m)}, nil
}

// Name returns NameMaglev.
func (m *Maglev) Name() string { return NameMaglev }

// Lookup returns the owner of table entry key mod M.
func (m *Maglev) Lookup(key uint64) string {
	if len(m.table) == 0 {
		return ""
	}
	return m.set.list[m.table[key%m.size]].name
}

// Add adds a weighted member and rebuilds the table. The table size must
// exceed the number of members.
func (m *Maglev) Add(name string, weight float64) error {
	if uint64(len(m.set.list)+1) >= m.size {
		return fmt.Errorf("chash: %s: add %q: table size %d must exceed the member count: %w",
			NameMaglev, name, m.size, ErrInvalidOption)
	}
	if _, err := m.set.insert(NameMaglev, name, weight); err != nil {
		return err
	}
	m.populate()
	return nil
}

// AddAll adds weighted members and rebuilds the table once: building a
// table of n members this way costs one population, where n calls to Add
// cost n. On an error nothing is added.
func (m *Maglev) AddAll(members []Member) error {
	if uint64(len(m.set.list)+len(members)) >= m.size {
		return fmt.Errorf("chash: %s: add %d members: table size %d must exceed the member count: %w",
			NameMaglev, len(members), m.size, ErrInvalidOption)
	}
	saved := slices.Clone(m.set.list)
	for _, mb := range members {
		if _, err := m.set.insert(NameMaglev, mb.Name, mb.Weight); err != nil {
			m.set.list = saved
			return err
		}
	}
	m.populate()
	return nil
}

// Remove removes a member and rebuilds the table.
func (m *Maglev) Remove(name string) error {
	if _, err := m.set.remove(NameMaglev, name); err != nil {
		return err
	}
	m.populate()
	return nil
}

// Members returns the member names in ascending order.
func (m *Maglev) Members() []string { return m.set.names() }

// Entries returns the number of table entries each member owns, in the
// order of Members; the entries sum to the table size.
func (m *Maglev) Entries() []int {
	counts := make([]int, len(m.set.list))
	for _, o := range m.table {
		counts[o]++
	}
	return counts
}

// maglevPermutation returns the first preferred entry and the step of a
// member's preference list in a table of size entries, as the paper defines
// them: offset = h1(name) mod M and skip = h2(name) mod (M−1) + 1, so that
// permutation[j] = (offset + j·skip) mod M visits every entry once (M is
// prime). h1 is HashKey and h2 is Mix64 of HashKey with a fixed constant
// folded in, two independent 64-bit hashes of the name.
func maglevPermutation(name string, size uint64) (offset, skip uint64) {
	h := HashKey(name)
	return h % size, Mix64(h^0x6a09e667f3bcc909)%(size-1) + 1
}

// maglevTurn is one member's place in the population: its preference list
// (offset, skip), where it is in it, and its weight.
type maglevTurn struct {
	next, skip uint64
	weight     float64
}

// populate rebuilds the table from the member list.
func (m *Maglev) populate() {
	turns := make([]maglevTurn, len(m.set.list))
	for i, mb := range m.set.list {
		offset, skip := maglevPermutation(mb.name, m.size)
		turns[i] = maglevTurn{next: offset, skip: skip, weight: mb.weight}
	}
	m.table = maglevTable(turns, m.size, m.table)
}

// maglevTable fills a table of size entries (reusing buf) by the paper's
// Pseudocode 1, with weighted turns: members take turns in order, each
// claiming the next entry of its preference list that is still free. In
// each round a member earns its weight in credit and takes one turn per
// maximum weight of credit (equal weights: one turn a round, exactly the
// paper's loop). It returns nil for no members.
func maglevTable(turns []maglevTurn, size uint64, buf []int32) []int32 {
	if len(turns) == 0 {
		return nil
	}
	credit := make([]float64, len(turns))
	var wmax float64
	for _, t := range turns {
		wmax = max(wmax, t.weight)
	}
	table := slices.Grow(buf[:0], int(size))[:size]
	for e := range table {
		table[e] = -1
	}
	filled := uint64(0)
	for {
		for i := range turns {
			t := &turns[i]
			credit[i] += t.weight
			for credit[i] >= wmax {
				credit[i] -= wmax
				e := t.next
				for table[e] >= 0 {
					if e += t.skip; e >= size {
						e -= size
					}
				}
				table[e] = int32(i)
				if e += t.skip; e >= size {
					e -= size
				}
				t.next = e
				if filled++; filled == size {
					return table
				}
			}
		}
	}
}
