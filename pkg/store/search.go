package store

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/userbase/userbase/pkg/user"
)

// Search indexes. Every user's profile item carries the attributes of four sparse sorted
// indexes (one per sort field) and, when it has a sponsor, of the tree index; the trigram
// posting lists are items of the table itself, written from the table's stream after the
// profile change that causes them (postings.go). docs/data-model.md tells the whole design.
const (
	// listShards spreads the sorted indexes over that many partition keys, so that no
	// index partition takes every new user's write; a page merges the shards' streams.
	listShards = 8
	// userCountShards spreads the maintained user count over that many items, so that
	// concurrent registrations rarely contend on one.
	userCountShards = 16

	prefixTrigram = "TRI#"
	// A deleted user's place in the sponsor tree, kept where it roots a tree segment.
	prefixTreeNode = "TREE#"
	skTreeNode     = "NODE"
	typeTreeNode   = "tree_node"
	skUsers        = "USERS#"
	typeTrigram    = "tri"

	attrShard   = "ls"
	attrName    = "x_name"
	attrCreated = "x_created"
	attrRoot    = "tree_root"
	attrPath    = "tree_path"

	indexTree = "by_tree"

	// createdLayout is a fixed-width time, so that its strings sort as its times do.
	createdLayout = "2006-01-02T15:04:05.000000000Z"
	// nameSep ends the name in x_name before the id that breaks ties; names hold no
	// control characters, so it sorts below every character a name can go on with.
	nameSep = "\x01"

	// maxCandidates is the longest posting list a selective q reads; past it, the sorted
	// walk answers.
	maxCandidates = 500
	// maxQueryTrigrams bounds the lists a long q reads: any of its trigrams finds every match.
	maxQueryTrigrams = 8
)

// sortIndex names the sorted index of each sort field.
var sortIndex = map[string]string{
	user.SortID: "by_id", user.SortEmail: "by_email", user.SortFullName: "by_name", user.SortCreatedAt: "by_created",
}

// indexAttrs are the search attributes of a user's profile item.
func indexAttrs(u *user.User, av map[string]types.AttributeValue) {
	av[attrShard] = sAV("L" + strconv.Itoa(int(hash32(u.ID)%listShards)))
	av[attrName] = sAV(sortName(u) + nameSep + u.ID)
	av[attrCreated] = sAV(u.CreatedAt.UTC().Format(createdLayout) + u.ID)
	if u.TreeRoot != "" {
		av[attrRoot], av[attrPath] = sAV(u.TreeRoot), sAV(u.TreePath)
	}
}

// maxSortName bounds the name in x_name, the by_name index's sort key: a sort key holds at
// most 1,024 bytes, and a full name of two 255-character names in a four-byte script is
// twice that. Names alike in their first maxSortName bytes sort by id.
const maxSortName = 960

// sortName is u's search name cut to maxSortName bytes, on a character's start.
func sortName(u *user.User) string {
	s := user.SearchName(u)
	if len(s) <= maxSortName {
		return s
	}
	cut := maxSortName
	for !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}

func hash32(s string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(s))
	return h.Sum32()
}

// trigramKey is a posting item: the sort key leads with the id's random part, so a busy
// list's writes spread over its key range instead of all landing at its end.
func trigramKey(t, uid string) map[string]types.AttributeValue {
	return key(prefixTrigram+t, uid[10:]+uid[:10])
}

func trigramUser(sk string) string { return sk[len(sk)-10:] + sk[:len(sk)-10] }

// indexWrites adds to b what a user created (prev nil) or removed (next nil) changes
// beside its profile: the user count, and a removed user's place in the sponsor tree. The
// posting items are not here: the stream writes them (postings.go).
func (b *txBuilder) indexWrites(prev, next *user.User) {
	if next == nil && prev.TreeRoot != "" && user.TreeDepth(prev.TreePath) >= user.TreeSegment {
		// The bottom user of a full tree segment roots the next one: its place stays in the
		// tree index when it goes, or the users below it would drop out of their
		// ancestors' downlines.
		av := key(prefixTreeNode+prev.ID, skTreeNode)
		av["type"], av["id"] = sAV(typeTreeNode), sAV(prev.ID)
		av[attrRoot], av[attrPath] = sAV(prev.TreeRoot), sAV(prev.TreePath)
		b.put(av, "", nil, nil)
	}
	if (prev == nil) != (next == nil) {
		u, d := next, int64(1)
		if next == nil {
			u, d = prev, -1
		}
		b.update(key(keyStats, skUsers+strconv.Itoa(int(hash32(u.ID)%userCountShards))), "ADD #n :d", "",
			map[string]string{"#n": "n"}, map[string]types.AttributeValue{":d": n(d)}, nil)
	}
}

