// Package lazy holds values built on their first use.
//
// A package-level Value is laid out by the linker like any composite literal of constants,
// so it runs no code at package init. sync.OnceValue, called at package level, allocates
// and runs at init; a Lambda's cold start pays for every such call, and for the first touch
// of each page of code and data it makes, before the function asks for its first event.
package lazy

import "sync"

// Value is the result of New, made on the first Get and shared from then on. The zero
// Once is ready; set New in the composite literal that declares the Value.
type Value[T any] struct {
	// New builds the value; it runs once, on the first Get.
	New  func() T
	once sync.Once
	v    T
}

// Get returns the value, building it first if this is the first call. A New that panics
// panics in that first Get; as with sync.Once, later calls then return the zero value.
func (l *Value[T]) Get() T {
	l.once.Do(func() { l.v = l.New() })
	return l.v
}
