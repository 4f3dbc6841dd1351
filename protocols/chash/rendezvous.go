package chash

import "math"

// Rendezvous is rendezvous or highest-random-weight hashing (Thaler and
// Ravishankar 1998): every member scores the key and the highest score wins.
// A member's score is -w / ln(h), where w is its weight and h in (0, 1) a
// hash of the key and the member's name (Schindelhauer and Schomaker's
// logarithmic method), so each member wins a share of keys proportional to
// its weight. When all weights are equal the score is h itself, compared as
// an integer. Lookup costs O(n) for n members.
//
// Scores depend only on names and weights, so the mapping is the same
// whatever order members were added in; equal scores go to the member whose
// name sorts first. The logarithm is computed by this package with every
// rounding step explicit, so weighted scores are bit-identical on every
// machine.
type Rendezvous struct {
	set     memberSet
	seeds   []uint64 // seeds[i] is HashKey of set.list[i].name.
	uniform bool     // uniform reports whether all weights are equal.
}

var _ Hasher = (*Rendezvous)(nil)

// NewRendezvous returns an empty rendezvous hasher. It takes no options.
func NewRendezvous() *Rendezvous { return &Rendezvous{uniform: true} }

// Name returns NameRendezvous.
func (r *Rendezvous) Name() string { return NameRendezvous }

// Lookup returns the member with the highest score for key.
func (r *Rendezvous) Lookup(key uint64) string {
	if len(r.seeds) == 0 {
		return ""
	}
	best := 0
	if r.uniform {
		bestH := Mix64(key ^ r.seeds[0])
		for i := 1; i < len(r.seeds); i++ {
			if h := Mix64(key ^ r.seeds[i]); h > bestH {
				best, bestH = i, h
			}
		}
		return r.set.list[best].name
	}
	bestScore := rendezvousScore(Mix64(key^r.seeds[0]), r.set.list[0].weight)
	for i := 1; i < len(r.seeds); i++ {
		if s := rendezvousScore(Mix64(key^r.seeds[i]), r.set.list[i].weight); s > bestScore {
			best, bestScore = i, s
		}
	}
	return r.set.list[best].name
}

// Add adds a weighted member.
func (r *Rendezvous) Add(name string, weight float64) error {
	i, err := r.set.insert(NameRendezvous, name, weight)
	if err != nil {
		return err
	}
	r.seeds = append(r.seeds, 0)
	copy(r.seeds[i+1:], r.seeds[i:])
	r.seeds[i] = HashKey(name)
	r.update()
	return nil
}

// Remove removes a member; only its keys move.
func (r *Rendezvous) Remove(name string) error {
	i, err := r.set.remove(NameRendezvous, name)
	if err != nil {
		return err
	}
	r.seeds = append(r.seeds[:i], r.seeds[i+1:]...)
	r.update()
	return nil
}

// Members returns the member names in ascending order.
func (r *Rendezvous) Members() []string { return r.set.names() }

func (r *Rendezvous) update() {
	r.uniform = true
	for _, m := range r.set.list {
		if m.weight != r.set.list[0].weight {
			r.uniform = false
		}
	}
}

// rendezvousScore returns -w / ln(u) for the top 53 bits of h mapped to u in
// the open interval (0, 1).
func rendezvousScore(h uint64, w float64) float64 {
	u := (float64(h>>11) + 0.5) * 0x1p-53
	return -w / portableLog(u)
}

// portableLog returns the natural logarithm of a positive normal x. It is
// the fdlibm algorithm of Go's math.Log (error below 1 ulp), with every
// product converted explicitly so that no compiler may fuse it into a
// multiply-add: the result is the same on every architecture, which
// math.Log, with its assembly version on amd64, does not promise.
func portableLog(x float64) float64 {
	const (
		ln2Hi = 6.93147180369123816490e-01 // 3fe62e42 fee00000
		ln2Lo = 1.90821492927058770002e-10 // 3dea39ef 35793c76
		l1    = 6.666666666666735130e-01   // 3FE55555 55555593
		l2    = 3.999999999940941908e-01   // 3FD99999 9997FA04
		l3    = 2.857142874366239149e-01   // 3FD24924 94229359
		l4    = 2.222219843214978396e-01   // 3FCC71C5 1D8E78AF
		l5    = 1.818357216161805012e-01   // 3FC74664 96CB03DE
		l6    = 1.531383769920937332e-01   // 3FC39A09 D078C69F
		l7    = 1.479819860511658591e-01   // 3FC2F112 DF3E5244
	)
	f1, ki := math.Frexp(x)
	if f1 < math.Sqrt2/2 {
		f1 *= 2
		ki--
	}
	f := f1 - 1
	k := float64(ki)

	s := f / (2 + f)
	s2 := float64(s * s)
	s4 := float64(s2 * s2)
	t1 := float64(s2 * (l1 + float64(s4*(l3+float64(s4*(l5+float64(s4*l7)))))))
	t2 := float64(s4 * (l2 + float64(s4*(l4+float64(s4*l6)))))
	r := t1 + t2
	hfsq := float64(float64(0.5*f) * f)
	return float64(k*ln2Hi) - ((hfsq - (float64(s*(hfsq+r)) + float64(k*ln2Lo))) - f)
}