// SearchUsers answers an admin search: a downline from the tree index, a selective q from
// the trigram lists, anything else by walking the sorted index of the first sort key.
func (s *Store) SearchUsers(ctx context.Context, q *user.SearchQuery) (*user.SearchResult, error) {
	if q.Downline != nil {
		return s.searchDownline(ctx, q)
	}
	if user.Indexable(q.Text) {
		res, ok, err := s.searchTrigrams(ctx, q)
		if err != nil || ok {
			return res, err
		}
	}
	return s.searchWalk(ctx, q)
}

// entry is the search entry of a profile item or of its projection in an index.
func entry(item map[string]types.AttributeValue) user.Entry {
	e := user.Entry{ID: str(item["id"]), Email: str(item["email"])}
	if name, _, ok := strings.Cut(str(item[attrName]), nameSep); ok {
		e.Name = name
	}
	if c := str(item[attrCreated]); len(c) >= len(createdLayout) {
		e.CreatedAt, _ = time.Parse(createdLayout, c[:len(createdLayout)])
	}
	return e
}

// posting is one trigram's list as read so far.
type posting struct {
	trigram string
	sks     []string // its sort keys, in order
	next    map[string]types.AttributeValue
	done    bool
}

// crockford is the alphabet of ids, in byte order.
const crockford = "0123456789abcdefghjkmnpqrstvwxyz"

// candidates merges what the lists have read: the sort keys present in every list up to
// the first point where one of them stops (all of a list that ended counts as read), and,
// once a list has ended, its keys past that point. done says whether one has ended; covered
// is the share of the key space read by all (the keys lead with the ids' random part).
func candidates(lists []*posting) (sks []string, covered float64, done bool) {
	var boundary string
	var shortest *posting
	for _, p := range lists {
		switch {
		case p.done:
			if shortest == nil || len(p.sks) < len(shortest.sks) {
				shortest = p
			}
		case len(p.sks) == 0:
			return nil, 0, false
		case boundary == "" || p.sks[len(p.sks)-1] < boundary:
			boundary = p.sks[len(p.sks)-1]
		}
	}
	count := map[string]int{}
	for _, p := range lists {
		for _, sk := range p.sks {
			if boundary == "" || sk <= boundary {
				count[sk]++
			}
		}
	}
	for sk, c := range count {
		if c == len(lists) {
			sks = append(sks, sk)
		}
	}
	if shortest != nil && boundary != "" {
		for _, sk := range shortest.sks {
			if sk > boundary {
				sks = append(sks, sk)
			}
		}
	}
	return sks, keyShare(boundary), shortest != nil
}

// keyShare is the share of the key space at or below sk ("" is all of it), from its first
// four characters.
func keyShare(sk string) float64 {
	if sk == "" {
		return 1
	}
	share, scale := 0.0, 1.0
	for i := 0; i < 4 && i < len(sk); i++ {
		scale /= 32
		share += float64(max(strings.IndexByte(crockford, sk[i]), 0)) * scale
	}
	return share + scale
}

// rounds are how many items of each posting list a round reads. Past the third (500 items
// a list) a round runs only while the lists' intersection so far says few users match.
var rounds = []int{32, 96, maxCandidates - 128, 1500, 3000, 5000}

// maxEstimate is the most matches a q may be estimated to have and still be answered from
// the posting lists; a commoner q is answered by the sorted walk, which fills a page fast.
const maxEstimate = 2000

