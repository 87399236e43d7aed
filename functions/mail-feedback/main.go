// Command mail-feedback marks the addresses SES reports as bouncing or complaining (SNS
// notifications of the stack's configuration set), so the mailer sends them nothing more;
// see mailfeedback.Handler.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/userbase/userbase/pkg/app"
	"github.com/userbase/userbase/pkg/mailfeedback"
)

func main() {
	a := app.Must()
	h := &mailfeedback.Handler{Marks: a.Store, Metrics: a.Metrics}
	lambda.Start(h.Handle)
}
