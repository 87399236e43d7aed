package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/term"

	"github.com/userbase/userbase/pkg/apperr"
	"github.com/userbase/userbase/pkg/retry"
	"github.com/userbase/userbase/pkg/user"
)

// importLine is one line of an import file.
type importLine struct {
	ID            json.RawMessage `json:"id"` // a string; anything else makes a new id
	Email         string          `json:"email"`
	Phone         string          `json:"phone"`
	PasswordHash  string          `json:"password_hash"`
	FirstName     string          `json:"first_name"`
	LastName      string          `json:"last_name"`
	Role          string          `json:"role"`
	EmailVerified bool            `json:"email_verified"`
	CreatedAt     string          `json:"created_at"` // RFC 3339
	Language      string          `json:"language"`
}

var importFields = map[string]bool{"id": true, "email": true, "phone": true, "password_hash": true, "first_name": true,
	"last_name": true, "role": true, "email_verified": true, "created_at": true, "language": true}

// maxImportLine is the longest line read; a longer one is invalid.
const maxImportLine = 1 << 20

// importState is what the state file holds: every line up to LinesDone is done.
type importState struct {
	File      string    `json:"file"`
	LinesDone int       `json:"lines_done"`
	UpdatedAt time.Time `json:"updated_at"`
}

// importer runs one import.
type importer struct {
	svc       *user.Service
	file      string
	statePath string
	out       io.Writer // the summary
	errOut    io.Writer // per-line reports and progress
	tty       bool      // errOut is a terminal: a progress bar
	total     int       // lines in the file
	start     time.Time

	imported, duplicates, invalid, present, fromState atomic.Int64

	mu      sync.Mutex // guards what follows, and errOut
	done    map[int]bool
	through int // every line up to it is done
	saved   int // through, as last written to the state file
	bar     bool
	warned  map[string]bool // unknown fields already warned of
}

type job struct {
	n    int
	line []byte
}

func importCmd(ctx context.Context, svc *user.Service, args []string) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	workers := fs.Int("workers", 8, "parallel writers")
	statePath := fs.String("state", "", "the resume state file (default FILE.state)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("import: want one FILE.jsonl")
	}
	if *workers < 1 || *workers > 256 {
		return errors.New("import: --workers must be 1 to 256")
	}
	im := &importer{svc: svc, file: fs.Arg(0), statePath: *statePath, out: os.Stdout, errOut: os.Stderr,
		tty: term.IsTerminal(int(os.Stderr.Fd()))}
	if im.statePath == "" {
		im.statePath = im.file + ".state"
	}
	// Ctrl-C (or SIGTERM) stops reading; the lines under way finish, the state is saved.
	// A second Ctrl-C kills at once.
	stopCtx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() { <-stopCtx.Done(); stop() }()
	return im.run(ctx, stopCtx, *workers)
}

// run imports the file: ctx is for the writes, stop ends the reading.
func (im *importer) run(ctx, stop context.Context, workers int) error {
	resume, err := readState(im.statePath)
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	if im.total, err = countLines(im.file); err != nil {
		return fmt.Errorf("import: %w", err)
	}
	f, err := os.Open(im.file)
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	defer f.Close()
	im.start = time.Now()
	im.done = map[int]bool{}
	im.through, im.saved = resume, resume
	if resume > 0 {
		im.report("resuming after line %d (%s)", resume, im.statePath)
	}

	writeCtx, cancelWrites := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelWrites()
	go func() { // a cancelled ctx ends the writes; a mere stop lets them finish
		select {
		case <-ctx.Done():
			cancelWrites()
		case <-writeCtx.Done():
		}
	}()
	jobs := make(chan job, 4*workers)
	var fatalOnce sync.Once
	var fatal error
	failed := make(chan struct{})
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				if err := im.one(writeCtx, j); err != nil {
					fatalOnce.Do(func() { fatal = err; close(failed) })
					continue // drain: what is queued stays undone
				}
				im.finish(j.n)
			}
		}()
	}
	ticker := time.NewTicker(250 * time.Millisecond)
	defer ticker.Stop()
	tickDone, tickExited := make(chan struct{}), make(chan struct{})
	go func() { defer close(tickExited); im.tick(ticker.C, tickDone) }()

	readErr := im.feed(stop, failed, f, resume, jobs)
	close(jobs)
	wg.Wait()
	close(tickDone)
	<-tickExited

	im.mu.Lock()
	im.clearBar()
	im.mu.Unlock()
	saveErr := im.save(true)
	interrupted := stop.Err() != nil && fatal == nil && readErr == nil && im.through < im.total
	im.summary(interrupted)
	switch {
	case fatal != nil:
		return fmt.Errorf("import stopped at line %d (run again to resume): %w", im.through+1, fatal)
	case readErr != nil:
		return fmt.Errorf("import: read %s: %w", im.file, readErr)
	case saveErr != nil:
		return fmt.Errorf("import: save state: %w", saveErr)
	case interrupted:
		return fmt.Errorf("import interrupted after line %d: run the same command again to resume", im.through)
	}
	return nil
}