// searchTrigrams reads the posting lists of q's trigrams in parallel rounds until one
// ends. The candidates are the users in every list as far as all have been read, plus the
// rest of the list that ended; each is checked. ok is false when q is not selective: no
// list ends within 500 items and the lists' intersection so far promises many matches
// (or none ends within 10,000).
func (s *Store) searchTrigrams(ctx context.Context, q *user.SearchQuery) (*user.SearchResult, bool, error) {
	tris := user.QueryTrigrams(q.Text)
	if len(tris) > maxQueryTrigrams {
		picked := make([]string, 0, maxQueryTrigrams)
		for i := range maxQueryTrigrams {
			picked = append(picked, tris[i*(len(tris)-1)/(maxQueryTrigrams-1)])
		}
		tris = picked
	}
	lists := make([]*posting, len(tris))
	for i, t := range tris {
		lists[i] = &posting{trigram: t}
	}
	var sks []string
	done := false
	for r, limit := range rounds {
		err := parallel(len(lists), func(i int) error {
			p := lists[i]
			s.calls.Add(1)
			out, err := s.db.Query(ctx, &dynamodb.QueryInput{
				TableName: s.table, KeyConditionExpression: aws.String("pk = :pk"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":pk": sAV(prefixTrigram + p.trigram)},
				ProjectionExpression:      aws.String("sk"), Limit: aws.Int32(int32(limit)),
				ExclusiveStartKey: p.next, ConsistentRead: aws.Bool(true),
			})
			if err != nil {
				return fmt.Errorf("query posting list: %w", err)
			}
			s.read.Add(int64(out.ScannedCount))
			for _, item := range out.Items {
				p.sks = append(p.sks, str(item["sk"]))
			}
			p.next, p.done = out.LastEvaluatedKey, len(out.LastEvaluatedKey) == 0
			return nil
		})
		if err != nil {
			return nil, false, err
		}
		var covered float64
		sks, covered, done = candidates(lists)
		if done {
			break
		}
		if r >= 2 && (covered == 0 || float64(len(sks))/covered > maxEstimate) {
			return nil, false, nil
		}
	}
	if !done {
		return nil, false, nil
	}
	ids := make([]string, len(sks))
	for i, sk := range sks {
		ids[i] = trigramUser(sk)
	}
	if q.ID != "" && !slices.Contains(ids, q.ID) {
		ids = append(ids, q.ID)
	}
	users, err := s.usersByID(ctx, ids)
	if err != nil {
		return nil, false, err
	}
	var matches []*user.User
	entries := map[*user.User]user.Entry{}
	for _, u := range users {
		if e := user.EntryOf(u); q.Match(e) {
			matches = append(matches, u)
			entries[u] = e
		}
	}
	slices.SortFunc(matches, func(a, b *user.User) int { return q.Compare(entries[a], entries[b]) })
	return &user.SearchResult{Users: pageOf(matches, q.Offset, q.Limit), Total: len(matches), Exact: true}, true, nil
}

func pageOf[T any](all []T, offset, limit int) []T {
	start := min(offset, len(all))
	return all[start:min(start+limit, len(all))]
}

// usersByID reads profiles with strongly consistent BatchGetItems of 100 keys, in
// parallel; ids without a profile are left out. The order is not ids'.
func (s *Store) usersByID(ctx context.Context, ids []string) ([]*user.User, error) {
	var (
		mu  sync.Mutex
		out []*user.User
	)
	chunks := slices.Collect(slices.Chunk(ids, 100))
	err := parallel(len(chunks), func(i int) error {
		keys := make([]map[string]types.AttributeValue, len(chunks[i]))
		for j, id := range chunks[i] {
			keys[j] = userKey(id)
		}
		got, err := s.batchGet(ctx, keys...)
		if err != nil {
			return err
		}
		s.read.Add(int64(len(got)))
		for _, item := range got {
			u, err := unmarshalUser(item)
			if err != nil {
				return err
			}
			mu.Lock()
			out = append(out, u)
			mu.Unlock()
		}
		return nil
	})
	return out, err
}

// pageUsers reads the profiles of a page of entries, in the entries' order. An entry whose
// profile is gone by now (deleted after the index was read) is left out.
func (s *Store) pageUsers(ctx context.Context, page []user.Entry) ([]*user.User, error) {
	ids := make([]string, len(page))
	for i, e := range page {
		ids[i] = e.ID
	}
	got, err := s.usersByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]*user.User, len(got))
	for _, u := range got {
		byID[u.ID] = u
	}
	out := make([]*user.User, 0, len(page))
	for _, e := range page {
		if u := byID[e.ID]; u != nil {
			out = append(out, u)
		}
	}
	return out, nil
}

// shard is one partition of a sorted index, read in order a chunk at a time.
type shard struct {
	buf  []user.Entry // matches read and not yet merged
	next map[string]types.AttributeValue
	more bool
}

