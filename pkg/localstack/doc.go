// Package localstack runs the project's SAM application on one machine
// without Docker or an AWS account: DynamoDB Local (Java), aws-ses-v2-local
// (Node), an in-process S3 (gofakes3) and an in-process KMS (local-kms) as the
// AWS services; an API Gateway REST proxy (payload 1.0) in front of the
// functions' own bootstrap binaries, run through a Lambda Runtime API of our
// own; and a DynamoDB stream poller
// that invokes stream-subscribed functions the way Lambda's event source
// mappings do; custom resources get the Create event CloudFormation would send.
// Everything is read from template.yaml, so the template stays the one
// description of the application.
//
// The API answers as API Gateway would with the template as written: the
// routes are the Api events and the Api's DefinitionBody merged as SAM merges
// them, matched with API Gateway's precedence (the most specific resource
// that has the method or ANY), and its own errors are the template's
// GatewayResponses with their status, static and mapped headers
// (method.request.header.Origin and the like) and body templates.
//
// cmd/local (make local) and the end-to-end tests use it. Every listener is
// on 127.0.0.1, except DynamoDB Local's: it has no bind-address option and
// listens on every interface.
package localstack