// feed reads the lines after resume into jobs until the end, a stop or a failure.
func (im *importer) feed(stop context.Context, failed <-chan struct{}, f io.Reader, resume int, jobs chan<- job) error {
	r := bufio.NewReaderSize(f, 1<<16)
	for n := 1; ; n++ {
		line, tooLong, err := readLine(r)
		if errors.Is(err, io.EOF) && len(line) == 0 && !tooLong {
			return nil
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return err
		}
		switch {
		case n <= resume:
			im.fromState.Add(1)
			continue
		case tooLong:
			im.reject(n, "invalid", fmt.Sprintf("line longer than %d bytes", maxImportLine))
			im.invalid.Add(1)
			im.finish(n)
			continue
		case len(bytes.TrimSpace(line)) == 0:
			im.finish(n)
			continue
		}
		select {
		case jobs <- job{n: n, line: line}:
		case <-stop.Done():
			return nil
		case <-failed:
			return nil
		}
	}
}

// readLine reads one line without its end; a line past maxImportLine is read to its end
// and reported as too long.
func readLine(r *bufio.Reader) (line []byte, tooLong bool, err error) {
	for {
		chunk, isPrefix, err := r.ReadLine()
		if !tooLong {
			line = append(line, chunk...)
			if len(line) > maxImportLine {
				tooLong, line = true, nil
			}
		}
		if err != nil || !isPrefix {
			return line, tooLong, err
		}
	}
}

// one imports line j. Only a failure that must stop the import is returned.
func (im *importer) one(ctx context.Context, j job) error {
	rec, err := im.parse(j)
	if err != nil {
		im.reject(j.n, "invalid", err.Error())
		im.invalid.Add(1)
		return nil
	}
	// A storage error the SDK's own retries did not cure: wait, then try again.
	return storageRetry.Do(ctx, func(int) (bool, error) {
		err := im.svc.ImportUser(ctx, rec)
		var ae *apperr.Error
		switch {
		case err == nil:
			im.imported.Add(1)
		case errors.Is(err, user.ErrAlreadyImported):
			im.present.Add(1)
		case errors.Is(err, user.ErrEmailTaken):
			im.duplicate(j.n, "email "+rec.Email+" is taken")
		case errors.Is(err, user.ErrPhoneTaken):
			im.duplicate(j.n, "phone "+rec.Phone+" is taken")
		case errors.Is(err, user.ErrConflict):
			im.duplicate(j.n, "id "+rec.ID+" exists")
		case errors.As(err, &ae) && (ae.Code == apperr.ValidationFailed || ae.Code == apperr.UnknownField || ae.Code == apperr.ReadOnly):
			im.reject(j.n, "invalid", fieldList(ae))
			im.invalid.Add(1)
		case ctx.Err() != nil:
			return false, ctx.Err()
		default:
			return true, fmt.Errorf("line %d: %w", j.n, err)
		}
		return false, nil
	})
}