// searchWalk merges the shards of the first sort key's index in order, keeping matches,
// until the page is full (and, with later sort keys, to the end of the tie on the first),
// then orders what it read by every key. A listing without q takes its total from the
// maintained user count; a filtered walk that stops early knows only a lower bound.
func (s *Store) searchWalk(ctx context.Context, q *user.SearchQuery) (*user.SearchResult, error) {
	need := q.Offset + q.Limit
	w := &walk{s: s, q: q, chunk: int32(need/listShards + 8), shards: make([]*shard, listShards)}
	if q.Text != "" {
		w.chunk = max(w.chunk, 200) // a filter keeps fewer of what it reads
	}
	for i := range w.shards {
		w.shards[i] = &shard{more: true}
	}
	var count int64
	err := parallel(listShards+1, func(i int) error {
		if i == listShards {
			if q.Text != "" {
				return nil
			}
			var err error
			count, err = s.userCount(ctx)
			return err
		}
		return w.fill(ctx, i)
	})
	if err != nil {
		return nil, err
	}
	got, exhausted, err := w.merge(ctx, need)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(got, q.Compare)
	users, err := s.pageUsers(ctx, pageOf(got, q.Offset, q.Limit))
	if err != nil {
		return nil, err
	}
	res := &user.SearchResult{Users: users, Total: len(got), Exact: exhausted}
	switch {
	case exhausted:
	case q.Text == "":
		res.Total, res.Exact = max(int(count), len(got)), true
	default:
		res.Total = len(got) + 1
	}
	return res, nil
}

// walk is one search's reading of the shards of the first sort key's index.
type walk struct {
	s      *Store
	q      *user.SearchQuery
	chunk  int32 // items a Query reads
	shards []*shard
}

// fill reads shard i until it has a match or no more items.
func (w *walk) fill(ctx context.Context, i int) error {
	sh, q := w.shards[i], w.q
	for len(sh.buf) == 0 && sh.more {
		w.s.calls.Add(1)
		out, err := w.s.db.Query(ctx, &dynamodb.QueryInput{
			TableName: w.s.table, IndexName: aws.String(sortIndex[q.Sort[0].Field]),
			KeyConditionExpression:    aws.String("#s = :s"),
			ExpressionAttributeNames:  map[string]string{"#s": attrShard},
			ExpressionAttributeValues: map[string]types.AttributeValue{":s": sAV("L" + strconv.Itoa(i))},
			ScanIndexForward:          aws.Bool(!q.Sort[0].Desc), Limit: aws.Int32(w.chunk),
			ExclusiveStartKey: sh.next,
		})
		if err != nil {
			return fmt.Errorf("query sorted index: %w", err)
		}
		w.s.read.Add(int64(out.ScannedCount))
		for _, item := range out.Items {
			if e := entry(item); q.Match(e) {
				sh.buf = append(sh.buf, e)
			}
		}
		sh.next, sh.more = out.LastEvaluatedKey, len(out.LastEvaluatedKey) > 0
	}
	return nil
}

// merge takes matches from the shards in the first sort key's order until it has need
// (and, with later sort keys, to the end of the tie on the first); exhausted is whether
// every shard was read to its end.
func (w *walk) merge(ctx context.Context, need int) (got []user.Entry, exhausted bool, err error) {
	first := &user.SearchQuery{Sort: w.q.Sort[:1]}
	for {
		// Refill every drained shard that has more, in parallel, before choosing.
		var drained []int
		for i, sh := range w.shards {
			if len(sh.buf) == 0 && sh.more {
				drained = append(drained, i)
			}
		}
		if err := parallel(len(drained), func(j int) error { return w.fill(ctx, drained[j]) }); err != nil {
			return nil, false, err
		}
		var lo *shard
		for _, sh := range w.shards {
			if len(sh.buf) > 0 && (lo == nil || first.Compare(sh.buf[0], lo.buf[0]) < 0) {
				lo = sh
			}
		}
		if lo == nil {
			return got, true, nil
		}
		e := lo.buf[0]
		if len(got) >= need && (len(w.q.Sort) == 1 || !w.q.SameFirst(e, got[len(got)-1])) {
			return got, false, nil
		}
		got = append(got, e)
		lo.buf = lo.buf[1:]
	}
}

