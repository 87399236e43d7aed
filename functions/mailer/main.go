// Command mailer sends the mail outbox: it is subscribed to the table's stream.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/userbase/userbase/pkg/app"
	"github.com/userbase/userbase/pkg/awsclient"
	"github.com/userbase/userbase/pkg/awsclient/sesclient"
	"github.com/userbase/userbase/pkg/mailer"
)

func main() {
	a := app.Must()
	m := &mailer.Mailer{
		SES:     sesclient.New(awsclient.Config()),
		Outbox:  a.Store,
		From:    a.Config.MailFrom,
		AppName: a.Config.AppName,

		ConfigurationSet: a.Config.MailConfigurationSet,
		Limit:            a.Config.MailLimitPerHour,
		Metrics:          a.Metrics,
	}
	lambda.Start(m.Handle)
}
