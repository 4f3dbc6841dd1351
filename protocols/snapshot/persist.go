package snapshot

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/dsimlab/dsim/sim"
)

// Keys of a node's durable storage.
const (
	keyBoot  = "boot"  // how many times the node has started
	keyEpoch = "epoch" // the latest recovery epoch it entered
	keyNext  = "next"  // the next uncoordinated checkpoint id
	keyCoord = "coord" // the coordinator's state (node n1 only)
	ckptPref = "ckpt/" // checkpoints, "ckpt/%08d" by id
)

// state is the part of a node that a checkpoint saves: its balance, how
// many transfers it has made, and per peer how many transfers it has sent
// and received (transfers on a channel are numbered 1, 2, ...).
type state struct {
	Balance int   `json:"bal"`
	Issued  int   `json:"issued"`
	Sent    []int `json:"sent"`
	Recv    []int `json:"recv"`
}

func newState(n, balance int) state {
	return state{Balance: balance, Sent: make([]int, n), Recv: make([]int, n)}
}

func (s state) clone() state {
	s.Sent = slices.Clone(s.Sent)
	s.Recv = slices.Clone(s.Recv)
	return s
}

// record is one checkpoint on disk. With Chandy–Lamport, ID is the
// snapshot id and Channels holds the transfers recorded on each incoming
// channel (by sender). With uncoordinated checkpoints, Log holds the
// amounts of the transfers sent since the previous checkpoint, per peer,
// starting after transfer LogStart[peer], so that a sender can send again
// what a rollback finds in flight.
type record struct {
	ID       int          `json:"id"`
	Epoch    int          `json:"epoch"`
	State    state        `json:"state"`
	Channels [][]InFlight `json:"chans,omitempty"`
	LogStart []int        `json:"log_start,omitempty"`
	Log      [][]int      `json:"log,omitempty"`
}

func ckptKey(id int) string { return fmt.Sprintf("%s%08d", ckptPref, id) }

func ckptID(key string) int {
	id, err := strconv.Atoi(strings.TrimPrefix(key, ckptPref))
	if err != nil {
		return -1
	}
	return id
}

func putJSON(s *sim.Storage, key string, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("snapshot: encode %s: %v", key, err)) // plain structs never fail
	}
	s.Put(key, b)
}

func getJSON(s *sim.Storage, key string, v any) bool {
	b, ok := s.Get(key)
	if !ok {
		return false
	}
	if err := json.Unmarshal(b, v); err != nil {
		panic(fmt.Sprintf("snapshot: decode %s: %v", key, err)) // only this package writes it
	}
	return true
}

func putInt(s *sim.Storage, key string, v int) { s.Put(key, []byte(strconv.Itoa(v))) }

func getInt(s *sim.Storage, key string) int {
	b, ok := s.Get(key)
	if !ok {
		return 0
	}
	v, _ := strconv.Atoi(string(b))
	return v
}

// checkpointIDs returns the ids of the checkpoints on disk, ascending.
func checkpointIDs(s *sim.Storage) []int {
	keys := s.Keys(ckptPref)
	ids := make([]int, 0, len(keys))
	for _, k := range keys {
		if id := ckptID(k); id >= 0 {
			ids = append(ids, id)
		}
	}
	return ids
}

// loadRecord reads checkpoint id.
func loadRecord(s *sim.Storage, id int) (record, bool) {
	var r record
	ok := getJSON(s, ckptKey(id), &r)
	return r, ok
}

// loadBest reads the newest checkpoint with an id at most id. Checkpoint 0
// is written and synced at the first start, so there is always one.
func loadBest(s *sim.Storage, id int) (record, bool) {
	best := -1
	for _, c := range checkpointIDs(s) {
		if c <= id {
			best = c
		}
	}
	if best < 0 {
		return record{}, false
	}
	return loadRecord(s, best)
}

// loadLog rebuilds the per-peer log of amounts sent from the checkpoints on
// disk up to id, in id order.
func loadLog(s *sim.Storage, id, n int) [][]int {
	log := make([][]int, n)
	for _, c := range checkpointIDs(s) {
		if c > id {
			break
		}
		r, _ := loadRecord(s, c)
		for p := range min(len(r.Log), n) {
			for k, amt := range r.Log[p] {
				pos := r.LogStart[p] + k
				switch {
				case pos < len(log[p]):
					log[p][pos] = amt
				case pos == len(log[p]):
					log[p] = append(log[p], amt)
				}
			}
		}
	}
	return log
}