// userCount sums the user count's shards.
func (s *Store) userCount(ctx context.Context) (int64, error) {
	var total int64
	err := s.queryAll(ctx, &dynamodb.QueryInput{
		KeyConditionExpression:    aws.String("pk = :pk AND begins_with(sk, :sk)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": sAV(keyStats), ":sk": sAV(skUsers)},
	}, func(item map[string]types.AttributeValue) error {
		s.read.Add(1)
		if nv, ok := item["n"].(*types.AttributeValueMemberN); ok {
			v, _ := strconv.ParseInt(nv.Value, 10, 64)
			total += v
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("count users: %w", err)
	}
	return total, nil
}

// searchDownline reads every descendant of q.Downline from the tree index (segment by
// segment below the deepest paths), keeps the matches and orders them: its cost follows
// the size of the downline, not of the table.
func (s *Store) searchDownline(ctx context.Context, q *user.SearchQuery) (*user.SearchResult, error) {
	type seg struct{ root, prefix string }
	root, prefix := q.Downline.DownlineKey()
	queue := []seg{{root, prefix}}
	var matches []user.Entry
	for len(queue) > 0 {
		sg := queue[0]
		queue = queue[1:]
		in := &dynamodb.QueryInput{
			IndexName:                 aws.String(indexTree),
			KeyConditionExpression:    aws.String("#r = :r"),
			ExpressionAttributeNames:  map[string]string{"#r": attrRoot},
			ExpressionAttributeValues: map[string]types.AttributeValue{":r": sAV(sg.root)},
		}
		if sg.prefix != "" {
			in.KeyConditionExpression = aws.String("#r = :r AND begins_with(#p, :p)")
			in.ExpressionAttributeNames["#p"] = attrPath
			in.ExpressionAttributeValues[":p"] = sAV(sg.prefix)
		}
		err := s.queryAll(ctx, in, func(item map[string]types.AttributeValue) error {
			s.read.Add(1)
			e := entry(item)
			if user.TreeDepth(str(item[attrPath])) >= user.TreeSegment {
				queue = append(queue, seg{e.ID, ""})
			}
			if e.Email == "" {
				return nil // a tree node of a deleted user: only a way down
			}
			if q.Match(e) {
				matches = append(matches, e)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("query downline: %w", err)
		}
	}
	slices.SortFunc(matches, q.Compare)
	users, err := s.pageUsers(ctx, pageOf(matches, q.Offset, q.Limit))
	if err != nil {
		return nil, err
	}
	return &user.SearchResult{Users: users, Total: len(matches), Exact: true}, nil
}

// parallel runs fn(0..n-1) at once and returns the first error.
func parallel(n int, fn func(i int) error) error {
	if n == 0 {
		return nil
	}
	if n == 1 {
		return fn(0)
	}
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { errs[i] = fn(i) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// PutUsers bulk-loads new users with every index item, in parallel BatchWriteItems of 25
// items by workers writers, and adds them to the user count. It writes without conditions
// or transactions: it is for filling an empty table (benchmarks), never for live data. It
// writes the posting items itself, as the stream would (rewriting them is harmless), so a
// loaded table is searchable without a stream consumer.
func (s *Store) PutUsers(ctx context.Context, users []*user.User, workers int) error {
	var reqs []types.WriteRequest
	counts := map[string]int64{}
	for _, u := range users {
		b := &txBuilder{s: s}
		for _, k := range userCopies(u) {
			av, err := marshalUser(u, k[0], k[1])
			if err != nil {
				return err
			}
			b.put(av, "", nil, nil)
		}
		b.indexWrites(nil, u)
		for _, t := range user.Trigrams(u) {
			b.put(postingItem(t, u.ID), "", nil, nil)
		}
		for _, it := range b.items {
			if it.Put != nil {
				reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: it.Put.Item}})
			} else if it.Update != nil {
				counts[str(it.Update.Key["sk"])]++
			}
		}
	}
	batches := slices.Collect(slices.Chunk(reqs, 25))
	next := make(chan []types.WriteRequest)
	errs := make(chan error, workers)
	for range workers {
		go func() {
			var err error
			for batch := range next {
				if err == nil {
					err = s.writeBatch(ctx, batch)
				}
			}
			errs <- err
		}()
	}
	for _, b := range batches {
		next <- b
	}
	close(next)
	var first error
	for range workers {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	if first != nil {
		return first
	}
	for sk, c := range counts {
		s.calls.Add(1)
		_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName: s.table, Key: key(keyStats, sk), UpdateExpression: aws.String("ADD #n :d"),
			ExpressionAttributeNames: map[string]string{"#n": "n"}, ExpressionAttributeValues: map[string]types.AttributeValue{":d": n(c)},
		})
		if err != nil {
			return fmt.Errorf("count users: %w", err)
		}
	}
	return nil
}

// writeBatch writes one BatchWriteItem, resending what comes back unprocessed.
func (s *Store) writeBatch(ctx context.Context, reqs []types.WriteRequest) error {
	if len(reqs) == 0 {
		return nil
	}
	return unprocessedRetry.Do(ctx, func(int) (bool, error) {
		s.calls.Add(1)
		out, err := s.db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{*s.table: reqs}})
		if err != nil {
			return false, fmt.Errorf("write items: %w", err)
		}
		reqs = out.UnprocessedItems[*s.table]
		if len(reqs) > 0 {
			return true, errors.New("write items: still unprocessed after retries")
		}
		return false, nil
	})
}
