package lb

// LoadWatcher is a Balancer that keeps its own index of the servers' load
// and must hear of every change to a server's load fields (Outstanding,
// Reported, Sent, Acked) between Updates: the node calls Changed after it
// changes them. JSQ and LeastConnections are LoadWatchers, so that a pick
// costs the same with 10 servers as with 10,000.
type LoadWatcher interface {
	Balancer
	Changed(v *View, server int)
}

// loadIndex finds an eligible server of least load among equal weights in
// time that does not grow with their number: servers sit in buckets by
// their integer load, the lowest non-empty bucket is tracked, and a pick
// draws uniformly from it (the same distribution as a scan that breaks
// ties uniformly). Loads move by small steps, so keeping the lowest bucket
// is cheap. With unequal weights the index is off and picks scan.
type loadIndex struct {
	on      bool
	level   []int32   // by server: its bucket, or -1 when not eligible
	pos     []int32   // by server: its place in the bucket
	buckets [][]int32 // by load: the eligible servers with it
	low     int       // the lowest non-empty bucket
}

// rebuild indexes v's eligible servers by load, if their weights are
// equal.
func (x *loadIndex) rebuild(v *View, load func(*ServerView) int) {
	x.on = len(v.Eligible) > 1
	for _, i := range v.Eligible {
		x.on = x.on && v.Servers[i].Weight == v.Servers[v.Eligible[0]].Weight
	}
	for len(x.level) < len(v.Servers) {
		x.level, x.pos = append(x.level, -1), append(x.pos, 0)
	}
	for i := range x.level {
		x.level[i] = -1
	}
	for b := range x.buckets {
		x.buckets[b] = x.buckets[b][:0]
	}
	x.low = 0
	if !x.on {
		return
	}
	for _, i := range v.Eligible {
		x.put(i, max(load(&v.Servers[i]), 0))
	}
	x.settle()
}

// move re-files server i under its load now, if it is indexed.
func (x *loadIndex) move(i, load int) {
	if !x.on || i >= len(x.level) || x.level[i] < 0 {
		return
	}
	load = max(load, 0)
	old := int(x.level[i])
	if old == load {
		return
	}
	x.take(i, old)
	x.put(i, load)
	if load < x.low {
		x.low = load
	} else if old == x.low {
		x.settle()
	}
}

func (x *loadIndex) put(i, load int) {
	for load >= len(x.buckets) {
		x.buckets = append(x.buckets, nil)
	}
	x.level[i], x.pos[i] = int32(load), int32(len(x.buckets[load]))
	x.buckets[load] = append(x.buckets[load], int32(i))
}

func (x *loadIndex) take(i, load int) {
	b := x.buckets[load]
	p, last := x.pos[i], b[len(b)-1]
	b[p], x.pos[last] = last, p
	x.buckets[load] = b[:len(b)-1]
}

// settle moves low up to the lowest non-empty bucket.
func (x *loadIndex) settle() {
	for x.low < len(x.buckets) && len(x.buckets[x.low]) == 0 {
		x.low++
	}
}

// pick draws a server of the lowest load uniformly.
func (x *loadIndex) pick(v *View) int {
	b := x.buckets[x.low]
	if len(b) == 1 {
		return int(b[0])
	}
	return int(b[v.Rand.IntN(len(b))])
}