// storageRetry tries a line again after a storage error: four times in all.
var storageRetry = retry.Policy{Attempts: 4, Base: 500 * time.Millisecond, Max: 4 * time.Second}

func (im *importer) duplicate(n int, reason string) {
	im.reject(n, "duplicate", reason+" (not overwritten)")
	im.duplicates.Add(1)
}

// parse reads a line into a record; a line that is no JSON object of the right types is
// an error. A field of no meaning here is warned of once and ignored.
func (im *importer) parse(j job) (user.ImportRecord, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(j.line, &fields); err != nil {
		return user.ImportRecord{}, fmt.Errorf("not a JSON object: %v", err)
	}
	if fields == nil {
		return user.ImportRecord{}, errors.New("not a JSON object")
	}
	var unknown []string
	for k := range fields {
		if !importFields[k] {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		im.mu.Lock()
		if im.warned == nil {
			im.warned = map[string]bool{}
		}
		for _, k := range unknown {
			if !im.warned[k] {
				im.warned[k] = true
				im.printLocked(fmt.Sprintf("line %d: unknown field %q ignored (on every line)", j.n, k))
			}
		}
		im.mu.Unlock()
	}
	var l importLine
	if err := json.Unmarshal(j.line, &l); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return user.ImportRecord{}, fmt.Errorf("%s: want a %s, not a %s", te.Field, te.Type, te.Value)
		}
		return user.ImportRecord{}, err
	}
	rec := user.ImportRecord{Email: l.Email, Phone: l.Phone, PasswordHash: l.PasswordHash, FirstName: l.FirstName,
		LastName: l.LastName, Role: l.Role, EmailVerified: l.EmailVerified, Language: l.Language}
	var id string
	if json.Unmarshal(l.ID, &id) == nil {
		rec.ID = id // an id of another shape (a number, say) gets a new id
	}
	if l.CreatedAt != "" {
		t, err := time.Parse(time.RFC3339Nano, l.CreatedAt)
		if err != nil {
			return user.ImportRecord{}, fmt.Errorf("created_at: want RFC 3339, like 2021-03-04T05:06:07Z: %q", l.CreatedAt)
		}
		rec.CreatedAt = t
	}
	return rec, nil
}

// fieldList says which fields of a validation error are bad.
func fieldList(e *apperr.Error) string {
	if len(e.Fields) == 0 {
		return string(e.Code)
	}
	var b strings.Builder
	for i, f := range e.Fields {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(f.Field + ": " + f.Code)
	}
	return b.String()
}

// finish marks line n done and moves the done mark past every line done in a row.
func (im *importer) finish(n int) {
	im.mu.Lock()
	defer im.mu.Unlock()
	im.done[n] = true
	for im.done[im.through+1] {
		delete(im.done, im.through+1)
		im.through++
	}
}

// tick saves the state every second and shows progress: a bar redrawn four times a
// second on a terminal, else a line every 5 seconds.
func (im *importer) tick(c <-chan time.Time, done <-chan struct{}) {
	last, saved := time.Now(), time.Now()
	for {
		select {
		case <-done:
			return
		case now := <-c:
			if now.Sub(saved) >= time.Second {
				saved = now
				if err := im.save(false); err != nil {
					im.report("save state: %v", err)
				}
			}
			if im.tty {
				im.mu.Lock()
				im.drawBar()
				im.mu.Unlock()
			} else if now.Sub(last) >= 5*time.Second {
				last = now
				im.report("%s", im.progress())
			}
		}
	}
}

// progress is one line of where the import stands.
func (im *importer) progress() string {
	im.mu.Lock()
	through := im.through
	im.mu.Unlock()
	pct := 100.0
	if im.total > 0 {
		pct = 100 * float64(through) / float64(im.total)
	}
	return fmt.Sprintf("%d/%d lines (%.0f%%), %d imported, %d duplicates, %d invalid, %.0f users/s",
		through, im.total, pct, im.imported.Load(), im.duplicates.Load(), im.invalid.Load(), im.rate())
}

