package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/userbase/userbase/pkg/awsclient/kmsclient"
	"github.com/userbase/userbase/pkg/keys"
)

// keyRing builds the key ring of the chosen table. KMS is the shell's (or local-kms on
// 127.0.0.1:$KMS_PORT with --local); the data key's ciphertext names its KMS key, and
// KMS_KEY_ID, when set, is required to be that key.
func keyRing(ctx context.Context, local bool, table string) (*keys.Ring, error) {
	st, cfg, err := tableStore(ctx, local, table)
	if err != nil {
		return nil, err
	}
	var client *kms.Client
	if local {
		endpoint := localEndpoint("KMS_PORT", "8006")
		client = kms.NewFromConfig(cfg, func(o *kms.Options) { o.BaseEndpoint = &endpoint })
	} else {
		client = kms.NewFromConfig(cfg)
	}
	return keys.New(keys.Options{Store: st, KMS: kmsclient.NewDataKeys(client, os.Getenv("KMS_KEY_ID"))}), nil
}

func keysCmd(ctx context.Context, ring *keys.Ring, args []string, w io.Writer) error {
	if len(args) == 0 {
		return errors.New("keys: want list or rotate")
	}
	switch args[0] {
	case "list":
		return keysList(ctx, ring, args[1:], w)
	case "rotate":
		return keysRotate(ctx, ring, args[1:], w)
	default:
		return fmt.Errorf("keys: unknown command %q (want list or rotate)", args[0])
	}
}

// keyJSON is a key as `keys list --json` prints it.
type keyJSON struct {
	KID            string     `json:"kid"`
	State          string     `json:"state"`
	CreatedAt      time.Time  `json:"created_at"`
	SignsFrom      time.Time  `json:"signs_from"`
	SignsUntil     *time.Time `json:"signs_until"`
	PublishedUntil *time.Time `json:"published_until"`
}

func orNil(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func orDash(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

func keysList(ctx context.Context, ring *keys.Ring, args []string, w io.Writer) error {
	fs := flag.NewFlagSet("keys list", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print JSON")
	if err := fs.Parse(args); err != nil {
		return err
	}
	infos, err := ring.List(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		out := make([]keyJSON, 0, len(infos))
		for _, k := range infos {
			out = append(out, keyJSON{KID: k.KID, State: k.State, CreatedAt: k.CreatedAt.UTC(), SignsFrom: k.SignsFrom.UTC(),
				SignsUntil: orNil(k.SignsUntil.UTC()), PublishedUntil: orNil(k.PublishedUntil.UTC())})
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	if len(infos) == 0 {
		fmt.Fprintln(w, "no signing key: the stack's KeyRing resource has not run (sam deploy, make local)")
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "KID\tSTATE\tSIGNS FROM\tSIGNS UNTIL\tPUBLISHED UNTIL")
	for _, k := range infos {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", k.KID, k.State, orDash(k.SignsFrom), orDash(k.SignsUntil), orDash(k.PublishedUntil))
	}
	return tw.Flush()
}

func keysRotate(ctx context.Context, ring *keys.Ring, args []string, w io.Writer) error {
	fs := flag.NewFlagSet("keys rotate", flag.ContinueOnError)
	delay := fs.Duration("delay", keys.DefaultRotationDelay, "how long the new key is published before it signs")
	force := fs.Bool("force", false, "rotate although a rotation is pending (withdrawing its key), or with a delay under "+keys.MinRotationDelay.String())
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("keys rotate: unexpected %q", fs.Arg(0))
	}
	next, err := ring.Rotate(ctx, *delay, *force)
	if errors.Is(err, keys.ErrRotationPending) {
		return fmt.Errorf("%w; wait until it signs (usersctl keys list), or --force", err)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "published key %s; it signs from %s\n", next.KID, next.SignsFrom.UTC().Format(time.RFC3339))
	return nil
}
