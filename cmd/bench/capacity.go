//go:build linux

package main

import (
	"context"
	"math"
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go/middleware"
)

// capacity adds up the capacity units DynamoDB reports for every call of a client: each
// call asks for them (ReturnConsumedCapacity INDEXES, so index writes count too), and the
// units of reading calls are read request units, those of writing calls write request
// units, as on-demand capacity bills them.
type capacity struct {
	mu          sync.Mutex
	read, write float64
}

// units is the total so far.
func (c *capacity) units() (read, write float64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.read, c.write
}

// option installs the counting on a client's options.
func (c *capacity) option(o *dynamodb.Options) {
	o.APIOptions = append(o.APIOptions, func(st *middleware.Stack) error {
		return st.Initialize.Add(middleware.InitializeMiddlewareFunc("countCapacity", c.handle), middleware.After)
	})
}

func (c *capacity) handle(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
	const ask = types.ReturnConsumedCapacityIndexes
	write := true
	switch p := in.Parameters.(type) {
	case *dynamodb.GetItemInput:
		p.ReturnConsumedCapacity, write = ask, false
	case *dynamodb.BatchGetItemInput:
		p.ReturnConsumedCapacity, write = ask, false
	case *dynamodb.QueryInput:
		p.ReturnConsumedCapacity, write = ask, false
	case *dynamodb.TransactGetItemsInput:
		p.ReturnConsumedCapacity, write = ask, false
	case *dynamodb.PutItemInput:
		p.ReturnConsumedCapacity = ask
	case *dynamodb.UpdateItemInput:
		p.ReturnConsumedCapacity = ask
	case *dynamodb.DeleteItemInput:
		p.ReturnConsumedCapacity = ask
	case *dynamodb.BatchWriteItemInput:
		p.ReturnConsumedCapacity = ask
	case *dynamodb.TransactWriteItemsInput:
		p.ReturnConsumedCapacity = ask
	default:
		return next.HandleInitialize(ctx, in)
	}
	out, md, err := next.HandleInitialize(ctx, in)
	if err != nil {
		return out, md, err
	}
	var list []types.ConsumedCapacity
	switch r := out.Result.(type) {
	case *dynamodb.GetItemOutput:
		list = one(r.ConsumedCapacity)
	case *dynamodb.BatchGetItemOutput:
		list = r.ConsumedCapacity
	case *dynamodb.QueryOutput:
		list = one(r.ConsumedCapacity)
	case *dynamodb.TransactGetItemsOutput:
		list = r.ConsumedCapacity
	case *dynamodb.PutItemOutput:
		list = one(r.ConsumedCapacity)
	case *dynamodb.UpdateItemOutput:
		list = one(r.ConsumedCapacity)
	case *dynamodb.DeleteItemOutput:
		list = one(r.ConsumedCapacity)
	case *dynamodb.BatchWriteItemOutput:
		list = r.ConsumedCapacity
	case *dynamodb.TransactWriteItemsOutput:
		list = r.ConsumedCapacity
	}
	var units float64
	for _, cc := range list {
		if cc.CapacityUnits != nil {
			units += *cc.CapacityUnits
		}
	}
	c.mu.Lock()
	if write {
		c.write += units
	} else {
		c.read += units
	}
	c.mu.Unlock()
	return out, md, err
}

func one(c *types.ConsumedCapacity) []types.ConsumedCapacity {
	if c == nil {
		return nil
	}
	return []types.ConsumedCapacity{*c}
}

// round1 rounds to one decimal, for the report.
func round1(x float64) float64 { return math.Round(x*10) / 10 }