func (im *importer) rate() float64 {
	s := time.Since(im.start).Seconds()
	if s <= 0 {
		return 0
	}
	return float64(im.imported.Load()) / s
}

// drawBar redraws the progress bar (im.mu held).
func (im *importer) drawBar() {
	const width = 30
	frac := 1.0
	if im.total > 0 {
		frac = float64(im.through) / float64(im.total)
	}
	filled := int(frac * width)
	fmt.Fprintf(im.errOut, "\r\033[K[%s%s] %3.0f%% %d/%d  %.0f users/s  dup %d  invalid %d",
		strings.Repeat("#", filled), strings.Repeat(".", width-filled), 100*frac, im.through, im.total,
		im.rate(), im.duplicates.Load(), im.invalid.Load())
	im.bar = true
}

// clearBar takes the bar off the screen (im.mu held).
func (im *importer) clearBar() {
	if im.bar {
		fmt.Fprint(im.errOut, "\r\033[K")
		im.bar = false
	}
}

func (im *importer) reject(n int, kind, reason string) {
	im.mu.Lock()
	defer im.mu.Unlock()
	im.printLocked(fmt.Sprintf("line %d: %s: %s", n, kind, reason))
}

func (im *importer) report(format string, args ...any) {
	im.mu.Lock()
	defer im.mu.Unlock()
	im.printLocked(fmt.Sprintf(format, args...))
}

// printLocked writes a line to errOut above the bar (im.mu held).
func (im *importer) printLocked(s string) {
	redraw := im.bar
	im.clearBar()
	fmt.Fprintln(im.errOut, "import: "+s)
	if redraw {
		im.drawBar()
	}
}

func (im *importer) summary(interrupted bool) {
	elapsed := time.Since(im.start)
	status := "done"
	if interrupted {
		status = "interrupted"
	}
	fmt.Fprintf(im.out, "import %s: %d imported, %d duplicates, %d invalid, %d skipped as already done (%d by the state file, %d found already imported); %d/%d lines done in %s, %.1f users/s\n",
		status, im.imported.Load(), im.duplicates.Load(), im.invalid.Load(), im.fromState.Load()+im.present.Load(),
		im.fromState.Load(), im.present.Load(), im.through, im.total, elapsed.Round(time.Millisecond), im.rate())
}

// save writes the state file atomically (a temporary file renamed over it), when the done
// mark moved or always.
func (im *importer) save(always bool) error {
	im.mu.Lock()
	through := im.through
	changed := through != im.saved
	im.mu.Unlock()
	if !changed && !always {
		return nil
	}
	b, err := json.Marshal(importState{File: im.file, LinesDone: through, UpdatedAt: time.Now().UTC()})
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(im.statePath), filepath.Base(im.statePath)+".tmp*")
	if err != nil {
		return err
	}
	_, err = tmp.Write(append(b, '\n'))
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), im.statePath)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return err
	}
	im.mu.Lock()
	im.saved = through
	im.mu.Unlock()
	return nil
}

// readState reads how many lines an earlier run finished: 0 without a state file. The file
// holds the JSON importState, or just the number.
func readState(path string) (int, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	if n, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil && n >= 0 {
		return n, nil
	}
	var st importState
	if err := json.Unmarshal(b, &st); err != nil || st.LinesDone < 0 {
		return 0, fmt.Errorf("state file %s: not a state file (remove it to start over)", path)
	}
	return st.LinesDone, nil
}

// countLines counts the lines of a file, a last line without its newline included.
func countLines(path string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	buf := make([]byte, 1<<16)
	n, last := 0, byte('\n')
	for {
		k, err := f.Read(buf)
		if k > 0 {
			n += bytes.Count(buf[:k], []byte{'\n'})
			last = buf[k-1]
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return 0, err
		}
	}
	if last != '\n' {
		n++
	}
	return n, nil
}
