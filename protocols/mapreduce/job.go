package mapreduce

import (
	"bytes"
	"fmt"
	"hash/fnv"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// KeyValue is one intermediate pair a map function emits.
type KeyValue struct {
	Key, Value string
}

// MapFunc is a job's map function: it is called once per input record,
// with the record's name (e.g. "d12.3", document 3 of split 12) and text,
// and emits any number of intermediate pairs. It must be deterministic and
// must not keep state between calls: the coordinator may run a map task
// several times, on several workers.
type MapFunc func(name, text string, emit func(key, value string))

// ReduceFunc is a job's reduce function: it is called once per distinct
// intermediate key with every value emitted for it, in input order (split
// by split, record by record, emission by emission), and returns the
// key's output value. It must be deterministic.
type ReduceFunc func(key string, values []string) string

// Job is a MapReduce computation: a map and a reduce function, replaceable
// by users. Output keys and values must not contain tabs or newlines: the
// output files hold one "key\tvalue\n" line per key, sorted by key.
//
// Combine, if set, is the paper's combiner: a map worker runs it over each
// key's values in each partition of its own output before any reducer
// fetches it, shrinking what is shuffled. It must be a partial reduce:
// reducing the combined values must give what reducing all values
// would. The sequential reference never uses it, so the output check
// also tests that promise.
type Job struct {
	Name    string
	Map     MapFunc
	Reduce  ReduceFunc
	Combine ReduceFunc
}

// WordCount returns the classic word count: map emits (word, "1") for every
// whitespace-separated word, reduce sums the counts, and so does the
// combiner on each map worker.
func WordCount() Job {
	j := Job{
		Name: "wordcount",
		Map: func(_, text string, emit func(string, string)) {
			for _, w := range strings.Fields(text) {
				emit(w, "1")
			}
		},
		Reduce: func(_ string, values []string) string {
			sum := 0
			for _, v := range values {
				n, err := strconv.Atoi(v)
				if err != nil {
					panic(fmt.Sprintf("wordcount: bad count %q", v)) // only its own map emits values
				}
				sum += n
			}
			return strconv.Itoa(sum)
		},
	}
	j.Combine = j.Reduce
	return j
}

// InvertedIndex returns an inverted index: map emits (word, record name)
// once per distinct word of a record, reduce returns how many records
// contain the word and their sorted names, e.g. "3 d0.1,d4.0,d7.2".
func InvertedIndex() Job {
	return Job{
		Name: "invindex",
		Map: func(name, text string, emit func(string, string)) {
			seen := map[string]bool{}
			for _, w := range strings.Fields(text) {
				if !seen[w] {
					seen[w] = true
					emit(w, name)
				}
			}
		},
		Reduce: func(_ string, values []string) string {
			names := slices.Clone(values)
			slices.Sort(names)
			names = slices.Compact(names)
			return strconv.Itoa(len(names)) + " " + strings.Join(names, ",")
		},
	}
}

// Grep returns a distributed grep for re: map emits (record name, text)
// for every record whose text matches, reduce passes the text through.
func Grep(re *regexp.Regexp) Job {
	return Job{
		Name: "grep",
		Map: func(name, text string, emit func(string, string)) {
			if re.MatchString(text) {
				emit(name, text)
			}
		},
		Reduce: func(_ string, values []string) string { return strings.Join(values, " ") },
	}
}

// Jobs lists the names JobByName knows, for the "job" parameter.
var Jobs = []string{"wordcount", "invindex", "grep"}

// JobByName returns the built-in job called name; pattern is grep's
// regular expression (ignored by the other jobs).
func JobByName(name, pattern string) (Job, error) {
	switch name {
	case "wordcount":
		return WordCount(), nil
	case "invindex":
		return InvertedIndex(), nil
	case "grep":
		re, err := regexp.Compile(pattern)
		if err != nil {
			return Job{}, fmt.Errorf("mapreduce: grep pattern: %w", err)
		}
		return Grep(re), nil
	}
	return Job{}, fmt.Errorf("mapreduce: unknown job %q (want one of %s)", name, strings.Join(Jobs, ", "))
}

// Partition returns the reduce task, in [0, r), that owns key: FNV-1a of
// the key modulo r, a fixed function so every map attempt partitions alike.
func Partition(key string, r int) int {
	h := fnv.New32a()
	h.Write([]byte(key))
	return int(h.Sum32() % uint32(r))
}

// OutputName returns the path of reduce task r's output file on the file
// service.
func OutputName(r int) string { return fmt.Sprintf("out/mr-out-%d", r) }

// InputName returns the path of map task m's input split on the file
// service.
func InputName(m int) string { return fmt.Sprintf("in/split-%d", m) }

// parseRecords splits an input split into its records: one per line,
// "name\ttext".
func parseRecords(split []byte, fn func(name, text string)) {
	for line := range strings.SplitSeq(string(split), "\n") {
		if line == "" {
			continue
		}
		name, text, _ := strings.Cut(line, "\t")
		fn(name, text)
	}
}

// runMap runs job's map function over one split, partitions its output
// into r buckets and combines each bucket if the job has a combiner. It
// returns the buckets and the size of each in bytes (key and value lengths
// plus two bytes of framing per pair).
func runMap(job Job, split []byte, r int) ([][]KeyValue, []int) {
	parts := make([][]KeyValue, r)
	parseRecords(split, func(name, text string) {
		job.Map(name, text, func(k, v string) {
			p := Partition(k, r)
			parts[p] = append(parts[p], KeyValue{k, v})
		})
	})
	sizes := make([]int, r)
	for p := range parts {
		if job.Combine != nil {
			var out []KeyValue
			groupByKey(parts[p], func(k string, vs []string) {
				out = append(out, KeyValue{k, job.Combine(k, vs)})
			})
			parts[p] = out
		}
		for _, kv := range parts[p] {
			sizes[p] += len(kv.Key) + len(kv.Value) + 2
		}
	}
	return parts, sizes
}

// groupByKey calls fn for each distinct key of kvs in key order, with the
// key's values in their order in kvs (a stable sort of positions, so the
// pairs themselves are not moved).
func groupByKey(kvs []KeyValue, fn func(key string, values []string)) {
	idx := make([]int32, len(kvs))
	for i := range idx {
		idx[i] = int32(i)
	}
	slices.SortFunc(idx, func(a, b int32) int {
		if c := strings.Compare(kvs[a].Key, kvs[b].Key); c != 0 {
			return c
		}
		return int(a - b)
	})
	values := make([]string, 0, 16)
	for i := 0; i < len(idx); {
		key := kvs[idx[i]].Key
		values = values[:0]
		j := i
		for ; j < len(idx) && kvs[idx[j]].Key == key; j++ {
			values = append(values, kvs[idx[j]].Value)
		}
		fn(key, values)
		i = j
	}
}

// runReduce runs job's reduce function over one partition, given every map
// task's bucket for it in map-task order, and returns the output file:
// "key\tvalue\n" lines sorted by key.
func runReduce(job Job, buckets [][]KeyValue) []byte {
	var all []KeyValue
	for _, b := range buckets {
		all = append(all, b...)
	}
	var out bytes.Buffer
	groupByKey(all, func(key string, values []string) {
		out.WriteString(key)
		out.WriteByte('\t')
		out.WriteString(job.Reduce(key, values))
		out.WriteByte('\n')
	})
	return out.Bytes()
}

// Sequential runs job over the splits on one machine, the obvious way: map
// every record in input order, group the values by key in a hash map,
// reduce each key in sorted order, and write each key's line to the output
// file of its partition. It shares no code with the distributed path but
// the job's functions and Partition, and is the reference the output check
// compares against.
func Sequential(job Job, splits [][]byte, r int) [][]byte {
	groups := map[string][]string{}
	for _, s := range splits {
		parseRecords(s, func(name, text string) {
			job.Map(name, text, func(k, v string) { groups[k] = append(groups[k], v) })
		})
	}
	out := make([]bytes.Buffer, r)
	for _, k := range slices.Sorted(maps.Keys(groups)) {
		b := &out[Partition(k, r)]
		fmt.Fprintf(b, "%s\t%s\n", k, job.Reduce(k, groups[k]))
	}
	files := make([][]byte, r)
	for i := range out {
		files[i] = out[i].Bytes()
	}
	return files
}
