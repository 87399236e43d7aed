package localstack

import (
	"fmt"
	"io"
	"log"
	"net"
	"net/http"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// S3Server is an in-process S3 (gofakes3, in memory, path-style URLs).
type S3Server struct {
	backend *s3mem.Backend
	srv     *http.Server
	ln      net.Listener
	url     string
}

// StartS3 serves an empty in-memory S3 on 127.0.0.1:port (0: a free port).
// It checks neither signatures nor the expiry of presigned URLs.
func StartS3(port int, logw io.Writer) (*S3Server, error) {
	ln, err := listen(port)
	if err != nil {
		return nil, err
	}
	backend := s3mem.New()
	faker := gofakes3.New(backend,
		gofakes3.WithAutoBucket(false),
		gofakes3.WithHostBucket(false),
		gofakes3.WithLogger(gofakes3.StdLog(log.New(newPrefixWriter("s3", logOrDiscard(logw)), "", 0), gofakes3.LogErr)),
	)
	s := &S3Server{backend: backend, ln: ln, url: "http://" + ln.Addr().String()}
	s.srv = &http.Server{Handler: faker.Server(), ErrorLog: log.New(io.Discard, "", 0)}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

// URL returns the endpoint for SDK clients ("http://127.0.0.1:port").
func (s *S3Server) URL() string { return s.url }

// CreateBucket creates bucket name unless it exists.
func (s *S3Server) CreateBucket(name string) error {
	err := s.backend.CreateBucket(name)
	if err != nil && !gofakes3.HasErrorCode(err, gofakes3.ErrBucketAlreadyExists) {
		return fmt.Errorf("create bucket %s: %w", name, err)
	}
	return nil
}

// Close stops serving.
func (s *S3Server) Close() error { return s.srv.Close() }
