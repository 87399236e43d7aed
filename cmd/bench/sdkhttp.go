//go:build linux

package main

import (
	"context"
	"fmt"
	"runtime"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/userbase/userbase/pkg/awsclient/leanhttp"
)

// One DynamoDB call through the SDK, timed by transport: rounds of sdkCalls GetItems,
// alternating, each transport's figure the median of its rounds.
const (
	sdkRounds = 6
	sdkCalls  = 2000
)

// measureSDKHTTP is the client CPU of one GetItem through the SDK with net/http's
// transport (the SDK's default) and with pkg/awsclient/leanhttp (what the functions use),
// in this process at GOMAXPROCS=1, as the functions run.
func measureSDKHTTP(ctx context.Context, root string) *section {
	s := &section{
		title:  fmt.Sprintf("One DynamoDB call's client CPU by HTTP transport: GetItem through the SDK, %d rounds of %d, alternating (DynamoDB Local)", sdkRounds, sdkCalls),
		header: []string{"transport", "CPU per call", "wall per call", "x net/http"},
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	stop, endpoint, admin, err := startDynamo(ctx, root)
	if err != nil {
		s.err = err
		return s
	}
	defer stop()
	const table = "bench-sdkhttp"
	key := map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "user#1"}}
	if err := sdkTable(ctx, admin, table, key); err != nil {
		s.err = err
		return s
	}
	clients := []struct {
		name string
		db   *dynamodb.Client
	}{{"net/http (the SDK's default)", nil}, {"leanhttp", nil}}
	for i, h := range []aws.HTTPClient{awshttp.NewBuildableClient(), leanhttp.New()} {
		cfg := aws.Config{Region: admin.Options().Region, Credentials: admin.Options().Credentials, HTTPClient: h}
		clients[i].db = dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) { o.BaseEndpoint = aws.String(endpoint) })
	}
	cpu := make([][]time.Duration, len(clients))
	wall := make([][]time.Duration, len(clients))
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	for round := 0; round < sdkRounds; round++ {
		for i, c := range clients {
			c0, w0 := selfCPU(), time.Now()
			for range sdkCalls {
				out, err := c.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table), Key: key})
				if err == nil && out.Item == nil {
					err = fmt.Errorf("GetItem: no item")
				}
				if err != nil {
					s.err = fmt.Errorf("%s: %w", c.name, err)
					return s
				}
			}
			cpu[i] = append(cpu[i], (selfCPU()-c0)/sdkCalls)
			wall[i] = append(wall[i], time.Since(w0)/sdkCalls)
		}
	}
	base := median(cpu[0])
	for i, c := range clients {
		m := median(cpu[i])
		s.row(c.name, us(m), us(median(wall[i])), fmt.Sprintf("%.2f", float64(m)/float64(base)))
	}
	s.note("CPU is this process's user+system time (getrusage) over the round, at GOMAXPROCS=1 as the functions run;")
	s.note("DynamoDB Local runs in its own process. net/http hands each request and response between a connection's")
	s.note("reader and writer goroutines; leanhttp writes and reads on the caller's (pkg/awsclient/leanhttp).")
	return s
}

// sdkTable creates the table and its one item.
func sdkTable(ctx context.Context, db *dynamodb.Client, table string, key map[string]types.AttributeValue) error {
	_, err := db.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName: aws.String(table), BillingMode: types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash}},
	})
	if err != nil {
		return fmt.Errorf("create table: %w", err)
	}
	item := map[string]types.AttributeValue{"pk": key["pk"], "name": &types.AttributeValueMemberS{Value: "Ada Lovelace"},
		"email": &types.AttributeValueMemberS{Value: "ada@example.com"}}
	if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: item}); err != nil {
		return fmt.Errorf("put item: %w", err)
	}
	return nil
}

// selfCPU is this process's user+system time so far.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
