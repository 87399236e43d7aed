// Command user-stream writes the search postings and the account_created events of user
// profile items from the table's stream: it is subscribed to it.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/userbase/userbase/pkg/app"
	"github.com/userbase/userbase/pkg/userstream"
)

func main() {
	a := app.Must()
	lambda.Start((&userstream.Indexer{Index: a.Store}).Handle)
}
