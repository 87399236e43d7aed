package localstack

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/nsmithuk/local-kms/src/cmk"
	kmsconfig "github.com/nsmithuk/local-kms/src/config"
	"github.com/nsmithuk/local-kms/src/data"
	"github.com/nsmithuk/local-kms/src/handler"
	"github.com/sirupsen/logrus"

	"github.com/userbase/userbase/pkg/samtemplate"
)

// KMSServer is KMS in process: local-kms's request handlers and LevelDB store, served on
// 127.0.0.1 by our own listener (its own server binds every interface).
type KMSServer struct {
	db     *data.Database
	srv    *http.Server
	url    string
	tmpDir string // a data folder of our own, removed on Close
	logger *logrus.Logger
}

// kmsGlobals sets local-kms's package-level account and region once: ARNs read
// arn:aws:kms:us-east-1:123456789012:key/<id>, like every other local ARN.
var kmsGlobals sync.Once

// StartKMS serves KMS on 127.0.0.1:port (0: a free port). dataDir keeps the keys between
// runs (make local); "" keeps them in a temporary folder removed on Close (tests).
func StartKMS(port int, dataDir string, logw io.Writer) (k *KMSServer, err error) {
	kmsGlobals.Do(func() {
		kmsconfig.AWSRegion, kmsconfig.AWSAccountId = samtemplate.LocalRegion, samtemplate.LocalAccountID
	})
	k = &KMSServer{}
	if dataDir == "" {
		if k.tmpDir, err = os.MkdirTemp("", "local-kms-"); err != nil {
			return nil, fmt.Errorf("kms data folder: %w", err)
		}
		dataDir = k.tmpDir
	} else if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return nil, fmt.Errorf("kms data folder: %w", err)
	}
	if k.db, err = openKMSDatabase(dataDir); err != nil {
		k.removeTmp()
		return nil, err
	}
	ln, err := listen(port)
	if err != nil {
		k.db.Close()
		k.removeTmp()
		return nil, err
	}
	k.logger = logrus.New()
	k.logger.SetOutput(newPrefixWriter("kms", logOrDiscard(logw)))
	k.logger.SetFormatter(&logrus.TextFormatter{DisableColors: true, DisableTimestamp: true})
	k.url = "http://" + ln.Addr().String()
	k.srv = &http.Server{Handler: http.HandlerFunc(k.serve), ErrorLog: log.New(io.Discard, "", 0)}
	go func() { _ = k.srv.Serve(ln) }()
	return k, nil
}

// openKMSDatabase opens the LevelDB folder; local-kms panics where it cannot.
func openKMSDatabase(dir string) (db *data.Database, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("open kms data in %s (is another local stack using it?): %v", dir, p)
		}
	}()
	return data.NewDatabase(dir), nil
}

// serve dispatches a KMS JSON request (X-Amz-Target: TrentService.<Operation>) to the
// local-kms handler of that name, as its own server does.
func (k *KMSServer) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/" || r.Method != http.MethodPost {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	if !strings.Contains(r.Header.Get("Content-Type"), "json") {
		http.Error(w, "only JSON content types", http.StatusUnsupportedMediaType)
		return
	}
	service, op, ok := strings.Cut(r.Header.Get("X-Amz-Target"), ".")
	if !ok || service != "TrentService" || op == "" || op[0] < 'A' || op[0] > 'Z' {
		http.Error(w, "unknown target", http.StatusNotImplemented)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
	h := handler.NewRequestHandler(r, k.logger, k.db)
	m := reflect.ValueOf(h).MethodByName(op)
	if !m.IsValid() || m.Type().NumIn() != 0 || m.Type().NumOut() != 1 {
		http.Error(w, "operation "+op+" is not implemented", http.StatusNotImplemented)
		return
	}
	resp, ok := m.Call(nil)[0].Interface().(handler.Response)
	if !ok {
		http.Error(w, "operation "+op+" is not implemented", http.StatusNotImplemented)
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.WriteHeader(resp.Code)
	_, _ = io.WriteString(w, resp.Body)
}

// URL is the endpoint for SDK clients ("http://127.0.0.1:port").
func (k *KMSServer) URL() string { return k.url }

// LocalKeyID is the id the local stack gives the KMS key of a template's logical ID:
// fixed, so data encrypted under it in one run opens in the next.
func LocalKeyID(logicalID string) string {
	b := sha256.Sum256([]byte("userbase-local-kms/" + logicalID))
	b[6] = b[6]&0x0f | 0x40 // shaped as a version 4 UUID, as KMS key ids are
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// KeyARN is the ARN of a local key id.
func KeyARN(id string) string {
	return "arn:aws:kms:" + samtemplate.LocalRegion + ":" + samtemplate.LocalAccountID + ":key/" + id
}

// EnsureKey makes sure the symmetric key id exists (kept from an earlier run, or new)
// and returns its ARN.
func (k *KMSServer) EnsureKey(id, description string) (string, error) {
	arn := KeyARN(id)
	if _, err := k.db.LoadKey(arn); err == nil {
		return arn, nil
	} else if !errors.As(err, &data.KeyNotFoundError) {
		return "", fmt.Errorf("kms key %s: %w", id, err)
	}
	key := cmk.NewAesKey(cmk.KeyMetadata{
		Arn: arn, KeyId: id, Description: &description, Enabled: true, KeyManager: "CUSTOMER", CreationDate: time.Now().Unix(),
		KeyState: cmk.KeyStateEnabled, Origin: cmk.KeyOriginAwsKms, AWSAccountId: samtemplate.LocalAccountID,
	}, "", cmk.KeyOriginAwsKms)
	if err := k.db.SaveKey(key); err != nil {
		return "", fmt.Errorf("create kms key %s: %w", id, err)
	}
	return arn, nil
}

// Close stops serving, closes the store and removes a temporary data folder.
func (k *KMSServer) Close() error {
	err := k.srv.Close()
	k.db.Close()
	k.removeTmp()
	return err
}

func (k *KMSServer) removeTmp() {
	if k.tmpDir != "" {
		_ = os.RemoveAll(k.tmpDir)
	}
}
