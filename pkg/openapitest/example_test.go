package openapitest_test

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/userbase/userbase/pkg/openapitest"
)

func ExampleDoc_Check() {
	doc, err := openapitest.Load("../../docs/openapi.yaml")
	if err != nil {
		fmt.Println(err)
		return
	}
	// In an end-to-end test, the status, headers and body come from the local stack.
	h := http.Header{"X-Request-Id": {"req-1"}}
	err = doc.Check("POST", "/v1/auth/logout?all=true", http.StatusNoContent, h, nil)
	fmt.Println(err)

	err = doc.Check("GET", "/v1/me", http.StatusTeapot, h, nil)
	fmt.Println(errors.Is(err, openapitest.ErrStatus))

	// At the end of the suite every documented operation must have been seen; here
	// only two of them have been.
	fmt.Println(len(doc.Operations())-len(doc.Unexercised()), "of", len(doc.Operations()))
	// Output:
	// <nil>
	// true
	// 2 of 40
}
